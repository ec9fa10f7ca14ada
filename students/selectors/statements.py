"""Reads of the schools' privacy statements, and of whom a parent asks about privacy.

A privacy statement is public: its pages need no login and read any school of the
installation (404 only for a school or version that does not exist, which is no look at
anyone's data, so it leaves no access event). Writing it is the director's: 403 without the
function, 404 for a school where she does not hold ``manage_school_privacy_statement``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.constants import Function, Role
from accounts.models import User
from audit.constants import DataKind
from kernel.ids import parse_id

from ..models import (
    GroupTeacher,
    PrivacyStatement,
    School,
    SchoolUserObjectPermission,
    Student,
)
from .pupils import pupil_scope, scoped_get, teaching_group_ids

MANAGE_CODENAME = "manage_school_privacy_statement"


def statement_school_get(*, school_id) -> School:
    """A school of the installation, for its public statement pages; 404 when there is none."""
    pk = parse_id(school_id)
    school = School.objects.select_related("board").filter(pk=pk).first() if pk else None
    if school is None:
        raise Http404
    return school


def statement_versions_of(school: School) -> list[PrivacyStatement]:
    """Every version of the school's statement, the newest first."""
    return list(PrivacyStatement.objects.filter(school=school).order_by("-version"))


def statement_in_force(
    versions: list[PrivacyStatement], day: datetime.date | None = None
) -> PrivacyStatement | None:
    """The version in force on ``day`` (today): the newest whose date has come. When none has
    come yet, the first one to come (its page says from when it applies)."""
    day = day or timezone.localdate()
    in_force = [v for v in versions if v.published_on <= day]
    if in_force:
        return max(in_force, key=lambda v: v.version)
    return min(versions, key=lambda v: v.version) if versions else None


def statement_version_of(versions: list[PrivacyStatement], number) -> PrivacyStatement:
    """The version numbered ``number`` (as typed in the address) of ``versions``; 404 when
    there is none."""
    wanted = parse_id(number)
    found = next((v for v in versions if v.version == wanted), None)
    if found is None:
        raise Http404
    return found


def statement_latest(school: School) -> PrivacyStatement | None:
    """The newest version (the one the director's form starts from), or None."""
    return PrivacyStatement.objects.filter(school=school).order_by("-version").first()


def statement_schools_all() -> QuerySet[School]:
    """Every school of the installation, by board and name: the public list."""
    return School.objects.select_related("board").order_by("board__name", "name")


def statement_schools_of(user) -> list[School]:
    """The schools whose statement concerns this reader: a parent's children's schools, a
    staff member's school(s), the board's schools for its privacy officer; none for a visitor."""
    if not user.is_authenticated:
        return []
    scope = pupil_scope(user)
    children = list(scope.children)
    condition = Q(
        pk__in=SchoolUserObjectPermission.objects.filter(user_id=user.pk).values(
            "content_object_id"
        )
    ) | Q(groups__in=teaching_group_ids(user))
    if children:
        condition |= Q(students__in=children)
    return list(
        School.objects.filter(condition).select_related("board").distinct().order_by("name")
    )


def statement_school_for_manage(*, user, school_id) -> School:
    """A school whose statement this user writes: 403 without the function, 404 out of scope."""
    return scoped_get(
        user=user,
        queryset=School.objects.filter(pk__in=_managed_school_ids(user)),
        raw_id=school_id,
        object_type="privacy_statement",
        function=Function.MANAGE_PRIVACY_STATEMENT,
        data_kind=DataKind.SCHOOL,
    )


def _managed_school_ids(user):
    return SchoolUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename=MANAGE_CODENAME
    ).values("content_object_id")


def statement_manages(user, school: School) -> bool:
    """Whether this reader may write the school's statement (to offer the link; the edit page
    checks again)."""
    return (
        user.is_authenticated
        and user.has_function(Function.MANAGE_PRIVACY_STATEMENT)
        and SchoolUserObjectPermission.objects.filter(
            user_id=user.pk, permission__codename=MANAGE_CODENAME, content_object_id=school.pk
        ).exists()
    )


@dataclass(frozen=True)
class PrivacyContacts:
    """Whom a parent asks about privacy: the child's teachers of this school year and the
    school's director by name, the board's privacy officer by role. Names only, never an
    address or phone number of a staff member."""

    school: School
    teachers: list[str]
    directors: list[str]


def privacy_contacts_for(student: Student) -> PrivacyContacts:
    """The contacts for the privacy questions of ``student``'s parents (two queries)."""
    today = timezone.localdate()
    teachers: list[str] = []
    if student.group_id is not None and student.withdrawn_on is None:
        teachers = [
            name
            for name in GroupTeacher.objects.active_on(today)
            .filter(group_id=student.group_id, teacher__is_active=True)
            .order_by("is_substitute", "teacher__full_name")
            .values_list("teacher__full_name", flat=True)
            if name
        ]
    directors = [
        name
        for name in User.objects.filter(
            is_active=True,
            groups__name=Role.DIRECTOR,
            pk__in=SchoolUserObjectPermission.objects.filter(
                content_object_id=student.school_id, permission__codename=MANAGE_CODENAME
            ).values("user_id"),
        )
        .order_by("full_name")
        .values_list("full_name", flat=True)
        .distinct()
        if name
    ]
    return PrivacyContacts(school=student.school, teachers=teachers, directors=directors)
