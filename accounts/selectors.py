"""Reads of staff accounts for the director: the people who work at their school (through a
school permission or a group they teach) and the accounts deactivated there."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.constants import DataKind

from .constants import Function, Role
from .models import StaffDeactivation, TeacherProposal, User


def staff_schools_for(user):
    from students.models import School
    from students.selectors import function_require, school_ids_with

    function_require(user=user, function=Function.MANAGE_STAFF, object_type="staff")
    return School.objects.filter(pk__in=school_ids_with(user, "manage_school_staff")).order_by(
        "name"
    )


def staff_of(schools) -> QuerySet[User]:
    from students.models import GroupTeacher, SchoolUserObjectPermission

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


def staff_member_for(*, user, staff_id) -> tuple[User, object]:
    """An active colleague at one of the director's schools (and that school), or 404."""
    from students.selectors import scoped_get

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
    from students.models import GroupTeacher, SchoolUserObjectPermission

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
    from students.models import GroupTeacher, School

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
    from students.selectors import school_ids_with, scoped_get

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


def assignments_of(schools):
    from students.models import GroupTeacher

    today = timezone.localdate()
    return (
        GroupTeacher.objects.filter(group__school__in=schools)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today - datetime.timedelta(days=31)))
        .select_related("group", "teacher")
        .order_by("group__school_year", "group__name", "teacher__email")
    )


def invitations_of(*, student) -> dict:
    """Per guardian of a pupil: the latest invitation (for the administration's buttons)."""
    from .models import Invitation

    latest = {}
    for invitation in Invitation.objects.filter(guardian__links__student=student).order_by(
        "created_at", "id"
    ):
        latest[invitation.guardian_id] = invitation
    return latest


def guardian_for_invite(*, user, guardian_id):
    """A guardian of a pupil at a school where this user enrols pupils (administration,
    director), or 403/404."""
    from students.models import Guardian
    from students.selectors import school_ids_with, scoped_get

    return scoped_get(
        user=user,
        queryset=Guardian.objects.filter(
            links__student__school_id__in=school_ids_with(user, "manage_school_pupils")
        ).distinct(),
        raw_id=guardian_id,
        object_type="guardian",
        function=Function.MANAGE_PUPILS,
    )


def invitation_for_manage(*, user, invitation_id):
    from students.selectors import school_ids_with, scoped_get

    from .models import Invitation

    return scoped_get(
        user=user,
        queryset=Invitation.objects.filter(
            guardian__links__student__school_id__in=school_ids_with(user, "manage_school_pupils")
        ).distinct(),
        raw_id=invitation_id,
        object_type="invitation",
        function=Function.MANAGE_PUPILS,
    )


def api_tokens_of(user) -> QuerySet:
    """The account's own API tokens that still work, newest first (never anyone else's)."""
    from .tokens import live_for

    return live_for(user).order_by("-created_at", "-id")


def api_token_for_owner(*, user, token_id):
    """One of the account's own working tokens; 404 for someone else's, an ended or a missing
    one alike (and the refusal is an access event)."""
    from students.selectors import scoped_get

    from .tokens import live_for

    return scoped_get(
        user=user,
        queryset=live_for(user),
        raw_id=token_id,
        object_type="api_token",
        data_kind=DataKind.ACCOUNT,
    )
