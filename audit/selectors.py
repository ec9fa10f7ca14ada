from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from accounts.constants import Function
from students.selectors import audit_school_ids_for

from .models import AccessEvent


def events_visible_to(user) -> QuerySet[AccessEvent]:
    """Events of the schools the user oversees; account events (logins) too when the user
    oversees every school they concern, as the board's privacy officer does."""
    if not user.has_function(Function.VIEW_AUDIT):
        return AccessEvent.objects.none()
    scope = Q(school_id__in=audit_school_ids_for(user))
    if user.has_role("privacy_officer"):
        scope |= Q(school_id__isnull=True)
    return AccessEvent.objects.filter(scope)


def events_filter(
    qs: QuerySet[AccessEvent],
    *,
    actor_id: int | None = None,
    student_id: int | None = None,
    action: str | None = None,
    outcome: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AccessEvent]:
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if student_id:
        qs = qs.filter(student_id=student_id)
    if action:
        qs = qs.filter(action=action)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs.order_by("-created_at", "-id")
