"""The school's edits of a pupil's and a guardian's data, with history.

The administration and the director (function ``MANAGE_PUPILS`` and the school permission
``manage_school_pupils``, ``students/selectors/editing.py``) edit on the pages of
``students/views/editing.py`` and through ``PATCH`` of the API (``students/api/editing.py``);
both call the services here, which:

- lock the row (``select_for_update``) and refuse a save made on an out-of-date version
  (``EditConflictError``, 409): the forms carry ``record_version`` of the values they showed;
- validate as at enrolment (``pupil_details_errors`` of ``services/enrolment.py``; a Dutch
  postal code, a phone number, an email address no other guardian or account has) and refuse
  with ``EditError`` naming each field (``field_errors``);
- write nothing and record nothing when nothing changed;
- record each change once through ``history.change_record`` (the history and the audit event;
  never the BSN's value, never a confidential guardian's contact data).

Former pupils. A pupil who left is read-only for day-to-day work (``services/former.py``): the
pages and the API (channels ``SCHOOL`` and ``API``) refuse with ``FormerPupilError`` (409),
also for the guardian reached through that pupil and for the emergency contacts. The school
still corrects a former pupil's data on a privacy request (AVG art. 16): that road calls these
services with the channel ``CORRECTION``, which the former-pupil rule lets through.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import email_normalise
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel.crypto import lookup_hash

from ..exceptions import EditConflictError, EditError
from ..models import ChangeRecord, Guardian, Guardianship, Student
from ..models.address_changes import address_line
from ..selectors.editing import guardian_link_for_edit, student_for_edit
from ..selectors.self_service import PUPIL_ADDRESS_FIELDS, confidential_guardian_at
from ..validators import validate_phone
from .emergency import EmergencyContactDetails, emergency_contacts_of, emergency_contacts_replace
from .enrolment import pupil_details_errors, start_age_error
from .former import pupil_require_enrolled
from .history import change_record

# What the school edits of a pupil, in the order of the form; the group, year group and the
# enrolment's dates have their own roads (moving, leaving, the rollover).
PUPIL_FIELDS = (
    "first_names",
    "given_name",
    "surname_prefix",
    "surname",
    "date_of_birth",
    "sex",
    "bsn",
    "street",
    "house_number",
    "postal_code",
    "city",
    "previous_school",
    "born_abroad",
    "arrived_in_netherlands_on",
)
PUPIL_TEXT_FIELDS = frozenset(PUPIL_FIELDS) - {
    "date_of_birth",
    "born_abroad",
    "arrived_in_netherlands_on",
}
GUARDIAN_FIELDS = (
    "first_name",
    "surname_prefix",
    "surname",
    "email",
    "phone",
    "address",
    "language",
    "contact_confidential",
)
GUARDIAN_TEXT_FIELDS = frozenset(GUARDIAN_FIELDS) - {"contact_confidential"}
# The channels of day-to-day work, which a former pupil refuses (see the module's docstring).
DAY_TO_DAY = frozenset({ChangeRecord.Channel.SCHOOL, ChangeRecord.Channel.API})

# 1234 AB: four digits (not starting with 0), then two letters; the space is optional as typed.
POSTAL_CODE = re.compile(r"^([1-9][0-9]{3})\s*([A-Za-z]{2})$")


def postal_code_normalise(value: str) -> str | None:
    """A Dutch postal code as the post writes it ("1234 AB"), "" for none, None when it is
    not one."""
    value = value.strip()
    if not value:
        return ""
    match = POSTAL_CODE.match(value)
    return f"{match[1]} {match[2].upper()}" if match else None


def record_version(values: Mapping[str, Any]) -> str:
    """A version of the values an edit form showed: the form sends it back, and a save is
    refused when the stored values have another version since. Keyed with the site's secret,
    so that the hidden field says nothing about a value (the BSN) the page does not show."""
    text = json.dumps(
        {name: str(value) for name, value in sorted(values.items())}, ensure_ascii=False
    )
    return salted_hmac("students.editing.version", text).hexdigest()[:32]


def pupil_values(student: Student) -> dict[str, Any]:
    return {name: getattr(student, name) for name in PUPIL_FIELDS}


def guardian_values(guardian: Guardian) -> dict[str, Any]:
    return {name: getattr(guardian, name) for name in GUARDIAN_FIELDS}


def emergency_values(student: Student) -> dict[str, Any]:
    return {"emergency_contacts": [c.line() for c in emergency_contacts_of(student)]}


def _version_check(expected: str | None, values: Mapping[str, Any]) -> None:
    if expected and expected != record_version(values):
        raise EditConflictError


def _former_check(student: Student, channel: str) -> None:
    if channel in DAY_TO_DAY:
        pupil_require_enrolled(student)


def _unknown(changes: Mapping[str, Any], allowed: Sequence[str]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise EditError(
            field_errors={name: [_("This field cannot be changed.")] for name in unknown}
        )


# --- The pupil ----------------------------------------------------------------------------


def _pupil_after(before: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    after = dict(before)
    for name, value in changes.items():
        if name == "bsn":
            # Empty: the BSN stays as it is (the form never shows it in its field).
            bsn = (value or "").strip()
            if bsn:
                after["bsn"] = bsn
        elif name in PUPIL_TEXT_FIELDS:
            after[name] = (value or "").strip()
        elif name == "born_abroad":
            after[name] = bool(value)
        else:
            after[name] = value
    return after


def _pupil_errors(
    student: Student, before: Mapping[str, Any], after: dict[str, Any], today: datetime.date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("date_of_birth", "sex"):
        if after[name] in (None, ""):
            errors[name] = [_("This field is required.")]
    if errors:
        return errors
    errors = pupil_details_errors(
        first_names=after["first_names"],
        given_name=after["given_name"],
        surname=after["surname"],
        sex=after["sex"],
        date_of_birth=after["date_of_birth"],
        # Only a newly typed BSN is checked: the stored one passed when it was stored.
        bsn=after["bsn"] if after["bsn"] != before["bsn"] else "",
        born_abroad=after["born_abroad"],
        arrived_in_netherlands_on=after["arrived_in_netherlands_on"],
        today=today,
        bsn_required=False,
    )
    if (
        "date_of_birth" not in errors
        and after["date_of_birth"] != before["date_of_birth"]
        and start_age_error(after["date_of_birth"], student.enrolled_on)
    ):
        errors["date_of_birth"] = [
            _("With this date of birth the pupil was not yet 4 on the enrolment date.")
        ]
    postal_code = postal_code_normalise(after["postal_code"])
    if postal_code is None:
        errors["postal_code"] = [_("Enter a Dutch postal code, for example 1234 AB.")]
    else:
        after["postal_code"] = postal_code
    if (
        after["bsn"] != before["bsn"]
        and "bsn" not in errors
        and (
            Student.objects.filter(
                school__board_id=student.school.board_id,
                bsn_hash=lookup_hash(after["bsn"]),
                anonymised_at__isnull=True,
            )
            .exclude(pk=student.pk)
            .exists()
        )
    ):
        errors["bsn"] = [
            _(
                "A pupil with this BSN or education number is already known at a school of "
                "this board. Check the number."
            )
        ]
    return errors


@transaction.atomic
def _confidential_guardian_of_move(
    student: Student, before: Mapping[str, Any], after: Mapping[str, Any]
) -> Guardian | None:
    """The confidential guardian whose address the pupil's new (or old) address is, when the
    address changes; else None."""
    if not any(before.get(name) != after.get(name) for name in PUPIL_ADDRESS_FIELDS):
        return None
    for values in (after, before):
        line = address_line(*(str(values.get(name) or "") for name in PUPIL_ADDRESS_FIELDS))
        guardian = confidential_guardian_at(student_id=student.pk, address=line)
        if guardian is not None:
            return guardian
    return None


def student_update(
    *,
    actor: User,
    student: Student,
    changes: Mapping[str, Any],
    channel: str,
    version: str | None = None,
    reason: str = "",
) -> ChangeRecord | None:
    """Change a pupil's details (``changes``: field name → new value, any of ``PUPIL_FIELDS``;
    an empty ``bsn`` keeps the BSN). Returns the history entry, or None when nothing changed
    (then nothing is written). Refuses with ``EditError`` (per field), ``EditConflictError``
    (``version`` is not that of the stored values) or ``FormerPupilError``."""
    _unknown(changes, PUPIL_FIELDS)
    student = Student.objects.select_for_update().select_related("school").get(pk=student.pk)
    _former_check(student, channel)
    before = pupil_values(student)
    _version_check(version, before)
    after = _pupil_after(before, changes)
    errors = _pupil_errors(student, before, after, timezone.localdate())
    if errors:
        raise EditError(field_errors=errors)
    # A pupil's address that is (or was) a confidential guardian's: the child lives with that
    # parent, so the record keeps the field names only and shows to the school and that
    # parent alone, as a confirmed move of theirs does (issue 24).
    confidant = _confidential_guardian_of_move(student, before, after)
    record = change_record(
        actor=actor,
        subject=ChangeRecord.Subject.PUPIL,
        channel=channel,
        student=student,
        guardian=confidant,
        before=before,
        after=after,
        confidential=confidant is not None,
        hidden_fields=PUPIL_ADDRESS_FIELDS if confidant is not None else (),
        reason=reason,
        school_id=student.school_id,
    )
    if record is None:
        return None
    for name in record.fields:
        setattr(student, name, after[name])
    fields = list(record.fields)
    if "bsn" in fields:
        student.bsn_hash = lookup_hash(student.bsn)
        fields.append("bsn_hash")
    student.save(update_fields=fields)
    return record


# --- A guardian ----------------------------------------------------------------------------


def _guardian_errors(guardian: Guardian, after: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name in ("first_name", "surname"):
        if not after[name]:
            add(name, _("This field is required."))
    if not after["email"] and not after["phone"]:
        add(
            "phone",
            _("Enter a phone number or an email address, so the school can reach this parent."),
        )
    if after["phone"]:
        try:
            validate_phone(after["phone"])
        except ValidationError as error:
            add("phone", " ".join(str(m) for m in error.messages))
    if after["language"] not in dict(settings.LANGUAGES):
        add("language", _("Choose one of the options."))
    email = after["email"]
    if email and email != email_normalise(guardian.email):
        try:
            validate_email(email)
        except ValidationError:
            add("email", _("Enter a valid email address."))
        else:
            if Guardian.objects.filter(email__iexact=email).exclude(pk=guardian.pk).exists():
                add(
                    "email",
                    _(
                        "Two guardians cannot share one email address: this one belongs to "
                        "another guardian known to the school."
                    ),
                )
            elif (
                User.objects.filter(email__iexact=email)
                .exclude(Q(pk=guardian.user_id) if guardian.user_id else Q(pk__in=[]))
                .exists()
            ):
                add(
                    "email",
                    _("This email address belongs to another account in the portal."),
                )
    return errors


@transaction.atomic
def guardian_update(
    *,
    actor: User,
    guardian: Guardian,
    changes: Mapping[str, Any],
    channel: str,
    school_id: int | None = None,
    student: Student | None = None,
    version: str | None = None,
    reason: str = "",
) -> ChangeRecord | None:
    """Change a guardian's details (``changes``: any of ``GUARDIAN_FIELDS``), reached through
    the pupil ``student`` (refused when that pupil left, on the day-to-day channels). Their
    portal login stays as it is: the email address here is for the school's messages.
    ``school_id`` is the editor's school, for the audit event (a guardian's own data carries no
    pupil). Returns the history entry, or None when nothing changed."""
    _unknown(changes, GUARDIAN_FIELDS)
    if student is not None:
        Student.objects.select_for_update().filter(pk=student.pk).first()  # before the guardian
        _former_check(student, channel)
    guardian = Guardian.objects.select_for_update().get(pk=guardian.pk)
    before = guardian_values(guardian)
    _version_check(version, before)
    after = dict(before)
    for name, value in changes.items():
        if name == "contact_confidential":
            after[name] = bool(value)
        elif name == "email":
            after[name] = email_normalise(value or "")
        else:
            after[name] = (value or "").strip()
    if after["email"] == email_normalise(before["email"]):
        after["email"] = before["email"]  # the same address, written otherwise: no change
    errors = _guardian_errors(guardian, after)
    if errors:
        raise EditError(field_errors=errors)
    record = change_record(
        actor=actor,
        subject=ChangeRecord.Subject.GUARDIAN,
        channel=channel,
        guardian=guardian,
        before=before,
        after=after,
        confidential=bool(before["contact_confidential"] or after["contact_confidential"]),
        reason=reason,
        school_id=school_id,
    )
    if record is None:
        return None
    for name in record.fields:
        setattr(guardian, name, after[name])
    guardian.save(update_fields=list(record.fields))
    return record


# --- Emergency contacts --------------------------------------------------------------------


@transaction.atomic
def emergency_contacts_update(
    *,
    actor: User,
    student: Student,
    contacts: Sequence[EmergencyContactDetails],
    channel: str,
    version: str | None = None,
) -> bool:
    """Replace the pupil's emergency contacts (``emergency_contacts_replace``), refused on an
    out-of-date ``version`` or for a former pupil on the day-to-day channels. False when the
    list is the same (nothing written)."""
    student = Student.objects.select_for_update().get(pk=student.pk)
    _former_check(student, channel)
    _version_check(version, emergency_values(student))
    return emergency_contacts_replace(
        actor=actor, student=student, contacts=contacts, channel=channel
    )


# --- Opening an edit page (a read: an access event) -----------------------------------------


def student_open_for_edit(*, user, student_id) -> Student:
    """The pupil for the school's edit pages (``selectors.editing``); opening one is a read of
    the pupil's details, recorded as the pupil page's is."""
    student = student_for_edit(user=user, student_id=student_id)
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="student",
        object_id=student.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=DataKind.BASICS,
    )
    return student


def guardian_open_for_edit(*, user, student_id, guardian_id) -> Guardianship:
    """A guardian's link to a pupil for the edit page; the read of the guardian's details is
    recorded as about the guardian (no pupil id: a child's access log, which the other
    guardian reads, does not show it)."""
    link = guardian_link_for_edit(user=user, student_id=student_id, guardian_id=guardian_id)
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="guardian",
        object_id=link.guardian_id,
        school_id=link.student.school_id,
        data_kind=DataKind.BASICS,
    )
    return link
