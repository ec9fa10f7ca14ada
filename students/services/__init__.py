"""Writes and workflows (HackSoft style): keyword-only, typed, atomic. See pupils.py, records.py."""

from .permissions import permission_rows_sync, permissions_sync
from .pupils import (
    group_school_year_current,
    guardian_authority_set,
    guardian_link,
    privacy_officer_assign_to_board,
    role_grant,
    school_create,
    staff_assign_to_school,
    student_enrol,
    student_move,
    student_withdraw,
    teacher_assign_to_group,
    teacher_periods_sync,
    teacher_remove_from_group,
)
from .records import (
    care_record_create,
    care_record_update,
    care_withhold_decide,
    care_withhold_request,
    progress_record_add,
    religion_clear,
    religion_set,
)

__all__ = [
    "care_record_create",
    "care_record_update",
    "care_withhold_decide",
    "care_withhold_request",
    "group_school_year_current",
    "guardian_authority_set",
    "guardian_link",
    "permission_rows_sync",
    "permissions_sync",
    "privacy_officer_assign_to_board",
    "progress_record_add",
    "religion_clear",
    "religion_set",
    "role_grant",
    "school_create",
    "staff_assign_to_school",
    "student_enrol",
    "student_move",
    "student_withdraw",
    "teacher_assign_to_group",
    "teacher_periods_sync",
    "teacher_remove_from_group",
]
