"""Erasure on request (AVG art. 17): remove the categories the director approved, keep what the
law requires, and say which is which.

This is the one place that erases a pupil's data on request; the retention module takes it over
for periods that end. The pupil row itself is never deleted (DESIGN rule 4): basic and
enrolment data stay as long as the school must keep them.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from consent.models import Publication
from students.constants import WITHHELD_STATUSES
from students.models import CareRecord, ProgressRecord, ReligionRecord, Student

from .constants import ErasureCategory


def always_kept() -> list[dict]:
    """What an erasure request cannot take away, and why (DOMAIN.md)."""
    return [
        {
            "category": _("Name, date of birth, BSN, enrolment and withdrawal data"),
            "reason": _(
                "The school must keep these for funding, DUO and the attendance rules until "
                "5 years after the pupil leaves."
            ),
        },
        {
            "category": _("Consent decisions"),
            "reason": _("The school must be able to prove what was agreed (AVG art. 7)."),
        },
        {
            "category": _("Record of who looked at the data"),
            "reason": _("Security logging the school board is required to keep."),
        },
        {
            "category": _("Data sent outside the school"),
            "reason": _("The school must be able to account for every disclosure."),
        },
    ]


def _event(actor: User, student: Student, object_type: str, data_kind: str, count: int) -> None:
    event_record(
        user=actor,
        action=Action.DELETE,
        object_type=object_type,
        object_id=count,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=data_kind,
    )


@transaction.atomic
def erase_categories(*, actor: User, student: Student, categories: list[str]) -> dict[str, int]:
    """Erase the chosen categories of one pupil in one transaction; returns a count per
    category. A care record withheld from guardians under the Meldcode is never erased on a
    guardian's request (child protection, AVG art. 23): it stays, unmentioned."""
    student = Student.objects.select_for_update().get(pk=student.pk)
    counts: dict[str, int] = {}
    for category in categories:
        if category == ErasureCategory.RELIGION:
            counts[category], _rows = ReligionRecord.objects.filter(student=student).delete()
            _event(actor, student, "religion", DataKind.RELIGION, counts[category])
        elif category == ErasureCategory.CARE:
            counts[category], _rows = (
                CareRecord.objects.filter(student=student)
                .exclude(withhold_status__in=WITHHELD_STATUSES)
                .delete()
            )
            _event(actor, student, "care_record", DataKind.CARE, counts[category])
        elif category == ErasureCategory.PROGRESS:
            counts[category], _rows = ProgressRecord.objects.filter(student=student).delete()
            _event(actor, student, "progress", DataKind.PROGRESS, counts[category])
        elif category == ErasureCategory.PUBLICATIONS:
            through = Publication.pupils.through
            counts[category], _rows = through.objects.filter(student_id=student.pk).delete()
            _event(actor, student, "publication", DataKind.CONSENT, counts[category])
        elif category == ErasureCategory.CONTACT:
            fields = ("street", "house_number", "postal_code", "city")
            counts[category] = int(any(getattr(student, f) for f in fields))
            for name in fields:
                setattr(student, name, "")
            student.save(update_fields=list(fields))
            _event(actor, student, "student", DataKind.BASICS, counts[category])
        else:
            raise ValueError(f"unknown erasure category {category!r}")
    return counts
