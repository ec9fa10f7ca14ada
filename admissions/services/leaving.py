"""A pupil's leaving (uitschrijving): the rules of compulsory education, the notice to the
attendance officer through the gate, and the core's withdrawal, in one transaction.

docs/domain.md, "Admissions", "Leaving".
"""

from __future__ import annotations

import datetime
import hashlib
import re

from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel.exceptions import DomainError
from kernel.labels import label
from students.constants import WithdrawalDestination
from students.exceptions import WithdrawalError
from students.models import Student, school_year_of
from students.services import placement_open_since, student_withdraw
from suppliers.constants import LegalGround, RecipientKind
from suppliers.gate import DisclosureRefusedError, LegalRequest, disclose, disclosure_plan
from suppliers.models import Disclosure, Recipient

from ..constants import LeavingReason
from ..leaving_proof import proof_pdf
from ..models import Departure
from ..selectors.leaving import departure_of, student_for_leaving

# Reasons by which the pupil goes on to another school: a pupil of compulsory-education age
# leaves only once that school confirmed the enrolment (with its BRIN).
TO_ANOTHER_SCHOOL = frozenset(
    {
        LeavingReason.OTHER_SCHOOL,
        LeavingReason.MOVE,
        LeavingReason.SPECIAL_EDUCATION,
        LeavingReason.SECONDARY_SCHOOL,
    }
)
# Reasons with no school that takes over: for a pupil of compulsory-education age the
# attendance officer is told (no silent removal).
NO_SCHOOL_KNOWN = frozenset({LeavingReason.ABROAD, LeavingReason.UNKNOWN})
# The core's words for where a pupil went.
DESTINATIONS: dict[str, WithdrawalDestination] = {
    LeavingReason.OTHER_SCHOOL: WithdrawalDestination.PRIMARY_SCHOOL,
    LeavingReason.MOVE: WithdrawalDestination.PRIMARY_SCHOOL,
    LeavingReason.SPECIAL_EDUCATION: WithdrawalDestination.SPECIAL_EDUCATION,
    LeavingReason.SECONDARY_SCHOOL: WithdrawalDestination.SECONDARY_SCHOOL,
    LeavingReason.ABROAD: WithdrawalDestination.ABROAD,
    LeavingReason.EXEMPTION: WithdrawalDestination.OTHER,
    LeavingReason.UNKNOWN: WithdrawalDestination.OTHER,
}
# A school's BRIN number: two digits and two letters (12AB).
BRIN = re.compile(r"\d{2}[A-Z]{2}")
# Leerplichtwet 1969, art. 18: the school tells the municipality of a withdrawal within seven
# days; the portal uses it as the notice's deadline on the to-do list.
NOTICE_PERIOD = datetime.timedelta(days=7)


class LeavingError(DomainError):
    default_message = gettext_lazy("The leaving could not be recorded; check the fields marked.")


# A leaving recorded outside this service (the school year's rollover, an import from the
# previous system) names only the core's destination: the reason it reads as.
REASONS: dict[str, LeavingReason] = {
    WithdrawalDestination.PRIMARY_SCHOOL: LeavingReason.OTHER_SCHOOL,
    WithdrawalDestination.SPECIAL_EDUCATION: LeavingReason.SPECIAL_EDUCATION,
    WithdrawalDestination.SECONDARY_SCHOOL: LeavingReason.SECONDARY_SCHOOL,
    WithdrawalDestination.ABROAD: LeavingReason.ABROAD,
    WithdrawalDestination.OTHER: LeavingReason.UNKNOWN,
}


def departure_ensure(*, actor: User | None, student: Student) -> None:
    """The core's withdrawn hook: every pupil who left has a Departure, also one withdrawn by
    the rollover (Groep 8 to secondary school) or an import, so their leaving page, proof of
    withdrawal and education report exist. ``pupil_leave`` writes its own before withdrawing,
    so this adds nothing then."""
    if student.withdrawn_on is None:
        return
    Departure.objects.get_or_create(
        student=student,
        defaults={
            "left_on": student.withdrawn_on,
            "reason": REASONS.get(student.withdrawal_destination, LeavingReason.UNKNOWN),
            "recorded_by": actor,
        },
    )


# The longest name of a new school (Departure.destination_name).
DESTINATION_NAME_MAX = 200


def departure_destination_set(
    *, actor: User, departure: Departure, name: str, brin: str
) -> tuple[Departure, bool]:
    """Name the new school of a leaving that names none or names it wrongly, typically one
    recorded by the rollover or an import (``departure_ensure``), so its education report can
    be sent. Only until the report was sent: what was sent is the evidence of where the report
    went. The departure row is locked, so a send at the same moment waits and reads the new
    school, or this waits and is refused. Returns the departure and whether anything changed:
    the same name and BRIN write nothing and record no event."""
    with transaction.atomic():
        locked = (
            Departure.objects.select_for_update(of=("self",))
            .select_related("student")
            .get(pk=departure.pk)
        )
        if locked.education_report_id is not None:
            raise LeavingError(
                _(
                    "The education report was already sent to the new school: the new school "
                    "can no longer be changed."
                )
            )
        name = (name or "").strip()
        brin = brin_normalise(brin)
        errors: dict[str, list] = {}
        if not name:
            errors["destination_name"] = [_("Give the name of the new school.")]
        elif len(name) > DESTINATION_NAME_MAX:
            errors["destination_name"] = [
                _("The name can be at most %(count)s characters.") % {"count": DESTINATION_NAME_MAX}
            ]
        if brin and not BRIN.fullmatch(brin):
            errors["destination_brin"] = [brin_refusal()]
        if errors:
            raise LeavingError(field_errors=errors)
        if (locked.destination_name, locked.destination_brin) == (name, brin):
            return locked, False
        locked.destination_name = name
        locked.destination_brin = brin
        locked.save(update_fields=["destination_name", "destination_brin"])
        event_record(
            user=actor,
            action=Action.UPDATE,
            object_type="departure",
            object_id=locked.pk,
            student_id=locked.student_id,
            school_id=locked.student.school_id,
            data_kind=DataKind.BASICS,
        )
    return locked, True


def compulsory_education_from(date_of_birth: datetime.date) -> datetime.date:
    """The first day of the month after the 5th birthday (Leerplichtwet 1969, art. 3)."""
    birthday = _birthday(date_of_birth, 5)
    return datetime.date(birthday.year + birthday.month // 12, birthday.month % 12 + 1, 1)


def compulsory_education_until(date_of_birth: datetime.date) -> datetime.date:
    """The last day of the school year in which the pupil turns 16 (31 July)."""
    return datetime.date(school_year_of(_birthday(date_of_birth, 16)) + 1, 7, 31)


def of_compulsory_age(date_of_birth: datetime.date, on: datetime.date) -> bool:
    return (
        compulsory_education_from(date_of_birth) <= on <= compulsory_education_until(date_of_birth)
    )


def _birthday(date_of_birth: datetime.date, age: int) -> datetime.date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:  # born on 29 February: the birthday is 1 March in a common year
        return datetime.date(date_of_birth.year + age, 3, 1)


def brin_normalise(raw: str) -> str:
    return re.sub(r"\s+", "", raw or "").upper()


def brin_refusal() -> str:
    return _("A BRIN number is two digits and two letters, e.g. 12AB.")


def attendance_officer_of(student: Student) -> Recipient | None:
    """The board's attendance officer as a recipient (the first one recorded)."""
    return (
        Recipient.objects.filter(
            board_id=student.school.board_id, kind=RecipientKind.ATTENDANCE_OFFICER
        )
        .order_by("pk")
        .first()
    )


def leaving_check(
    *,
    student: Student,
    left_on: datetime.date | None,
    reason: str,
    destination_brin: str = "",
    destination_name: str = "",
    enrolment_confirmed_on: datetime.date | None = None,
) -> dict:
    """Validate a leaving without writing anything: the cleaned values, or a ``LeavingError``
    naming each refused field. Also the confirmation page asks it, before anything happens."""
    today = timezone.localdate()
    errors: dict[str, list] = {}
    brin = brin_normalise(destination_brin)
    name = (destination_name or "").strip()
    if reason not in LeavingReason.values:
        errors["reason"] = [_("Choose the reason the pupil leaves.")]
    if left_on is None:
        errors["left_on"] = [_("Give the leaving date.")]
    elif left_on < student.enrolled_on:
        errors["left_on"] = [_("The leaving date cannot be before the enrolment date.")]
    elif left_on > today:
        errors["left_on"] = [
            _("The leaving date cannot be in the future: record the leaving on the day itself.")
        ]
    else:
        placed_on = placement_open_since(student)
        if placed_on is not None and left_on < placed_on:
            errors["left_on"] = [
                _(
                    "The leaving date cannot be before the start of the pupil's current group "
                    "placement (%(date)s)."
                )
                % {"date": date_format(placed_on, "DATE_FORMAT")}
            ]
    compulsory = left_on is not None and of_compulsory_age(student.date_of_birth, left_on)
    if brin and not BRIN.fullmatch(brin):
        errors["destination_brin"] = [brin_refusal()]
    if enrolment_confirmed_on is not None and enrolment_confirmed_on > today:
        errors["enrolment_confirmed_on"] = [
            _("The date of the confirmation cannot be in the future.")
        ]
    if reason in TO_ANOTHER_SCHOOL:
        if compulsory:
            # Leerplichtwet 1969, art. 18: deregistered only once the next school enrolled them.
            if not brin and "destination_brin" not in errors:
                errors["destination_brin"] = [
                    _(
                        "The pupil is of compulsory-education age: give the BRIN number of the "
                        "school that confirmed the enrolment."
                    )
                ]
            if not name:
                errors["destination_name"] = [_("Give the name of the new school.")]
            if enrolment_confirmed_on is None and "enrolment_confirmed_on" not in errors:
                errors["enrolment_confirmed_on"] = [
                    _(
                        "The pupil is of compulsory-education age: the pupil leaves only once "
                        "the new school has confirmed the enrolment. Give the date of its "
                        "confirmation."
                    )
                ]
    else:
        # No school takes over: a BRIN, a school's name or a confirmation would say otherwise
        # (the notice to the attendance officer must list no destination).
        brin, name, enrolment_confirmed_on = "", "", None
        errors.pop("destination_brin", None)
        errors.pop("enrolment_confirmed_on", None)
    notice = compulsory and reason in NO_SCHOOL_KNOWN
    if notice and attendance_officer_of(student) is None:
        errors.setdefault("reason", []).append(
            _(
                "The attendance officer must be told of this leaving, but the board has not "
                "recorded its attendance officer as a recipient. Ask the board's privacy officer "
                "to have it added."
            )
        )
    if errors:
        raise LeavingError(field_errors=errors)
    return {
        "left_on": left_on,
        "reason": reason,
        "destination_brin": brin,
        "destination_name": name,
        "enrolment_confirmed_on": enrolment_confirmed_on,
        "compulsory": compulsory,
        "notice": notice,
    }


def pupil_leave(
    *,
    actor: User,
    student: Student,
    left_on: datetime.date,
    reason: str,
    destination_brin: str = "",
    destination_name: str = "",
    enrolment_confirmed_on: datetime.date | None = None,
) -> Departure:
    """Record a pupil's leaving: the Departure, the core's withdrawal (placements end, the pupil
    leaves every group and so every teacher's scope, the lifecycle hooks run: the DUO
    registration) and, for a pupil of compulsory-education age who goes abroad or to no known
    school, the notice to the attendance officer through the gate. One transaction, the pupil
    row locked: a second leaving waits, then is refused."""
    with transaction.atomic():
        locked = (
            Student.objects.select_for_update(of=("self",))
            .select_related("school")
            .get(pk=student.pk)
        )
        if locked.withdrawn_on is not None or Departure.objects.filter(student=locked).exists():
            raise LeavingError(_("This pupil has already left the school."))
        values = leaving_check(
            student=locked,
            left_on=left_on,
            reason=reason,
            destination_brin=destination_brin,
            destination_name=destination_name,
            enrolment_confirmed_on=enrolment_confirmed_on,
        )
        departure = Departure.objects.create(
            student=locked,
            left_on=left_on,
            reason=reason,
            destination_brin=values["destination_brin"],
            destination_name=values["destination_name"],
            enrolment_confirmed_on=values["enrolment_confirmed_on"],
            recorded_by=actor,
        )
        try:
            locked = student_withdraw(
                actor=actor, student=locked, on=left_on, destination=DESTINATIONS[reason]
            )
        except WithdrawalError as exc:
            raise LeavingError(field_errors={"left_on": [exc.message]}) from exc
        if values["notice"]:
            _attendance_notice(actor=actor, student=locked, departure=departure)
        event_record(
            user=actor,
            action=Action.CREATE,
            object_type="departure",
            object_id=departure.pk,
            student_id=locked.pk,
            school_id=locked.school_id,
            data_kind=DataKind.BASICS,
        )
    return departure


def _attendance_notice(*, actor: User, student: Student, departure: Departure) -> Disclosure:
    """Produce the notice at once through the gate (a legal disclosure, recorded), keep its
    text sealed with the departure, due within seven days; the to-do list shows it until the
    administration marks it sent."""
    recipient = attendance_officer_of(student)
    if recipient is None:  # leaving_check refused this already
        raise LeavingError(field_errors={"reason": [_("The board has no attendance officer.")]})
    with translation.override("nl"):  # for the municipality, in Dutch
        reason_text = _(
            "A pupil of compulsory-education age left (%(reason)s); no school confirmed an "
            "enrolment."
        ) % {"reason": label("leaving_reason", departure.reason).lower()}
        legal = LegalRequest(
            ground=LegalGround.WITHDRAWAL_NOTICE,
            reference=f"UIT-{student.school.brin}-{student.pk}-{departure.left_on:%Y%m%d}",
            reason=reason_text,
            student_ids=(student.pk,),
        )
        try:
            plan = disclosure_plan(school=student.school, recipient=recipient, legal=legal)
            run = disclose(actor=actor, plan=plan)
            rows = list(run.rows())
        except DisclosureRefusedError as exc:
            raise LeavingError(field_errors={"reason": [exc.message]}) from exc
        text = _notice_text(student=student, departure=departure, legal=legal, rows=rows)
    disclosure = run.record(checksum=hashlib.sha256(text.encode()).hexdigest())
    departure.attendance_notice = disclosure
    departure.attendance_notice_text = text
    departure.attendance_notice_due_on = departure.left_on + NOTICE_PERIOD
    departure.save(
        update_fields=["attendance_notice", "attendance_notice_text", "attendance_notice_due_on"]
    )
    return disclosure


def _notice_text(
    *, student: Student, departure: Departure, legal: LegalRequest, rows: list[dict]
) -> str:
    school = student.school
    facts = [
        (_("Legal ground"), str(LegalGround(legal.ground).label)),
        (_("Reference"), legal.reference),
        (_("School"), f"{school.name} ({school.brin})"),
        (_("Leaving date"), date_format(departure.left_on, "DATE_FORMAT")),
        (_("Reason"), label("leaving_reason", departure.reason)),
        (_("Destination"), departure.destination_name or _("unknown")),
    ]
    lines = [
        _("Notice to the attendance officer: a pupil of compulsory-education age left"),
        "",
        *(f"{name}: {value}" for name, value in facts),
        "",
        _("The pupil"),
    ]
    for row in rows:
        for code, value in row.items():
            if code != "pseudonym":
                lines.append(f"{label('attribute', code)}: {value or '-'}")
    return "\n".join(lines)


@transaction.atomic
def attendance_notice_mark_sent(*, actor: User, departure: Departure) -> Departure:
    """Record that the administration sent the notice (outside the portal). Marked once: a
    second click changes nothing."""
    locked = Departure.objects.select_for_update().get(pk=departure.pk)
    if locked.attendance_notice_id is None:
        raise LeavingError(_("This leaving needed no notice to the attendance officer."))
    if locked.attendance_notice_sent_at is not None:
        return locked
    locked.attendance_notice_sent_at = timezone.now()
    locked.attendance_notice_sent_by = actor
    locked.save(update_fields=["attendance_notice_sent_at", "attendance_notice_sent_by"])
    event_record(
        user=actor,
        action=Action.UPDATE,
        object_type="attendance_notice",
        object_id=locked.pk,
        student_id=locked.student_id,
        data_kind=DataKind.BASICS,
    )
    return locked


def leaving_open_for(*, user, student_id) -> tuple[Student, Departure | None]:
    """A pupil of the user's school for recording or reading their leaving (403/404 by the
    selector); the look is an access event."""
    student = student_for_leaving(user=user, student_id=student_id)
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="departure",
        object_id=student.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=DataKind.BASICS,
    )
    return student, departure_of(student)


def leaving_proof_download(*, user, student: Student) -> bytes:
    """The proof of withdrawal of a former pupil the caller reached through a selector (the
    school, or a parent with authority); every download is an access event."""
    if student.withdrawn_on is None:
        raise LeavingError(_("This pupil has not left the school."))
    event_record(
        user=user,
        action=Action.EXPORT,
        object_type="leaving_proof",
        object_id=student.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=DataKind.BASICS,
    )
    return proof_pdf(student, departure_of(student))
