"""Reads of a school's staff for the director: the people who work at their school (through a
school permission or a group they teach), the accounts deactivated there, the teachers of its
groups and the groups an import proposes for them."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.constants import Function, Role
from accounts.models import User
from audit.constants import DataKind

from ..models import (
    GroupTeacher,
    School,
    SchoolUserObjectPermission,
    StaffDeactivation,
    TeacherProposal,
)
from .pupils import function_require, school_ids_with, scoped_get


def staff_schools_for(user) -> QuerySet[School]:
    function_require(user=user, function=Function.MANAGE_STAFF, object_type="staff")
    return School.objects.filter(pk__in=school_ids_with(user, "manage_school_staff")).order_by(
        "name"
    )


def staff_of(schools) -> QuerySet[User]:
    school_ids = list(schools.values_list("pk", flat=True))
    return (
        User.objects.filter(
            Q(
                pk__in=SchoolUserObjectPermission.objects.filter(
                    content_object_id__in=school_ids
                ).values("user_id")
            )
            | Q(
                pk__in=GroupTeacher.objects.filter(group__school_id__in=school_ids).values(
                    "teacher_id"
                )
            )
            | Q(pk__in=StaffDeactivation.objects.filter(school_id__in=school_ids).values("user_id"))
        )
        # The board's privacy officer oversees the schools; they are not a school's staff.
        .exclude(groups__name=Role.PRIVACY_OFFICER)
        .prefetch_related("groups")
        .order_by("-is_active", "email")
    )


def staff_member_for(*, user, staff_id) -> tuple[User, School]:
    """An active colleague at one of the director's schools (and that school), or 404."""
    schools = staff_schools_for(user)
    member = scoped_get(
        user=user,
        queryset=staff_of(schools).filter(is_active=True),
        raw_id=staff_id,
        object_type="staff",
    )
    school = _school_of(member, schools)
    return member, school


def _school_of(member: User, schools):
    ids = set(
        SchoolUserObjectPermission.objects.filter(
            user=member, content_object__in=schools
        ).values_list("content_object_id", flat=True)
    ) | set(
        GroupTeacher.objects.filter(teacher=member, group__school__in=schools).values_list(
            "group__school_id", flat=True
        )
    )
    return schools.filter(pk__in=ids).first()


def teachers_of(schools) -> QuerySet[User]:
    """Active accounts with the teacher role at these schools, for the substitute form."""
    return staff_of(schools).filter(is_active=True, groups__name="teacher").distinct()


def teachers_at(school) -> QuerySet[User]:
    """Active accounts that already are this school's teachers: the teacher role and a group of
    the school they teach or taught. The only accounts an import may propose groups for; an
    account that is also a guardian counts when it is such a teacher, any other account never
    (a guardian, a colleague without the teacher role, a teacher of another school)."""
    return teachers_of(School.objects.filter(pk=school.pk)).filter(
        pk__in=GroupTeacher.objects.filter(group__school=school).values("teacher_id")
    )


def teacher_proposals_of(schools) -> QuerySet[TeacherProposal]:
    """The open proposals of these schools (groups an import proposes for their teachers), for
    the director's staff page."""
    return (
        TeacherProposal.objects.filter(school__in=schools, decision="", teacher__is_active=True)
        .select_related("teacher", "group", "school", "proposed_by")
        .order_by("school__name", "group__school_year", "group__name", "teacher__email", "pk")
    )


def teacher_proposal_for(*, user, proposal_id) -> TeacherProposal:
    """A proposal of one of the director's schools: 403 for any other role, 404 for a
    proposal of another school (or none)."""
    return scoped_get(
        user=user,
        queryset=TeacherProposal.objects.filter(
            school_id__in=school_ids_with(user, "manage_school_staff")
        ).select_related("teacher", "group", "school"),
        raw_id=proposal_id,
        object_type="teacher_proposal",
        function=Function.MANAGE_STAFF,
        data_kind=DataKind.ACCOUNT,
    )


def assignments_of(schools) -> QuerySet[GroupTeacher]:
    """The teachers of these schools' groups, with their periods; ended ones for a month."""
    today = timezone.localdate()
    return (
        GroupTeacher.objects.filter(group__school__in=schools)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today - datetime.timedelta(days=31)))
        .select_related("group", "teacher")
        .order_by("group__school_year", "group__name", "teacher__email")
    )
