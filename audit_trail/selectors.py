from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from accounts.constants import Function, Role
from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent
from students.models import School
from students.selectors import audit_school_ids_for

from .readable import pupils_named, staff_named


def events_visible_to(user) -> QuerySet[AccessEvent]:
    """Events of the schools the user oversees; account events (logins) too for the board's
    privacy officer, who oversees every school they concern."""
    if not user.has_function(Function.VIEW_AUDIT):
        return AccessEvent.objects.none()
    scope = Q(school_id__in=audit_school_ids_for(user))
    if user.has_role(Role.PRIVACY_OFFICER):
        scope |= Q(school_id__isnull=True)
    return AccessEvent.objects.filter(scope)


def audit_schools_for(user) -> QuerySet[School]:
    return School.objects.filter(pk__in=audit_school_ids_for(user)).order_by("name")


def events_filter(
    qs: QuerySet[AccessEvent],
    *,
    school: int | None = None,
    role: str | None = None,
    action: str | None = None,
    data_kind: str | None = None,
    special_category: bool | None = None,
    outcome: str | None = None,
    actor_id: int | None = None,
    student: int | None = None,
    staff: str | None = None,
    pupil: str | None = None,
    user=None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AccessEvent]:
    if school:
        qs = qs.filter(school_id=school)
    if role:
        # Events store every role of the actor ("director,teacher"): match one of them.
        qs = qs.filter(
            Q(role=role)
            | Q(role__startswith=f"{role},")
            | Q(role__endswith=f",{role}")
            | Q(role__contains=f",{role},")
        )
    if action:
        qs = qs.filter(action=action)
    if data_kind:
        qs = qs.filter(data_kind=data_kind)
    if special_category is not None:
        qs = qs.filter(special_category=special_category)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if student:
        qs = qs.filter(student_id=student)
    if staff:
        qs = qs.filter(actor_id__in=staff_named(staff))
        if user is None or not user.has_function(Function.VIEW_PUPILS):
            # What a colleague did as a parent is not staff work, and would name a family.
            qs = qs.exclude(role__in=["", Role.GUARDIAN])
    if pupil and user is not None and user.has_function(Function.VIEW_PUPILS):
        qs = qs.filter(student_id__in=pupils_named(user, pupil))
    tz = timezone.get_current_timezone()
    # The first and the last day there is bound nothing, and their local midnight does not
    # exist in UTC (an error rather than an empty or a full list).
    if since and since > datetime.date.min:
        qs = qs.filter(created_at__gte=datetime.datetime.combine(since, datetime.time.min, tz))
    if until and until < datetime.date.max:
        end = datetime.datetime.combine(until, datetime.time.min, tz) + datetime.timedelta(days=1)
        qs = qs.filter(created_at__lt=end)
    return qs.order_by("-created_at", "-id")


def care_reads_per_role_per_week(user, *, weeks: int = 12) -> list[dict]:
    """Allowed reads of special-category data per week and role, newest week first."""
    since = timezone.now() - datetime.timedelta(weeks=weeks)
    return list(
        events_visible_to(user)
        .filter(
            special_category=True,
            outcome=Outcome.ALLOWED,
            action=Action.VIEW,
            created_at__gte=since,
        )
        .annotate(week=TruncWeek("created_at"))
        .values("week", "role", "data_kind")
        .annotate(reads=Count("id"))
        .order_by("-week", "role", "data_kind")
    )


__all__ = [
    "DataKind",
    "audit_schools_for",
    "care_reads_per_role_per_week",
    "events_filter",
    "events_visible_to",
]
