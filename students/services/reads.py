"""Reads that leave evidence: opening a pupil, or one kind of a pupil's records, for a user.

Each open is exactly one access event: the selectors decide who reaches the pupil and record a
refusal (403 or 404); these services record the read itself, flagged special-category for care
data and religion, and return what the selectors found. No transaction of their own: the
event commits with the request, as the reads it describes.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts.constants import Function
from audit.constants import Action, DataKind
from audit.services import event_record

from ..models import CareRecord, Placement, ProgressRecord, ReligionRecord, Student
from ..selectors.pupils import children_of, not_found, parse_id, students_visible_to
from ..selectors.records import (
    AccessLogEntry,
    Reach,
    access_log_entries,
    care_records_within,
    reach_for,
)


def _opened(*, user, student: Student, data_kind: DataKind, object_type: str, object_id="") -> None:
    event_record(
        user=user,
        action=Action.VIEW,
        object_type=object_type,
        object_id=object_id or student.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=data_kind,
    )


def student_open_for(*, user, student_id, with_history: bool = False) -> Student:
    """One pupil in the user's scope, or Http404. Every look is an access event.
    ``with_history`` also fetches the group history (``placements``, newest first)."""
    pk = parse_id(student_id)
    student = None
    if pk is not None:
        qs = students_visible_to(user, include_former=True)
        if with_history:
            qs = qs.prefetch_related(
                Prefetch(
                    "placements",
                    queryset=Placement.objects.select_related("group").order_by("-started_on"),
                ),
            )
        # No ordering (neither first()'s nor the model's): a one-row lookup needs none.
        student = next(iter(qs.filter(pk=pk).order_by()), None)
    if student is None:
        raise not_found(
            user=user,
            object_type="student",
            raw_id=student_id,
            student_id=pk,
            data_kind=DataKind.BASICS,
        )
    _opened(user=user, student=student, data_kind=DataKind.BASICS, object_type="student")
    return student


def child_open_for(*, user, student_id) -> Student:
    """One of a guardian's own children, or Http404; every look is an access event."""
    pk = parse_id(student_id)
    student = children_of(user).filter(pk=pk).first() if pk is not None else None
    if student is None:
        raise not_found(
            user=user,
            object_type="student",
            raw_id=student_id,
            student_id=pk,
            data_kind=DataKind.BASICS,
        )
    _opened(user=user, student=student, data_kind=DataKind.BASICS, object_type="student")
    return student


def progress_open_for(*, user, student_id) -> tuple[Student, QuerySet[ProgressRecord]]:
    """A pupil's progress records: school staff with the function, the group's teachers and
    the pupil's guardians (with or without authority)."""
    reach = reach_for(
        user=user,
        student_id=student_id,
        function=Function.VIEW_PROGRESS,
        data_kind=DataKind.PROGRESS,
        school_perm="view_school_progress",
        group_perm="view_group_progress",
        guardian_needs_authority=False,
    )
    _opened(user=user, student=reach.student, data_kind=DataKind.PROGRESS, object_type="progress")
    records = ProgressRecord.objects.filter(student=reach.student).select_related(
        "recorded_by", "group"
    )
    return reach.student, records


def care_records_open_for(*, user, student_id) -> tuple[Student, list[CareRecord], Reach]:
    """A pupil's care file as this user may see it; one special-category event per read,
    also when the file is empty and when access is denied."""
    reach = reach_for(
        user=user,
        student_id=student_id,
        function=Function.VIEW_CARE,
        data_kind=DataKind.CARE,
        school_perm="view_school_care",
        group_perm="view_group_care",
    )
    _opened(user=user, student=reach.student, data_kind=DataKind.CARE, object_type="care_file")
    return reach.student, list(care_records_within(reach)), reach


def care_record_open_for(*, user, student_id, record_id) -> tuple[Student, CareRecord, Reach]:
    """One care record; 404 when it is outside what this user may see (for a teacher: a
    record for the care team only; for a guardian: a withheld record)."""
    reach = reach_for(
        user=user,
        student_id=student_id,
        function=Function.VIEW_CARE,
        data_kind=DataKind.CARE,
        school_perm="view_school_care",
        group_perm="view_group_care",
    )
    rid = parse_id(record_id)
    record = care_records_within(reach).filter(pk=rid).first() if rid else None
    if record is None:
        raise not_found(
            user=user,
            object_type="care_record",
            raw_id=record_id,
            student_id=reach.student.pk,
            data_kind=DataKind.CARE,
        )
    _opened(
        user=user,
        student=reach.student,
        data_kind=DataKind.CARE,
        object_type="care_record",
        object_id=record.pk,
    )
    return reach.student, record, reach


def religion_open_for(*, user, student_id) -> tuple[Student, ReligionRecord | None]:
    """A pupil's religion entry (None: nobody asked); director, administration and guardians
    with authority. One special-category event per read."""
    reach = reach_for(
        user=user,
        student_id=student_id,
        function=Function.VIEW_RELIGION,
        data_kind=DataKind.RELIGION,
        school_perm="view_school_religion",
    )
    _opened(user=user, student=reach.student, data_kind=DataKind.RELIGION, object_type="religion")
    return reach.student, ReligionRecord.objects.filter(student=reach.student).first()


def access_log_open_for(*, user, student_id) -> tuple[Student, list[AccessLogEntry]]:
    """Who (by role, never by name) looked at a pupil's data in the last 12 months.

    Guardians with authority see the school's reads of their child; the director and the
    privacy officer see every event of the pupil.
    """
    reach = reach_for(
        user=user,
        student_id=student_id,
        function=Function.VIEW_ACCESS_LOG,
        data_kind=DataKind.AUDIT,
        school_perm="view_school_audit",
    )
    _opened(user=user, student=reach.student, data_kind=DataKind.AUDIT, object_type="access_log")
    return reach.student, access_log_entries(
        student=reach.student, for_guardians=reach.level == "guardian"
    )
