"""The education report's share of a pupil's file when retention removes it: the report with
its summary, its marked care records and the document sent (removed from storage after the
commit), and the parents' view on it. The disclosure's evidence stays with suppliers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from students import erasure

from .models import Departure, EducationReport

if TYPE_CHECKING:
    from students.models import Student


def education_reports_erase(students: Sequence[Student], action: str) -> dict[int, int]:
    ids = [student.pk for student in students]
    reports = list(
        EducationReport.objects.filter(departure__student_id__in=ids).select_related("departure")
    )
    erasure.files_delete_on_commit(report.document for report in reports)
    counts = {report.departure.student_id: 1 for report in reports}
    EducationReport.objects.filter(pk__in=[report.pk for report in reports]).delete()
    Departure.objects.filter(student_id__in=ids).exclude(parents_view="").update(parents_view="")
    return counts


def erasure_handlers_register() -> None:
    # Before the care records and results it points at (order 10 and 30 in the core).
    erasure.handler_register(
        erasure.PUPIL_FILE, "education_report", education_reports_erase, order=5
    )
