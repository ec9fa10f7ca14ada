"""The privacy officer's overview: one page with what needs attention, each linking to its
place. Everything comes through the selectors of the apps it summarises."""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.utils import timezone

from accounts.constants import Function
from audit.constants import Action, DataKind, Outcome
from audit_trail.selectors import events_visible_to
from privacy_requests.constants import OPEN_STATUSES
from privacy_requests.selectors import requests_visible_to
from retention.models import RetentionRun
from students.selectors import function_require, school_ids_with

from .constants import BreachStatus
from .selectors import breaches_visible_to


def overview_for(user) -> dict:
    function_require(
        user=user,
        function=Function.VIEW_PRIVACY_OVERVIEW,
        object_type="privacy_overview",
        data_kind=DataKind.AUDIT,
    )
    from consent.models import ConsentCampaign
    from consent.selectors.campaigns import campaign_progress
    from suppliers.constants import AgreementStatus
    from suppliers.selectors import agreements_visible_to

    today = timezone.localdate()
    schools = school_ids_with(user, "view_school_audit")
    open_breaches = list(
        breaches_visible_to(user).filter(status=BreachStatus.OPEN).order_by("aware_at")
    )
    requests = list(
        requests_visible_to(user)
        .filter(status__in=OPEN_STATUSES, due_date__lte=today + datetime.timedelta(days=7))
        .order_by("due_date")[:50]
    )
    campaigns = [
        {"campaign": c, "progress": campaign_progress(c)}
        for c in ConsentCampaign.objects.filter(school_id__in=schools)
        .select_related("school")
        .order_by("-school_year", "school__name")[:5]
    ]
    month_start = timezone.make_aware(
        datetime.datetime.combine(today.replace(day=1), datetime.time.min)
    )
    reads = list(
        events_visible_to(user)
        .filter(
            special_category=True,
            outcome=Outcome.ALLOWED,
            action=Action.VIEW,
            created_at__gte=month_start,
        )
        .values("role")
        .annotate(reads=Count("id"))
        .order_by("-reads", "role")
    )
    agreements = [
        a
        for a in agreements_visible_to(user)
        if a.status in (AgreementStatus.EXPIRING, AgreementStatus.EXPIRED)
    ]
    return {
        "breaches": open_breaches,
        "requests": requests,
        "agreements": agreements,
        "campaigns": campaigns,
        "care_reads": reads,
        "runs": RetentionRun.objects.filter(school_id__in=schools)
        .select_related("school")
        .order_by("-started_at")[:10],
        "now": timezone.now(),
        "today": today,
    }
