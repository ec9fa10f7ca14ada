"""Who may edit a pupil's and a guardian's data: the function ``MANAGE_PUPILS`` (director,
administration) and the school permission ``manage_school_pupils`` on the pupil's school, as
for enrolment. 403 without the function, 404 for a pupil missing or at another school (each
refusal an access event); former pupils are found (their page says why they cannot be
changed), anonymised ones are nobody."""

from __future__ import annotations

from accounts.constants import Function
from audit.constants import DataKind

from ..models import Guardianship, Student
from .pupils import guardianship_for_manage, school_ids_with, scoped_get


def students_for_edit(user):
    return Student.objects.filter(
        school_id__in=school_ids_with(user, "manage_school_pupils"), anonymised_at__isnull=True
    ).select_related("school", "group")


def student_for_edit(*, user, student_id) -> Student:
    return scoped_get(
        user=user,
        queryset=students_for_edit(user),
        raw_id=student_id,
        object_type="student",
        function=Function.MANAGE_PUPILS,
        data_kind=DataKind.BASICS,
    )


def guardian_link_for_edit(*, user, student_id, guardian_id) -> Guardianship:
    """A guardian of a pupil this user may edit, reached through that pupil (an anonymised
    pupil has no guardians left)."""
    return guardianship_for_manage(user=user, student_id=student_id, guardian_id=guardian_id)


def may_edit(user, student: Student) -> bool:
    """Whether to offer the edit links on the pupil page (each page checks again itself)."""
    return user.has_function(Function.MANAGE_PUPILS) and (
        students_for_edit(user).filter(pk=student.pk).exists()
    )
