"""Reads for enrolment: the schools where a user enrols pupils, and their groups."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.constants import Function
from audit.constants import DataKind

from ..models import Group, School, school_year_of
from .pupils import function_require, school_ids_with, scoped_get


def schools_for_enrol(user) -> QuerySet[School]:
    return School.objects.filter(pk__in=school_ids_with(user, "manage_school_pupils")).order_by(
        "name", "pk"
    )


def school_for_enrol(*, user, school_id) -> School:
    """The school where this user enrols pupils: 403 without the function, 404 for a school
    that is missing or not theirs. Without ``school_id``, their first such school."""
    function_require(user=user, function=Function.MANAGE_PUPILS, object_type="school")
    schools = schools_for_enrol(user)
    if school_id in (None, ""):
        first = schools.first()
        if first is not None:
            return first
    return scoped_get(
        user=user,
        queryset=schools,
        raw_id=school_id or "",
        object_type="school",
        data_kind=DataKind.SCHOOL,
    )


def groups_for_enrol(*, school: School, today) -> QuerySet[Group]:
    """The groups of this school year and later that a new pupil may start in."""
    return Group.objects.filter(school=school, school_year__gte=school_year_of(today)).order_by(
        "school_year", "year_group_low", "name"
    )
