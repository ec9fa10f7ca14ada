"""Funding registrations for DUO (BRON): each enrolment and each leaving is registered within 7
days (DOMAIN, "Pupil administration"; docs/funding-registration.md for the document).

- ``registration_create`` is the core's enrolment and leaving hook (``students/lifecycle.py``,
  registered in ``AdmissionsConfig.ready()``): a registration due 7 days after the event, once
  per pupil and kind.
- ``registration_produce`` builds the registration document through the gate: a disclosure
  on a legal obligation (Wet register onderwijsdeelnemers) to the board's DUO recipient for
  that one pupil, recorded with its reference, reason and the file's checksum. The document is
  sealed at rest and downloadable by the administration until it expires.
- ``registration_mark_sent`` records that the administration sent it to DUO (outside the
  portal), when and by whom; only once, and only after it was produced through the gate.
- ``duo_recipient_ensure``: the board's DUO recipient with the attributes a registration needs
  (called by ``onboarding.services.school_provision``; existing boards got it by migration).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel.exceptions import DomainError
from students import erasure, expiry
from students.models import Board, Student
from suppliers.constants import LegalGround, RecipientKind
from suppliers.gate import DisclosureRefusedError, LegalRequest, disclose, disclosure_plan
from suppliers.models import Recipient

from ..constants import FUNDING_REGISTRATION_PERIOD, RegistrationKind
from ..models import FundingRegistration

# The produced document can be downloaded this long; then the file leaves storage (the hourly
# expiry job) and, if it was not sent yet, the administration produces it again.
DOWNLOAD_DAYS = 14
FORMAT_NAME = "samen-een/duo-funding-registration"
FORMAT_VERSION = 1

# What each kind of registration sends, in the catalogue's codes (students/attributes.py), in
# the order of the document. The destination only for a leaving.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    RegistrationKind.ENROLMENT: (
        "school_brin",
        "bsn",
        "initials",
        "first_name",
        "last_name",
        "date_of_birth",
        "sex",
        "postal_code",
        "year_group",
        "enrolled_on",
    ),
    RegistrationKind.LEAVING: (
        "school_brin",
        "bsn",
        "initials",
        "first_name",
        "last_name",
        "date_of_birth",
        "sex",
        "postal_code",
        "year_group",
        "enrolled_on",
        "withdrawn_on",
        "withdrawal_destination",
    ),
}
DUO_ATTRIBUTES: tuple[str, ...] = tuple(
    dict.fromkeys(code for codes in ATTRIBUTES.values() for code in codes)
)
DUO_NAME = "DUO (BRON)"
DUO_BASIS = (
    "Wet register onderwijsdeelnemers en Wet op het primair onderwijs: in- en uitschrijving "
    "met BSN of onderwijsnummer voor de bekostiging."
)


class RegistrationError(DomainError):
    """A registration cannot be produced or marked sent as asked."""


# --- The board's DUO recipient ---------------------------------------------------------------


def duo_recipient_ensure(*, board: Board) -> Recipient:
    """The board's DUO recipient, created when missing; one that lacks an attribute a
    registration needs gets it added (idempotent)."""
    recipient = Recipient.objects.filter(board=board, kind=RecipientKind.DUO).order_by("pk").first()
    if recipient is None:
        return Recipient.objects.create(
            board=board,
            kind=RecipientKind.DUO,
            name=DUO_NAME,
            legal_basis=DUO_BASIS,
            attributes=list(DUO_ATTRIBUTES),
        )
    missing = [code for code in DUO_ATTRIBUTES if code not in recipient.attributes]
    if missing:
        recipient.attributes = [*recipient.attributes, *missing]
        recipient.save(update_fields=["attributes"])
    return recipient


# --- The core's hooks ------------------------------------------------------------------------


def _registration_create(*, kind: str, student: Student, event_on: datetime.date | None) -> None:
    if event_on is None:
        return
    FundingRegistration.objects.get_or_create(
        student=student,
        kind=kind,
        defaults={
            "school_id": student.school_id,
            "event_on": event_on,
            "due_on": event_on + FUNDING_REGISTRATION_PERIOD,
        },
    )


def enrolled_registration_create(*, actor: User | None, student: Student) -> None:
    """The core's enrolment hook: the enrolment is due at DUO 7 days after it."""
    _registration_create(
        kind=RegistrationKind.ENROLMENT, student=student, event_on=student.enrolled_on
    )


def withdrawn_registration_create(*, actor: User | None, student: Student) -> None:
    """The core's leaving hook: the leaving is due at DUO 7 days after it."""
    _registration_create(
        kind=RegistrationKind.LEAVING, student=student, event_on=student.withdrawn_on
    )


# --- Producing the registration through the gate ---------------------------------------------


def registration_reference(registration: FundingRegistration) -> str:
    return f"BRON-{registration.school.brin}-{registration.pk}"


def _reason(registration: FundingRegistration) -> str:
    # Stored on the disclosure and read by the guardians: in the portal's language.
    with translation.override(settings.LANGUAGE_CODE):
        words = {"date": formats.date_format(registration.event_on)}
        if registration.kind == RegistrationKind.LEAVING:
            return _("Leaving on %(date)s registered with DUO for the funding.") % words
        return _("Enrolment on %(date)s registered with DUO for the funding.") % words


def document_build(
    registration: FundingRegistration, row: Mapping[str, str], attributes: Sequence[str]
) -> bytes:
    """The registration as docs/funding-registration.md describes it (UTF-8 JSON)."""
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "reference": registration_reference(registration),
        "kind": registration.kind,
        "event_date": registration.event_on.isoformat(),
        "produced_at": timezone.now().isoformat(timespec="seconds"),
        "school_brin": row.get("school_brin", ""),
        "pupil": {code: row[code] for code in attributes if code != "school_brin"},
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def _locked(registration: FundingRegistration) -> FundingRegistration:
    return (
        FundingRegistration.objects.select_for_update(of=("self",))
        .select_related("school", "disclosure", "sent_by")
        .get(pk=registration.pk)
    )


def file_available(registration: FundingRegistration, now: datetime.datetime | None = None) -> bool:
    """Whether the produced document can still be downloaded."""
    now = now or timezone.now()
    return bool(
        registration.file
        and registration.file_expires_at is not None
        and registration.file_expires_at > now
    )


def _sent_refusal(registration: FundingRegistration) -> str:
    return _("This registration was already marked sent on %(date)s by %(name)s.") % {
        "date": formats.date_format(timezone.localtime(registration.sent_at)),
        "name": registration.sent_by or _("someone whose account no longer exists"),
    }


@transaction.atomic
def registration_produce(*, user: User, registration: FundingRegistration) -> FundingRegistration:
    """Produce the registration document through the gate, as a disclosure on a legal
    obligation to the board's DUO recipient, for this one pupil. Refused once sent, while an
    earlier document can still be downloaded, for a pupil without a BSN or education number,
    and whatever the gate refuses."""
    registration = _locked(registration)
    if registration.sent_at is not None:
        raise RegistrationError(_sent_refusal(registration))
    if file_available(registration) and registration.disclosure is not None:
        raise RegistrationError(
            _("This registration was already produced on %(date)s: download it from the list.")
            % {"date": formats.date_format(timezone.localtime(registration.disclosure.created_at))}
        )
    student = registration.student
    if not student.bsn:
        raise RegistrationError(
            _(
                "The pupil has no BSN or education number; DUO cannot register the pupil "
                "without one. Add it on the pupil's page first."
            )
        )
    recipient = (
        Recipient.objects.filter(board_id=registration.school.board_id, kind=RecipientKind.DUO)
        .order_by("pk")
        .first()
    )
    if recipient is None:
        raise RegistrationError(_("The school board has no recipient for DUO."))
    attributes = ATTRIBUTES[registration.kind]
    missing = [code for code in attributes if code not in recipient.attributes]
    if missing:
        raise RegistrationError(
            _("The board's recipient for DUO does not allow sending: %(codes)s.")
            % {"codes": ", ".join(missing)}
        )
    legal = LegalRequest(
        ground=LegalGround.BRON_REGISTRATION,
        reference=registration_reference(registration),
        reason=_reason(registration),
        student_ids=(registration.student_id,),
    )
    try:
        plan = disclosure_plan(school=registration.school, recipient=recipient, legal=legal)
        # Only what this kind of registration needs, of what the recipient may receive.
        plan.attributes = list(attributes)
        run = disclose(actor=user, plan=plan)
        rows = list(run.rows())
    except DisclosureRefusedError as exc:
        raise RegistrationError(exc.message) from exc
    if len(rows) != 1:
        raise RegistrationError(_("The gate sent nothing for this pupil."))
    content = document_build(registration, rows[0], attributes)
    disclosure = run.record(checksum=hashlib.sha256(content).hexdigest())
    if registration.file:
        erasure.files_delete_on_commit([registration.file])
    registration.file.save(
        f"bron-{registration.school.brin}-{registration.pk}.json", ContentFile(content), save=False
    )
    registration.disclosure = disclosure
    registration.file_expires_at = disclosure.created_at + datetime.timedelta(days=DOWNLOAD_DAYS)
    registration.save(update_fields=["file", "disclosure", "file_expires_at"])
    event_record(
        user=user,
        action=Action.EXPORT,
        object_type="funding_registration",
        object_id=registration.pk,
        student_id=registration.student_id,
        school_id=registration.school_id,
        data_kind=DataKind.BASICS,
    )
    return registration


def registration_download_record(*, user: User, registration: FundingRegistration) -> None:
    """A download of the document (it holds the BSN) is on the record."""
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="funding_registration",
        object_id=registration.pk,
        student_id=registration.student_id,
        school_id=registration.school_id,
        data_kind=DataKind.BASICS,
    )


@transaction.atomic
def registration_mark_sent(*, user: User, registration: FundingRegistration) -> FundingRegistration:
    """Record that the administration sent the registration to DUO, now and by ``user``.
    Refused before it was produced through the gate, and when it was marked sent already
    (the row is locked: of two people at once, the second is refused)."""
    registration = _locked(registration)
    if registration.sent_at is not None:
        raise RegistrationError(_sent_refusal(registration))
    if registration.disclosure_id is None:
        raise RegistrationError(
            _(
                "Produce the registration first: only a registration the portal produced can "
                "be marked sent."
            )
        )
    registration.sent_at = timezone.now()
    registration.sent_by = user
    registration.save(update_fields=["sent_at", "sent_by"])
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="funding_registration",
        object_id=registration.pk,
        student_id=registration.student_id,
        school_id=registration.school_id,
        data_kind=DataKind.BASICS,
    )
    return registration


# --- Stored files ----------------------------------------------------------------------------


def registration_files_expire(now: datetime.datetime) -> int:
    """The hourly expiry job: documents past their download period leave storage."""
    return expiry.files_expire(FundingRegistration, ("file",), models.Q(file_expires_at__lte=now))


def registration_files_erase(students: Sequence[Student], action: str) -> dict[int, int]:
    """When a pupil's enrolment data is anonymised, a document still stored goes too (the
    disclosure evidence stays)."""
    counts: dict[int, int] = {}
    rows = FundingRegistration.objects.filter(student__in=list(students)).exclude(file="")
    for registration in rows:
        erasure.files_delete_on_commit([registration.file])
        counts[registration.student_id] = counts.get(registration.student_id, 0) + 1
    rows.update(file="", file_expires_at=None)
    return counts
