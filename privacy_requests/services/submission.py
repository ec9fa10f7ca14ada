"""Submitting a request: online by a guardian with authority, or registered from paper."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.constants import Action
from consent.models import ConsentPurpose
from students.attributes import DataCategory
from students.models import Guardian, Guardianship, Student
from students.services.limits import (
    CorrectionError,
    correction_value_parse,
)

from ..constants import (
    OPEN_STATUSES,
    ActorKind,
    Channel,
    CorrectableField,
    ErasureCategory,
    IdentityCheck,
    Kind,
    Step,
)
from ..deadlines import due_date_for
from ..models import PrivacyRequest
from .common import DESCRIPTION_MAX, RequestError, _event, _notify, _step


def request_fields_check(
    *,
    school_id: int,
    kind: str,
    description: str,
    correction_field: str = "",
    correction_value: str = "",
    categories: list[str] | None = None,
    purpose_codes: list[str] | None = None,
) -> dict[str, list[str]]:
    """Every problem with a submission, per field, in plain words (empty when it is fine)."""
    errors: dict[str, list[str]] = {}
    if kind not in Kind.values:
        errors["kind"] = [_("Choose what you are asking for.")]
    text = (description or "").strip()
    if not text:
        errors["description"] = [_("Describe your request in a few words.")]
    elif len(text) > DESCRIPTION_MAX:
        errors["description"] = [
            _("Keep the description under %(max)s characters.") % {"max": DESCRIPTION_MAX}
        ]
    if kind == Kind.CORRECTION:
        if correction_field not in CorrectableField.values:
            errors["correction_field"] = [_("Choose which data is wrong.")]
        elif correction_field != CorrectableField.OTHER:
            try:
                correction_value_parse(correction_field, correction_value)
            except CorrectionError as exc:
                errors["correction_value"] = [str(exc.message)]
    elif correction_field or correction_value:
        errors["correction_field"] = [_("Only a correction request names data to correct.")]
    unknown = set(categories or []) - set(
        DataCategory.values if kind == Kind.RESTRICTION else ErasureCategory.values
    )
    if categories and kind not in (Kind.RESTRICTION, Kind.ERASURE):
        errors["categories"] = [_("Only a restriction or erasure names data categories.")]
    elif unknown:
        errors["categories"] = [_("Unknown data category: %(c)s") % {"c": ", ".join(unknown)}]
    if purpose_codes:
        if kind != Kind.OBJECTION:
            errors["purpose_codes"] = [_("Only an objection names consent purposes.")]
        else:
            known = set(
                ConsentPurpose.objects.filter(school_id=school_id).values_list("code", flat=True)
            )
            if set(purpose_codes) - known:
                errors["purpose_codes"] = [_("Choose purposes of your child's school.")]
    return errors


def _create(
    *,
    user: User,
    student: Student,
    guardian: Guardian,
    channel: Channel,
    identity_check: str,  # an IdentityCheck value
    received_on: datetime.date,
    kind: str,
    description: str,
    correction_field: str,
    correction_value: str,
    categories: list[str] | None,
    purpose_codes: list[str] | None,
    language: str,
) -> PrivacyRequest:
    errors = request_fields_check(
        school_id=student.school_id,
        kind=kind,
        description=description,
        correction_field=correction_field,
        correction_value=correction_value,
        categories=categories,
        purpose_codes=purpose_codes,
    )
    if errors:
        raise RequestError(" ".join(str(m) for messages in errors.values() for m in messages))
    asked = {
        "kind": kind,
        "description": description.strip(),
        "correction_field": correction_field if kind == Kind.CORRECTION else "",
        "correction_value": (correction_value or "").strip() if kind == Kind.CORRECTION else "",
        "categories": sorted(set(categories or [])),
        "purpose_codes": sorted(set(purpose_codes or [])),
    }
    # The same request twice (a double click, a resent form) is one request; the same words
    # naming other data, categories or purposes are another request.
    Student.objects.select_for_update().filter(pk=student.pk).first()
    for duplicate in PrivacyRequest.objects.filter(
        student=student, guardian=guardian, status__in=OPEN_STATUSES, kind=kind
    ):
        if all(getattr(duplicate, name) == value for name, value in asked.items()):
            return duplicate
    request = PrivacyRequest.objects.create(
        school_id=student.school_id,
        student=student,
        guardian=guardian,
        submitted_by=user,
        channel=channel,
        identity_check=identity_check,
        **asked,
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        received_on=received_on,
        due_date=due_date_for(received_on),
    )
    # Online the guardian submits it; a letter is typed in by the school.
    kind = ActorKind.GUARDIAN if channel == Channel.PORTAL else ActorKind.SCHOOL
    _step(request, Step.RECEIVED, user, note=request.get_channel_display(), kind=kind)
    _event(user, request, Action.CREATE)
    _notify(request.pk, "received")
    return request


@transaction.atomic
def request_submit(
    *,
    user: User,
    student: Student,
    guardian: Guardian,
    kind: str,
    description: str,
    correction_field: str = "",
    correction_value: str = "",
    categories: list[str] | None = None,
    purpose_codes: list[str] | None = None,
) -> PrivacyRequest:
    """A guardian with authority asks online; a logged-in verified account is their identity.
    Their language becomes the language of every letter about the request."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    language = language.split("-")[0]
    if guardian.language != language and language in dict(settings.LANGUAGES):
        guardian.language = language
        guardian.save(update_fields=["language"])
    return _create(
        user=user,
        student=student,
        guardian=guardian,
        channel=Channel.PORTAL,
        identity_check=IdentityCheck.PORTAL_ACCOUNT,
        received_on=timezone.localdate(),
        kind=kind,
        description=description,
        correction_field=correction_field,
        correction_value=correction_value,
        categories=categories,
        purpose_codes=purpose_codes,
        language=language,
    )


@transaction.atomic
def request_register(
    *,
    user: User,
    student: Student,
    guardian: Guardian,
    identity_check: str,
    received_on: datetime.date,
    kind: str,
    description: str,
    correction_field: str = "",
    correction_value: str = "",
    categories: list[str] | None = None,
    purpose_codes: list[str] | None = None,
) -> PrivacyRequest:
    """Staff register a request that came in on paper, with how they verified the identity.
    The deadline runs from the day it was received, not the day it was typed in."""
    if identity_check not in IdentityCheck.values or identity_check == (
        IdentityCheck.PORTAL_ACCOUNT
    ):
        raise RequestError(_("Say how the requester's identity was verified."))
    if received_on > timezone.localdate():
        raise RequestError(_("The date of receipt cannot be in the future."))
    if received_on < timezone.localdate() - datetime.timedelta(days=31):
        raise RequestError(_("The date of receipt is more than a month ago: check the date."))
    link = Guardianship.objects.filter(student=student, guardian=guardian).first()
    if link is None or not link.has_authority:
        raise RequestError(_("Only a guardian with parental authority can make this request."))
    return _create(
        user=user,
        student=student,
        guardian=guardian,
        channel=Channel.PAPER,
        identity_check=identity_check,
        received_on=received_on,
        kind=kind,
        description=description,
        correction_field=correction_field,
        correction_value=correction_value,
        categories=categories,
        purpose_codes=purpose_codes,
        language=guardian.language,
    )
