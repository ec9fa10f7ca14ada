"""Reads for retention: the director's own school (preview, rules, holds, runs), the board's
privacy officer every school of the board, read only. Out of scope 404, no function 403."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.constants import Function
from audit.constants import DataKind
from students.models import School, Student
from students.selectors import function_require, school_ids_with, scoped_get

from .models import ErasureRecord, LegalHold, RetentionRule, RetentionRun


def retention_schools_for(user) -> QuerySet[School]:
    function_require(
        user=user,
        function=Function.VIEW_RETENTION,
        object_type="retention",
        data_kind=DataKind.SCHOOL,
    )
    return School.objects.filter(pk__in=school_ids_with(user, "view_school_retention")).order_by(
        "name"
    )


def retention_school_for(*, user, school_id=None) -> School:
    """The school asked for (``?school=``), or the caller's first one."""
    schools = retention_schools_for(user)
    if school_id in (None, ""):
        school = schools.first()
        if school is None:
            return _school_get(user, schools, 0)
        return school
    return _school_get(user, schools, school_id)


def _school_get(user, schools, raw_id) -> School:
    return scoped_get(
        user=user, queryset=schools, raw_id=raw_id, object_type="school", data_kind=DataKind.SCHOOL
    )


def rule_for_manage(*, user, rule_id) -> RetentionRule:
    return scoped_get(
        user=user,
        queryset=RetentionRule.objects.filter(
            school_id__in=school_ids_with(user, "manage_school_retention")
        ),
        raw_id=rule_id,
        object_type="retention_rule",
        function=Function.MANAGE_RETENTION,
        data_kind=DataKind.SCHOOL,
    )


def school_for_manage(*, user, school_id) -> School:
    return scoped_get(
        user=user,
        queryset=School.objects.filter(pk__in=school_ids_with(user, "manage_school_retention")),
        raw_id=school_id,
        object_type="school",
        function=Function.MANAGE_RETENTION,
        data_kind=DataKind.SCHOOL,
    )


def student_for_hold(*, user, student_id) -> Student:
    """A pupil (enrolled or former, not yet a tombstone) of a school where the user manages
    retention."""
    return scoped_get(
        user=user,
        queryset=Student.objects.filter(
            school_id__in=school_ids_with(user, "manage_school_retention"),
            anonymised_at__isnull=True,
        ),
        raw_id=student_id,
        object_type="legal_hold",
        function=Function.MANAGE_RETENTION,
        data_kind=DataKind.BASICS,
    )


def hold_for_lift(*, user, hold_id) -> LegalHold:
    return scoped_get(
        user=user,
        queryset=LegalHold.objects.filter(
            student__school_id__in=school_ids_with(user, "manage_school_retention"),
            lifted_at__isnull=True,
        ).select_related("student"),
        raw_id=hold_id,
        object_type="legal_hold",
        function=Function.MANAGE_RETENTION,
        data_kind=DataKind.BASICS,
    )


def runs_for(*, school: School) -> QuerySet[RetentionRun]:
    return RetentionRun.objects.filter(school=school).select_related("started_by")


def run_get_for(*, user, run_id) -> RetentionRun:
    return scoped_get(
        user=user,
        queryset=RetentionRun.objects.filter(
            school_id__in=school_ids_with(user, "view_school_retention")
        ).select_related("school", "started_by"),
        raw_id=run_id,
        object_type="retention_run",
        function=Function.VIEW_RETENTION,
        data_kind=DataKind.SCHOOL,
    )


def tombstones_of_run(run: RetentionRun) -> QuerySet[ErasureRecord]:
    return ErasureRecord.objects.filter(run=run).order_by("student_id", "id")


def holds_of(*, school: School) -> QuerySet[LegalHold]:
    return (
        LegalHold.objects.filter(student__school=school)
        .select_related("student", "placed_by", "lifted_by")
        .order_by("lifted_at", "-placed_at")
    )
