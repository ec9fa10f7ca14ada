"""Corrections of a pupil's basic data, and restrictions and objections on its processing."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record

from ..constants import LimitKind, Sex
from ..exceptions import StudentError
from ..models import ProcessingLimit, Student

# Basic data that can be corrected through this service, with how a value is parsed.
CORRECTABLE = (
    "given_name",
    "first_names",
    "surname_prefix",
    "surname",
    "date_of_birth",
    "sex",
    "street",
    "house_number",
    "postal_code",
    "city",
)
REQUIRED = frozenset({"given_name", "first_names", "surname", "date_of_birth", "sex"})


class CorrectionError(StudentError):
    default_message = _("This value cannot be used.")


def correction_value_parse(field: str, raw: str):
    """The typed value for a field, or CorrectionError with a clear reason."""
    if field not in CORRECTABLE:
        raise CorrectionError(_("This data cannot be corrected automatically."))
    value = (raw or "").strip()
    if not value and field in REQUIRED:
        raise CorrectionError(_("This data cannot be empty."))
    model_field = Student._meta.get_field(field)
    if not isinstance(model_field, models.Field):  # CORRECTABLE names the pupil's own columns
        raise TypeError(f"Student.{field} is not a field of its own.")
    if field == "date_of_birth":
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError as exc:
            raise CorrectionError(_("Give the date as YYYY-MM-DD, e.g. 2018-03-14.")) from exc
        if not datetime.date(2000, 1, 1) <= day <= timezone.localdate():
            raise CorrectionError(_("This date of birth is not plausible."))
        return day
    if field == "sex":
        return _sex_parse(value)
    if field == "postal_code":
        compact = value.replace(" ", "").upper()
        if not (len(compact) == 6 and compact[:4].isdigit() and compact[4:].isalpha()):
            raise CorrectionError(_("A Dutch postal code looks like 1234 AB."))
        return f"{compact[:4]} {compact[4:]}"
    try:
        model_field.clean(value, None)
    except ValidationError as exc:
        raise CorrectionError(" ".join(exc.messages)) from exc
    return value


def _sex_parse(value: str) -> str:
    """A code (F, M, X; V for vrouw) or a label in either language ("meisje", "female")."""
    from django.utils import translation

    words = {code: code for code in Sex.values} | {"V": Sex.FEMALE}
    words |= {"MEISJE": Sex.FEMALE, "JONGEN": Sex.MALE, "GIRL": Sex.FEMALE, "BOY": Sex.MALE}
    for language in ("nl", "en"):
        with translation.override(language):
            words |= {str(label).upper(): code for code, label in Sex.choices}
    code = words.get(value.upper())
    if code is None:
        labels = ", ".join(str(label) for _code, label in Sex.choices)
        raise CorrectionError(_("Use one of: %(choices)s.") % {"choices": labels})
    return code


def current_value(student: Student, field: str) -> str:
    value = getattr(student, field)
    return value.isoformat() if isinstance(value, datetime.date) else str(value or "")


@transaction.atomic
def student_details_correct(*, actor: User, student: Student, field: str, raw_value: str) -> str:
    """Apply one correction of basic data; returns the old value. Audited like any edit."""
    value = correction_value_parse(field, raw_value)
    locked = Student.objects.select_for_update().get(pk=student.pk)
    if field == "date_of_birth" and locked.enrolled_on < value:
        raise CorrectionError(_("The date of birth cannot be after the enrolment date."))
    old = current_value(locked, field)
    setattr(locked, field, value)
    locked.save(update_fields=[field])
    event_record(
        user=actor,
        action=Action.UPDATE,
        object_type="student",
        object_id=locked.pk,
        student_id=locked.pk,
        school_id=locked.school_id,
        data_kind=DataKind.BASICS,
    )
    return old


def _restricted_flag_sync(student_id: int) -> None:
    """Keep the pupil's flag in step: set while a restriction of all data is in force."""
    whole = any(
        not limit.categories
        for limit in ProcessingLimit.objects.active().filter(
            student_id=student_id, kind=LimitKind.RESTRICTION
        )
    )
    Student.objects.filter(pk=student_id).update(processing_restricted=whole)


@transaction.atomic
def processing_limit_start(
    *,
    actor: User,
    student: Student,
    kind: LimitKind,
    categories: list[str] | None = None,
    purpose_codes: list[str] | None = None,
    request_id: int | None = None,
    reason: str = "",
) -> ProcessingLimit:
    Student.objects.select_for_update().filter(pk=student.pk).first()
    limit = ProcessingLimit.objects.create(
        student=student,
        kind=kind,
        categories=sorted(categories or []) if kind == LimitKind.RESTRICTION else [],
        purpose_codes=sorted(purpose_codes or []) if kind == LimitKind.OBJECTION else [],
        request_id=request_id,
        reason=reason,
        started_by=actor,
    )
    _restricted_flag_sync(student.pk)
    event_record(
        user=actor,
        action=Action.CREATE,
        object_type="processing_limit",
        object_id=limit.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=DataKind.BASICS,
    )
    return limit


@transaction.atomic
def processing_limit_lift(*, actor: User, limit: ProcessingLimit, reason: str) -> ProcessingLimit:
    limit = ProcessingLimit.objects.select_for_update().get(pk=limit.pk)
    if limit.lifted_at is not None:
        raise StudentError(_("This restriction or objection has already been lifted."))
    if not reason.strip():
        raise StudentError(_("Give the reason for lifting it."))
    limit.lifted_at = timezone.now()
    limit.lifted_by = actor
    limit.lift_reason = reason.strip()
    limit.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    _restricted_flag_sync(limit.student_id)
    event_record(
        user=actor,
        action=Action.UPDATE,
        object_type="processing_limit",
        object_id=limit.pk,
        student_id=limit.student_id,
        school_id=Student.objects.filter(pk=limit.student_id).values_list("school_id").get()[0],
        data_kind=DataKind.BASICS,
    )
    return limit
