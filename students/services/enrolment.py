"""Enrolment (inschrijving): one service takes a pupil in, with their guardians and the
guardians' invitations, in one transaction.

The administration calls it from a paper application (``students.views.enrolment``, the API's
``POST /api/v1/students/``); the online application and its decision will call it too. What it
asks is what DOMAIN ("Pupil administration") says the school needs at enrolment, nothing more.

A guardian already known is reused, never duplicated, by one rule: the same email address
(trimmed, lower case) of a guardian linked to a pupil of a school of the *same board*, with the
same surname. The same address with another surname is refused at the field (someone must look);
a guardian known only at another board is never reused: each board is its own controller.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import email_normalise
from kernel.crypto import lookup_hash
from kernel.dates import months_add

from ..constants import Sex
from ..exceptions import EnrolmentError
from ..lifecycle import enrolled_notify
from ..models import Board, Group, Guardian, School, Student, school_year_of
from ..validators import validate_bsn
from .invitations import InvitationError, invitation_create
from .pupils import guardian_link, student_enrol

MAX_GUARDIANS = 3
# A child may start school at 4 (DOMAIN: "a child may start at 4").
START_AGE_YEARS = 4


@dataclass(frozen=True)
class PupilDetails:
    first_names: str
    given_name: str
    surname: str
    date_of_birth: datetime.date
    sex: str
    bsn: str
    surname_prefix: str = ""
    street: str = ""
    house_number: str = ""
    postal_code: str = ""
    city: str = ""
    previous_school: str = ""
    born_abroad: bool = False
    arrived_in_netherlands_on: datetime.date | None = None
    # Needed only when the group combines year groups; else the group's year group.
    year_group: int | None = None


@dataclass(frozen=True)
class GuardianDetails:
    first_name: str
    surname: str
    surname_prefix: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    has_authority: bool = True
    # When authority is limited or absent: the court decision (or register extract) it rests on.
    authority_decided_on: datetime.date | None = None
    authority_reference: str = ""
    invite: bool = True


# The field names of the errors: the pupil's as in PupilDetails, a guardian's as
# ``guardians.<index>.<field>`` (index from 0), and "group", "start_date", "guardians".
def guardian_field(index: int, name: str) -> str:
    return f"guardians.{index}.{name}"


def pupil_details_errors(
    *,
    first_names: str,
    given_name: str,
    surname: str,
    sex: str,
    date_of_birth: datetime.date,
    bsn: str,
    born_abroad: bool,
    arrived_in_netherlands_on: datetime.date | None,
    today: datetime.date,
    bsn_required: bool = True,
) -> dict[str, list[str]]:
    """The rules for a pupil's own details, as at enrolment: shared by enrolment and by the
    school's edits (``students/services/editing.py``). ``bsn`` is checked when given; an empty
    one is refused only when ``bsn_required`` (an edit that leaves the BSN as it was)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field, value in (
        ("first_names", first_names),
        ("given_name", given_name),
        ("surname", surname),
    ):
        if not value.strip():
            add(field, _("This field is required."))
    if sex not in Sex.values:
        add("sex", _("Choose one of the options."))
    if date_of_birth > today:
        add("date_of_birth", _("The date of birth cannot be in the future."))
    bsn = bsn.strip()
    if not bsn:
        if bsn_required:
            add("bsn", _("Enter the BSN, or the education number when the child has none."))
    else:
        try:
            validate_bsn(bsn)
        except ValidationError as error:
            add("bsn", " ".join(str(m) for m in error.messages))
    if born_abroad and arrived_in_netherlands_on is None:
        add(
            "arrived_in_netherlands_on",
            _("Enter the date of arrival in the Netherlands for a child born abroad."),
        )
    if arrived_in_netherlands_on is not None:
        if arrived_in_netherlands_on > today:
            add("arrived_in_netherlands_on", _("The date of arrival cannot be in the future."))
        elif arrived_in_netherlands_on < date_of_birth:
            add(
                "arrived_in_netherlands_on",
                _("The date of arrival cannot be before the date of birth."),
            )
    return errors


def start_age_error(date_of_birth: datetime.date, start_date: datetime.date) -> str | None:
    """The reason a child of this age cannot start on ``start_date``, or None."""
    if start_date < months_add(date_of_birth, 12 * START_AGE_YEARS):
        return _("A child may start school from the age of 4, not before.")
    return None


def _pupil_errors(
    pupil: PupilDetails, *, group: Group, start_date: datetime.date, today: datetime.date
) -> dict[str, list[str]]:
    errors = pupil_details_errors(
        first_names=pupil.first_names,
        given_name=pupil.given_name,
        surname=pupil.surname,
        sex=pupil.sex,
        date_of_birth=pupil.date_of_birth,
        bsn=pupil.bsn,
        born_abroad=pupil.born_abroad,
        arrived_in_netherlands_on=pupil.arrived_in_netherlands_on,
        today=today,
    )

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if pupil.date_of_birth <= today and (
        age_error := start_age_error(pupil.date_of_birth, start_date)
    ):
        add("start_date", age_error)
    if group.is_combination:
        if pupil.year_group is None:
            add("year_group", _("This group combines year groups: choose the pupil's."))
        elif not group.year_group_low <= pupil.year_group <= group.year_group_high:
            add(
                "year_group",
                _("Group %(group)s has year groups %(low)s to %(high)s.")
                % {"group": group.name, "low": group.year_group_low, "high": group.year_group_high},
            )
    elif pupil.year_group not in (None, group.year_group_low):
        add(
            "year_group",
            _("Group %(group)s is year group %(year)s.")
            % {"group": group.name, "year": group.year_group_low},
        )
    return errors


def _guardian_errors(guardians: Sequence[GuardianDetails], today: datetime.date) -> dict:
    errors: dict[str, list[str]] = {}
    if not guardians:
        errors["guardians"] = [_("Enter at least one parent or guardian.")]
    elif len(guardians) > MAX_GUARDIANS:
        errors["guardians"] = [_("Enter at most three parents or guardians.")]
    seen: dict[str, int] = {}
    for index, guardian in enumerate(guardians):

        def add(name: str, message: str, index: int = index) -> None:
            errors.setdefault(guardian_field(index, name), []).append(message)

        if not guardian.first_name.strip():
            add("first_name", _("This field is required."))
        if not guardian.surname.strip():
            add("surname", _("This field is required."))
        if not guardian.email.strip() and not guardian.phone.strip():
            add(
                "phone",
                _("Enter a phone number or an email address, so the school can reach this parent."),
            )
        email = email_normalise(guardian.email)
        if email:
            if email in seen:
                add(
                    "email",
                    _("Two guardians cannot share one email address: each gets their own account."),
                )
            seen[email] = index
        if not guardian.has_authority:
            if guardian.authority_decided_on is None:
                add(
                    "authority_decided_on",
                    _("Enter the date of the decision on parental authority."),
                )
            elif guardian.authority_decided_on > today:
                add("authority_decided_on", _("The decision's date cannot be in the future."))
            if not guardian.authority_reference.strip():
                add("authority_reference", _("Enter the reference of the decision."))
    return errors


def _known_guardian(*, board: Board, details: GuardianDetails) -> Guardian | None:
    """The guardian this board already knows by this email address, or None. Raises a field
    error (through the caller) when the address is known for someone else."""
    email = email_normalise(details.email)
    if not email:
        return None
    known = (
        Guardian.objects.filter(email__iexact=email, links__student__school__board=board)
        .distinct()
        .order_by("pk")
        .first()
    )
    if known is None:
        return None
    if known.surname.strip().lower() != details.surname.strip().lower():
        raise _GuardianMismatchError
    return known


class _GuardianMismatchError(Exception):
    pass


@transaction.atomic
def pupil_enrol(
    *,
    user: User,
    school: School,
    group: Group,
    start_date: datetime.date,
    pupil: PupilDetails,
    guardians: Sequence[GuardianDetails],
    request_base: str = "",
) -> Student:
    """Enrol a pupil in a group from ``start_date``, with one to three guardians (reused when
    the board knows them, see above), each invited to the parent portal when they have an email
    address and no account yet. Refuses with an ``EnrolmentError`` carrying field errors; nothing
    is written then. Audited by the services it calls: the pupil's creation (the enrolment's
    event), each guardianship and each invitation; an access event holds ids and kinds, never
    a value, so never the BSN."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if group.school_id != school.pk:
        errors["group"] = [_("The group belongs to another school.")]
    elif group.school_year != school_year_of(start_date):
        errors["group"] = [
            _("Group %(group)s is a group of another school year than the start date.")
            % {"group": group.name}
        ]
    errors.update(_pupil_errors(pupil, group=group, start_date=start_date, today=today))
    errors.update(_guardian_errors(guardians, today))
    # One enrolment at a time per board, so two cannot both pass the duplicate check.
    board = Board.objects.select_for_update().get(pk=school.board_id)
    bsn = pupil.bsn.strip()
    if "bsn" not in errors and (
        Student.objects.filter(
            school__board=board, bsn_hash=lookup_hash(bsn), anonymised_at__isnull=True
        ).exists()
    ):
        errors["bsn"] = [
            _(
                "A pupil with this BSN or education number is already known at a school of this "
                "board. Look the pupil up instead of enrolling them again."
            )
        ]
    known: dict[int, Guardian | None] = {}
    for index, details in enumerate(guardians):
        try:
            known[index] = _known_guardian(board=board, details=details)
        except _GuardianMismatchError:
            errors.setdefault(guardian_field(index, "email"), []).append(
                _(
                    "This email address belongs to another guardian known to the school. "
                    "Check the address with the parent."
                )
            )
    if errors:
        raise EnrolmentError(field_errors=errors)

    year_group = pupil.year_group or group.year_group_low
    student = student_enrol(
        actor=user,
        school=school,
        group=group,
        first_names=pupil.first_names.strip(),
        given_name=pupil.given_name.strip(),
        surname_prefix=pupil.surname_prefix.strip(),
        surname=pupil.surname.strip(),
        date_of_birth=pupil.date_of_birth,
        sex=pupil.sex,
        year_group=year_group,
        enrolled_on=start_date,
        street=pupil.street.strip(),
        house_number=pupil.house_number.strip(),
        postal_code=pupil.postal_code.strip().upper(),
        city=pupil.city.strip(),
        bsn=bsn,
    )
    student.previous_school = pupil.previous_school.strip()
    student.born_abroad = pupil.born_abroad
    student.arrived_in_netherlands_on = pupil.arrived_in_netherlands_on
    student.save(update_fields=["previous_school", "born_abroad", "arrived_in_netherlands_on"])

    for index, details in enumerate(guardians):
        guardian = known.get(index) or Guardian.objects.create(
            first_name=details.first_name.strip(),
            surname_prefix=details.surname_prefix.strip(),
            surname=details.surname.strip(),
            email=email_normalise(details.email),
            phone=details.phone.strip(),
            address=details.address.strip(),
        )
        link = guardian_link(
            actor=user, guardian=guardian, student=student, has_authority=details.has_authority
        )
        if not details.has_authority:
            link.authority_decided_on = details.authority_decided_on
            link.authority_reference = details.authority_reference.strip()
            link.save(update_fields=["authority_decided_on", "authority_reference"])
        if details.invite and guardian.email and guardian.user_id is None:
            _invite(user=user, guardian=guardian, request_base=request_base)
    enrolled_notify(actor=user, student=student)
    return student


def _invite(*, user: User, guardian: Guardian, request_base: str) -> None:
    """Invite a guardian; one already invited keeps a fresh link. An address that already has
    an account (a member of staff, say) gets no invitation: the pupil page offers it later."""
    if User.objects.filter(Q(email__iexact=guardian.email)).exists():
        return
    try:
        invitation_create(user=user, guardian=guardian, request_base=request_base)
    except InvitationError:
        return
