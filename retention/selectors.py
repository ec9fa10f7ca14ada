"""Reads for retention: the director's own school (preview, rules, holds, runs), the board's
privacy officer every school of the board, read only, and the board's log policy, which only
the privacy officer sets. Out of scope 404, no function 403."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet

from accounts.constants import Function
from audit.constants import DataKind
from students.models import Board, School, Student
from students.selectors import function_require, not_found, school_ids_with, scoped_get

from .constants import Category
from .models import (
    BoardLogPolicy,
    ErasureRecord,
    LegalHold,
    LogPolicyChange,
    RetentionRule,
    RetentionRun,
    RuleChange,
)


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


def rule_category_for_manage(*, user, school_id, category) -> tuple[School, str]:
    """A school where the user manages retention, and one of the rule categories: 403 without
    the function, 404 for another school or a category that does not exist."""
    school = school_for_manage(user=user, school_id=school_id)
    if category not in Category.values:
        raise not_found(
            user=user, object_type="retention_rule", raw_id=category, data_kind=DataKind.SCHOOL
        )
    return school, category


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


def rule_changes_of(*, school: School) -> QuerySet[RuleChange]:
    """The changes of the school's rules, newest first."""
    return RuleChange.objects.filter(rule__school=school).select_related("rule", "changed_by")


# --- The board's log policy ------------------------------------------------------------------


def _log_policy_boards(user) -> QuerySet[Board]:
    # A board's privacy officer holds the retention permission on every school of the board; a
    # director (also when she holds another role elsewhere) only on her own school.
    mine = school_ids_with(user, "view_school_retention")
    return (
        Board.objects.annotate(
            school_count=Count("schools", distinct=True),
            held=Count("schools", filter=Q(schools__pk__in=mine), distinct=True),
        )
        .filter(held__gt=0, held=F("school_count"))
        .order_by("name")
    )


def log_policy_boards_for(user) -> QuerySet[Board]:
    """The boards whose access-event period this user sets (privacy officer); 403 for a role
    without the function, the director included."""
    function_require(
        user=user,
        function=Function.SET_LOG_POLICY,
        object_type="retention_log_policy",
        data_kind=DataKind.AUDIT,
    )
    return _log_policy_boards(user)


def log_policy_boards_of(user) -> list[Board]:
    """``log_policy_boards_for`` without refusing: the boards to link to from a page."""
    if not user.has_function(Function.SET_LOG_POLICY):
        return []
    return list(_log_policy_boards(user))


def log_policy_board_for(*, user, board_id) -> Board:
    return scoped_get(
        user=user,
        queryset=log_policy_boards_for(user),
        raw_id=board_id,
        object_type="retention_log_policy",
        data_kind=DataKind.AUDIT,
    )


def log_policy_of(*, board: Board) -> BoardLogPolicy | None:
    """The saved policy (who changed it last, when), or None while the default applies."""
    return BoardLogPolicy.objects.filter(board=board).select_related("updated_by").first()


def log_policy_changes_of(*, board: Board) -> QuerySet[LogPolicyChange]:
    return LogPolicyChange.objects.filter(policy__board=board).select_related("changed_by")
