from __future__ import annotations

from accounts.constants import Function
from audit.constants import DataKind

from ..models import School
from ..selectors import function_require, school_ids_with, scoped_get


def rollover_schools_for(user):
    function_require(
        user=user, function=Function.ROLLOVER, object_type="rollover", data_kind=DataKind.GROUP
    )
    return School.objects.filter(pk__in=school_ids_with(user, "rollover_school")).order_by("name")


def rollover_school_for(*, user, school_id=None) -> School:
    """The school asked for (``?school=``), or the director's first; 403/404 otherwise."""
    schools = rollover_schools_for(user)
    if school_id in (None, ""):
        school = schools.first()
        raw = school.pk if school else 0
    else:
        raw = school_id
    return scoped_get(
        user=user, queryset=schools, raw_id=raw, object_type="school", data_kind=DataKind.GROUP
    )
