"""Who reaches a pupil's leaving: the administration and the director of the school (the
function MANAGE_PUPILS and the school permission manage_school_pupils, as for enrolment), and
for the proof of withdrawal a parent with parental authority of the former pupil."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.constants import Function
from audit.constants import DataKind
from students.models import Guardianship, Student
from students.selectors import (
    function_require,
    not_found,
    parse_id,
    school_ids_with,
    scoped_get,
)

from ..models import Departure


def students_for_leaving(user) -> QuerySet[Student]:
    """The pupils, enrolled and former, of the schools where this user manages pupils (a
    tombstone left by retention is nobody)."""
    return Student.objects.filter(
        school_id__in=school_ids_with(user, "manage_school_pupils"), anonymised_at__isnull=True
    ).select_related("school", "group")


def student_for_leaving(*, user, student_id) -> Student:
    """A pupil of this user's school, for recording or reading their leaving: 403 without the
    function, 404 for missing and out of scope (each refusal an access event)."""
    return scoped_get(
        user=user,
        queryset=students_for_leaving(user),
        raw_id=student_id,
        object_type="departure",
        function=Function.MANAGE_PUPILS,
        data_kind=DataKind.BASICS,
    )


def departure_of(student: Student) -> Departure | None:
    return (
        Departure.objects.filter(student=student)
        .select_related("attendance_notice", "recorded_by", "attendance_notice_sent_by")
        .first()
    )


def former_child_for_proof(*, user, student_id) -> Student:
    """A guardian's former child for the proof of withdrawal: only a parent WITH parental
    authority (the proof is the parents' document for the next school); anyone else 404, a
    role without the function 403."""
    function_require(
        user=user,
        function=Function.VIEW_OWN_CHILDREN,
        object_type="leaving_proof",
        object_id=student_id,
        model=Student,
    )
    pk = parse_id(student_id)
    student = (
        Student.objects.filter(
            pk=pk,
            withdrawn_on__isnull=False,
            anonymised_at__isnull=True,
            pk__in=Guardianship.objects.filter(
                guardian__user_id=user.pk, has_authority=True
            ).values("student_id"),
        )
        .select_related("school")
        .first()
        if pk is not None
        else None
    )
    if student is None:
        raise not_found(
            user=user,
            object_type="leaving_proof",
            raw_id=student_id,
            student_id=pk,
            data_kind=DataKind.BASICS,
        )
    return student
