"""The director's side: the school's purposes and its consent campaigns (lock date, progress)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from accounts.constants import Function
from audit.constants import DataKind
from students.models import Group, School, Student
from students.selectors import function_require, not_found, parse_id, school_ids_with, scoped_get

from ..models import ConsentCampaign, ConsentDecision, ConsentPurpose


def managed_school_for(*, user, school_id=None) -> School:
    """A school whose purposes and campaigns this user manages (the director)."""
    function_require(
        user=user,
        function=Function.MANAGE_CONSENT,
        object_type="consent_settings",
        data_kind=DataKind.CONSENT,
    )
    schools = School.objects.filter(pk__in=school_ids_with(user, "manage_school_consent"))
    pk = parse_id(school_id) if school_id not in (None, "") else None
    school = (schools.filter(pk=pk) if pk else schools.order_by("name")).first()
    if school is None:
        raise not_found(
            user=user,
            object_type="consent_settings",
            raw_id=school_id or "",
            data_kind=DataKind.CONSENT,
            model=School,
        )
    return school


def purpose_for_manage(*, user, purpose_id) -> ConsentPurpose:
    purposes = ConsentPurpose.objects.filter(
        school_id__in=school_ids_with(user, "manage_school_consent")
    ).select_related("current_version", "school")
    return scoped_get(
        user=user,
        queryset=purposes,
        raw_id=purpose_id,
        object_type="consent_purpose",
        function=Function.MANAGE_CONSENT,
        data_kind=DataKind.CONSENT,
    )


def campaign_lock_date(school_id: int, school_year: int) -> datetime.date | None:
    return (
        ConsentCampaign.objects.filter(school_id=school_id, school_year=school_year)
        .values_list("lock_after", flat=True)
        .first()
    )


def campaign_progress(campaign: ConsentCampaign) -> list[dict]:
    """Per group: pupils, and how many have an answer this school year (fixed queries)."""
    groups = list(
        Group.objects.filter(
            school_id=campaign.school_id, school_year=campaign.school_year
        ).order_by("year_group_low", "name")
    )
    pupils = list(
        Student.objects.filter(
            school_id=campaign.school_id,
            withdrawn_on__isnull=True,
            group__school_year=campaign.school_year,
        ).values_list("pk", "group_id")
    )
    answered = set(
        ConsentDecision.objects.filter(
            student__school_id=campaign.school_id, school_year=campaign.school_year
        )
        .values_list("student_id", flat=True)
        .distinct()
    )
    per_group: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pk, group_id in pupils:
        per_group[group_id][0] += 1
        per_group[group_id][1] += pk in answered
    return [
        {
            "group": group,
            "pupils": per_group[group.pk][0],
            "answered": per_group[group.pk][1],
            "rate": round(100 * per_group[group.pk][1] / per_group[group.pk][0], 1)
            if per_group[group.pk][0]
            else 0.0,
        }
        for group in groups
    ]
