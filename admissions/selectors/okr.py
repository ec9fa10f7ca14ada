"""Reads for the education report: the leaving of a pupil the user handles (director and
administration of the school), and a former child's sent report for their guardians. 404 for
missing and out of scope alike; 403 for a role without the function or a guardian without
parental authority (each refusal an access event)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.constants import Function
from audit.constants import DataKind
from students.models import CareRecord, Guardianship, ProgressRecord, Student
from students.selectors import (
    children_of,
    function_require,
    not_allowed,
    not_found,
    parse_id,
    school_ids_with,
)

from ..constants import ReportStatus
from ..models import Departure, EducationReport


def departure_for_report(*, user, student_id) -> Departure:
    """The leaving of a pupil of a school where the user handles admissions."""
    function_require(
        user=user,
        function=Function.HANDLE_APPLICATIONS,
        object_type="education_report",
        object_id=student_id,
        data_kind=DataKind.BASICS,
        student_id=parse_id(student_id),
    )
    pk = parse_id(student_id)
    departure = (
        Departure.objects.filter(
            student_id=pk,
            student__school_id__in=school_ids_with(user, "handle_school_applications"),
        )
        .select_related("student__school__board", "education_report")
        .first()
        if pk
        else None
    )
    if departure is None:
        raise not_found(
            user=user,
            object_type="education_report",
            raw_id=student_id,
            student_id=pk,
            data_kind=DataKind.BASICS,
        )
    return departure


def report_of(departure: Departure) -> EducationReport | None:
    return (
        EducationReport.objects.filter(departure=departure)
        .select_related("sent_by", "prepared_by", "parents_view_by")
        .first()
    )


def progress_for_report(*, student: Student) -> QuerySet[ProgressRecord]:
    """The pupil's results to choose from (a reader's scope is checked by the caller)."""
    return ProgressRecord.objects.filter(student=student).order_by("recorded_at", "id")


def care_records_for_marking(records: list[CareRecord]) -> list[CareRecord]:
    """Of a care file the director opened: the records that may go with the report. A record
    withheld from the guardians never does, so it is not even offered."""
    return [record for record in records if not record.is_withheld]


def child_report_for(*, user, student_id) -> EducationReport:
    """The sent report of a guardian's own (former) child: 404 when there is none or the
    child is not theirs, 403 for a guardian without parental authority."""
    function_require(
        user=user,
        function=Function.VIEW_OWN_CHILDREN,
        object_type="education_report",
        object_id=student_id,
        data_kind=DataKind.BASICS,
        student_id=parse_id(student_id),
    )
    pk = parse_id(student_id)
    student = children_of(user).filter(pk=pk).first() if pk else None
    report = (
        EducationReport.objects.filter(departure__student=student, status=ReportStatus.SENT)
        .select_related("departure__student__school", "departure__education_report")
        .first()
        if student is not None
        else None
    )
    if student is None or report is None:
        raise not_found(
            user=user,
            object_type="education_report",
            raw_id=student_id,
            student_id=pk,
            data_kind=DataKind.BASICS,
        )
    if not Guardianship.objects.filter(
        guardian__user_id=user.pk, student=student, has_authority=True
    ).exists():
        raise not_allowed(
            user=user,
            object_type="education_report",
            object_id=student.pk,
            student_id=student.pk,
            school_id=student.school_id,
            data_kind=DataKind.BASICS,
        )
    return report
