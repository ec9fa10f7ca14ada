"""The suppliers' erasure handlers (registered in ``suppliers/apps.py``, called through
``students/erasure.py``).

- When a pupil is anonymised, the links between disclosures and the pupil go, and the stored
  export files that hold the pupil with them; the disclosure evidence itself stays.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from students import erasure
from students.models import Student

from .models import DisclosedPupil, Export


def _export_files_remove(student: Student) -> int:
    """Stored export files that hold this pupil go; the disclosure evidence stays."""
    exports = Export.objects.filter(disclosure__links__student=student).exclude(file="")
    removed = 0
    for export in exports:
        erasure.files_delete_on_commit([export.file])
        Export.objects.filter(pk=export.pk).update(file="")
        removed += 1
    return removed


def disclosures_unlink(students: Sequence[Student], action: str) -> dict[int, int]:
    counts = {}
    for student in students:
        # The export files are found through the disclosure links: remove them first.
        removed = _export_files_remove(student)
        removed += DisclosedPupil.objects.filter(student=student).delete()[0]
        counts[student.pk] = removed
    return counts


def erasure_handlers_register() -> None:
    erasure.handler_register(erasure.ENROLMENT, "disclosures", disclosures_unlink, order=20)
    erasure.kept_register(
        "disclosures",
        _("Data sent outside the school"),
        _("The school must be able to account for every disclosure."),
        order=40,
    )
