"""What parents keep current themselves, and the moves the school confirms.

- ``own_contact_update``: a guardian changes their own phone number and contact e-mail address
  at once (audited, in the history). The contact address is not the login address. When it
  changes, the *old* address gets a notice (no child data, not the new address), so a change
  someone else made is noticed.
- Emergency contacts: ``students.services.emergency.emergency_contacts_replace`` with the
  channel ``GUARDIAN`` (the view calls it; nothing of its own here).
- A move: the parent proposes (``address_change_propose``) and may withdraw it; the school's
  administration confirms (``address_change_confirm``: the guardian's address and that of each
  pupil who moves, each in the history) or rejects it with a reason. Each decision is made once,
  under a row lock, and the parent is told by e-mail (no address, no child data).

A confidential guardian's data (``Guardian.contact_confidential``) keeps its values out of
every history record and event (``change_record(confidential=True)``), also the pupils' records
of their move, since a child who moves with them lives at that address.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import email_normalise
from audit.constants import Action, DataKind
from audit.services import event_record

from ..exceptions import AddressChangeError, EditError
from ..models import AddressChange, ChangeRecord, Guardian, Student
from ..models.address_changes import address_line
from ..selectors.pupils import school_ids_with
from ..selectors.self_service import PUPIL_ADDRESS_FIELDS, own_children_enrolled
from .history import change_record


def _school_id_of(guardian: Guardian) -> int | None:
    """The school of the guardian's children when it is one (for the audit trail)."""
    schools = list(
        Student.objects.filter(guardian_links__guardian=guardian)
        .values_list("school_id", flat=True)
        .distinct()
        .order_by()[:2]
    )
    return schools[0] if len(schools) == 1 else None


# --- own contact data -------------------------------------------------------------------------


# Neutral on purpose: whose address it is (a parent's, a member of staff's) is not told.
EMAIL_TAKEN = _("This address cannot be used; choose another, or ask the school.")


def own_contact_email_taken(*, guardian: Guardian, email: str) -> bool:
    """Whether ``email`` (any case) is someone else's: the contact address of another guardian
    of a board the guardian's children are at (enrolment reuses a guardian known by it), or
    another person's login. The guardian's own login address is theirs."""
    email = email_normalise(email)
    if not email:
        return False
    boards = Student.objects.filter(guardian_links__guardian=guardian).values("school__board_id")
    if (
        Guardian.objects.filter(email__iexact=email, links__student__school__board_id__in=boards)
        .exclude(pk=guardian.pk)
        .exists()
    ):
        return True
    own_login = Q(pk=guardian.user_id) if guardian.user_id else Q(pk__in=[])
    return User.objects.filter(email__iexact=email).exclude(own_login).exists()


@transaction.atomic
def own_contact_update(*, actor: User, guardian: Guardian, phone: str, email: str) -> bool:
    """Set the guardian's own phone number and contact e-mail address (validated by the
    caller's form; the address is kept normalised, as accounts keep it). Returns False and
    writes nothing when both are as they were (an address differing in case only is the
    same). Refused at the field (``EditError``) when the address is someone else's."""
    locked = Guardian.objects.select_for_update().get(pk=guardian.pk)
    # Compared (and recorded) as kept: a difference in case or spacing only is no change.
    before = {"phone": " ".join(locked.phone.split()), "email": email_normalise(locked.email)}
    after = {"phone": " ".join(phone.split()), "email": email_normalise(email)}
    if before == after:
        return False
    if before["email"] != after["email"] and own_contact_email_taken(
        guardian=locked, email=after["email"]
    ):
        raise EditError(field_errors={"email": [EMAIL_TAKEN]})
    locked_email = locked.email
    locked.phone, locked.email = after["phone"], after["email"]
    locked.save(update_fields=["phone", "email"])
    change_record(
        actor=actor,
        subject=ChangeRecord.Subject.GUARDIAN,
        channel=ChangeRecord.Channel.GUARDIAN,
        guardian=locked,
        before=before,
        after=after,
        confidential=locked.contact_confidential,
        school_id=_school_id_of(locked),
    )
    old_email = locked_email
    if old_email and before["email"] != after["email"]:
        from ..tasks import contact_changed_notice_task

        transaction.on_commit(partial(contact_changed_notice_task.delay, locked.pk, old_email))
    guardian.phone, guardian.email = locked.phone, locked.email
    return True


def _school_names(guardian: Guardian) -> str:
    names = (
        Student.objects.filter(guardian_links__guardian=guardian)
        .values_list("school__name", flat=True)
        .distinct()
        .order_by("school__name")
    )
    return ", ".join(names)


def _mail(*, guardian: Guardian, to: str, subject, template: str, context: dict) -> None:
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(guardian.language or settings.LANGUAGE_CODE):
        body = render_to_string(
            template,
            {
                "guardian": guardian,
                "schools": _school_names(guardian),
                "site_url": settings.SITE_URL,
                **context,
            },
        )
        send_mail(str(subject), body, None, [to])


def contact_changed_notice(*, guardian_id: int, old_email: str) -> None:
    """Tell the old contact address that it was replaced, and whom to contact if the parent
    did not do it themselves. Neither the new address nor anything about a child."""
    guardian = Guardian.objects.filter(pk=guardian_id).first()
    if guardian is None or not old_email:
        return
    _mail(
        guardian=guardian,
        to=old_email,
        subject=_("Your contact e-mail address at the school was changed"),
        template="students/email_contact_changed.txt",
        context={"contact_url": f"{settings.SITE_URL}{reverse('my-contact')}"},
    )


# --- a move: proposed by the parent, confirmed by the school ---------------------------------

CHOOSE_CHILDREN = _("Choose the children who move with you.")
NO_CHILD_AT_SCHOOL = _(
    "A move is reported here together with your children at the school. You have no child at "
    "the school now: please contact the school about your new address."
)


@transaction.atomic
def address_change_propose(
    *,
    actor: User,
    guardian: Guardian,
    street: str,
    house_number: str,
    postal_code: str,
    city: str,
    moves_on: datetime.date,
    students: Sequence[Student],
) -> AddressChange:
    """Report a move for the school to confirm. ``students`` are the guardian's own enrolled
    children who move along (the caller's form offers only those; checked again here), one at
    least: each school confirms for its own children, so a move without a child reaches no
    school. A guardian without an enrolled child is refused (they contact the school).
    Refused when a proposal of this guardian waits already: one at a time."""
    Guardian.objects.select_for_update().filter(pk=guardian.pk).first()  # one at a time
    own = set(own_children_enrolled(guardian).values_list("pk", flat=True))
    if any(student.pk not in own for student in students):
        raise AddressChangeError(_("Choose only your own children who are at the school."))
    # Each school confirms a move for its own children: a move without one reaches no school
    # and would only hold up the parent's next report.
    if not own:
        raise AddressChangeError(NO_CHILD_AT_SCHOOL)
    if not students:
        raise AddressChangeError(CHOOSE_CHILDREN, field_errors={"students": [CHOOSE_CHILDREN]})
    if AddressChange.objects.filter(
        guardian=guardian, status=AddressChange.Status.PENDING
    ).exists():
        raise AddressChangeError(
            _("Your earlier report of a move is still waiting for the school.")
        )
    try:
        with transaction.atomic():
            change = AddressChange.objects.create(
                guardian=guardian,
                street=street.strip(),
                house_number=house_number.strip(),
                postal_code=postal_code.strip(),
                city=city.strip(),
                moves_on=moves_on,
                previous_address=guardian.address,
            )
    except IntegrityError as exc:  # the constraint: another request was quicker
        raise AddressChangeError(
            _("Your earlier report of a move is still waiting for the school.")
        ) from exc
    change.students.set(students)
    # About the guardian, not a child: no pupil id, so no child's access log shows it.
    event_record(
        user=actor,
        action=Action.CREATE,
        object_type="address_change",
        object_id=change.pk,
        school_id=_school_id_of(guardian),
        data_kind=DataKind.BASICS,
    )
    return change


def _locked_pending(change_id: int) -> AddressChange:
    change = AddressChange.objects.select_for_update().select_related("guardian").get(pk=change_id)
    if change.status != AddressChange.Status.PENDING:
        raise AddressChangeError(_("This move was decided already; nothing was changed."))
    return change


@transaction.atomic
def address_change_withdraw(*, actor: User, change: AddressChange) -> AddressChange:
    """The parent takes back their proposal while it waits."""
    locked = _locked_pending(change.pk)
    if locked.guardian.user_id != actor.pk:
        raise AddressChangeError
    locked.status = AddressChange.Status.WITHDRAWN
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    event_record(
        user=actor,
        action=Action.UPDATE,
        object_type="address_change",
        object_id=locked.pk,
        school_id=_school_id_of(locked.guardian),
        data_kind=DataKind.BASICS,
    )
    return locked


def _decision_notice_queue(change: AddressChange) -> None:
    from ..tasks import address_change_notice_task

    transaction.on_commit(partial(address_change_notice_task.delay, change.pk))


@transaction.atomic
def address_change_confirm(*, actor: User, change: AddressChange) -> AddressChange:
    """Take the move over: the guardian's address (one line) and the structured address of
    each enrolled pupil who moves, each recorded in the history (channel ADDRESS_CHANGE).
    A move that was decided meanwhile is refused (``AddressChangeError``)."""
    locked = _locked_pending(change.pk)
    guardian = Guardian.objects.select_for_update().get(pk=locked.guardian_id)
    confidential = guardian.contact_confidential
    new_line = locked.new_address
    previous = guardian.address
    guardian.address = new_line
    guardian.save(update_fields=["address"])
    change_record(
        actor=actor,
        subject=ChangeRecord.Subject.GUARDIAN,
        channel=ChangeRecord.Channel.ADDRESS_CHANGE,
        guardian=guardian,
        before={"address": previous},
        after={"address": new_line},
        confidential=confidential,
        school_id=_school_id_of(guardian),
    )
    new = {
        "street": locked.street,
        "house_number": locked.house_number,
        "postal_code": locked.postal_code,
        "city": locked.city,
    }
    # Only the children at the confirmer's own schools: a child at another school of the
    # board is that school's to confirm (a new report for them follows below).
    managed = school_ids_with(actor, "manage_school_pupils")
    enrolled = Student.objects.filter(
        pk__in=locked.students.values("pk"), withdrawn_on__isnull=True
    )
    moving = enrolled.select_for_update().filter(school_id__in=managed)
    elsewhere = list(enrolled.exclude(school_id__in=managed).values_list("pk", flat=True))
    for student in moving.order_by("pk"):
        before = {name: getattr(student, name) for name in PUPIL_ADDRESS_FIELDS}
        for name, value in new.items():
            setattr(student, name, value)
        student.save(update_fields=list(PUPIL_ADDRESS_FIELDS))
        # A child who moves with a confidential parent lives at that parent's confidential
        # address: the record keeps the field names only, and is confidential as theirs is.
        change_record(
            actor=actor,
            subject=ChangeRecord.Subject.PUPIL,
            channel=ChangeRecord.Channel.ADDRESS_CHANGE,
            student=student,
            # The parent who moved: a confidential record shows to that parent only.
            guardian=guardian if confidential else None,
            before=before,
            after=new,
            confidential=confidential,
            hidden_fields=PUPIL_ADDRESS_FIELDS if confidential else (),
        )
    locked.status = AddressChange.Status.CONFIRMED
    locked.previous_address = previous
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "previous_address", "decided_by", "decided_at"])
    if elsewhere:
        # The same move, waiting for the other school's administration for its children.
        remainder = AddressChange.objects.create(
            guardian=guardian,
            street=locked.street,
            house_number=locked.house_number,
            postal_code=locked.postal_code,
            city=locked.city,
            moves_on=locked.moves_on,
            created_at=locked.created_at,
        )
        remainder.students.set(elsewhere)
    _decision_notice_queue(locked)
    return locked


@transaction.atomic
def address_change_reject(*, actor: User, change: AddressChange, reason: str) -> AddressChange:
    """Do not take the move over, with the reason the parent reads on their page."""
    if not reason.strip():
        raise AddressChangeError(
            _("Give the reason, for the parent."), field_errors={"reason": [_("Give the reason.")]}
        )
    locked = _locked_pending(change.pk)
    locked.status = AddressChange.Status.REJECTED
    locked.rejection_reason = reason.strip()[:500]
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at"])
    event_record(
        user=actor,
        action=Action.UPDATE,
        object_type="address_change",
        object_id=locked.pk,
        school_id=_school_id_of(locked.guardian),
        data_kind=DataKind.BASICS,
    )
    _decision_notice_queue(locked)
    return locked


def address_change_notice(*, change_id: int) -> None:
    """Tell the parent the school decided on their move: confirmed or not, and where to read
    more (their page). No address and no child data: the mail may be read by others."""
    change = (
        AddressChange.objects.select_related("guardian", "guardian__user")
        .filter(pk=change_id)
        .first()
    )
    if change is None or change.status not in (
        AddressChange.Status.CONFIRMED,
        AddressChange.Status.REJECTED,
    ):
        return
    guardian = change.guardian
    to = guardian.email or (guardian.user.email if guardian.user else "")
    if not to:
        return
    confirmed = change.status == AddressChange.Status.CONFIRMED
    _mail(
        guardian=guardian,
        to=to,
        subject=_("The school took over your new address")
        if confirmed
        else _("The school did not take over your new address"),
        template="students/email_address_change.txt",
        context={
            "confirmed": confirmed,
            "address_url": f"{settings.SITE_URL}{reverse('my-address')}",
        },
    )


__all__ = [
    "CHOOSE_CHILDREN",
    "EMAIL_TAKEN",
    "NO_CHILD_AT_SCHOOL",
    "PUPIL_ADDRESS_FIELDS",
    "address_change_confirm",
    "address_change_notice",
    "address_change_propose",
    "address_change_reject",
    "address_change_withdraw",
    "address_line",
    "contact_changed_notice",
    "own_contact_email_taken",
    "own_contact_update",
]
