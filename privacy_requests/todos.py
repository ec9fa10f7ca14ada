"""Privacy requests' items on the start page's to-do list (``students/start_page.py``),
registered in ``privacy_requests/apps.py``, each with its legal deadline (``deadlines.py``):

- whoever handles or decides a school's requests (administration, director): each request
  received or in progress, except one waiting for the requester;
- whoever releases access packages (care coordinator, director): each package built and
  awaiting release (a handler who may not release leaves it to them);
- the board's privacy officer, who oversees: each open request of the board's schools that is
  overdue or due within a week.

Titles name the request and its kind, never the pupil (the privacy officer sees no pupils)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import Function
from students.selectors import school_ids_with
from students.start_page import DUE_SOON_DAYS, TodoItem, urgency_for

from .constants import OPEN_STATUSES, PackageStatus, Status
from .models import PrivacyRequest

if TYPE_CHECKING:
    from accounts.models import User


def _item(request: PrivacyRequest, title: str) -> TodoItem:
    return TodoItem(
        title=title,
        detail=_("%(school)s, %(status)s")
        % {"school": request.school.name, "status": request.get_status_display().lower()},
        link=reverse("request-detail", args=[request.pk]),
        deadline=request.due_date,
        urgency=urgency_for(request.due_date),
    )


def _answer(request: PrivacyRequest) -> TodoItem:
    return _item(
        request,
        _("Privacy request #%(number)s: %(kind)s")
        % {"number": request.pk, "kind": request.get_kind_display()},
    )


def request_todos(user: User) -> list[TodoItem]:
    handles = user.has_function(Function.HANDLE_REQUESTS) or user.has_function(
        Function.DECIDE_REQUESTS
    )
    releases = user.has_function(Function.RELEASE_PACKAGES)
    oversees = user.has_function(Function.OVERSEE_REQUESTS)
    if not (handles or releases or oversees):
        return []
    scope = Q(pk__in=[])
    if handles:
        scope |= Q(
            status__in=(Status.RECEIVED, Status.IN_PROGRESS),
            school_id__in=school_ids_with(user, "handle_school_requests"),
        ) | Q(
            status__in=(Status.RECEIVED, Status.IN_PROGRESS),
            school_id__in=school_ids_with(user, "decide_school_requests"),
        )
    if releases:
        scope |= Q(
            status__in=OPEN_STATUSES,
            package__status=PackageStatus.BUILT,
            school_id__in=school_ids_with(user, "release_school_packages"),
        )
    if oversees:
        soon = timezone.localdate() + datetime.timedelta(days=DUE_SOON_DAYS)
        scope |= Q(
            status__in=OPEN_STATUSES,
            due_date__lte=soon,
            school_id__in=school_ids_with(user, "oversee_school_requests"),
        )
    release_schools = (
        set(
            school_ids_with(user, "release_school_packages").values_list(
                "content_object_id", flat=True
            )
        )
        if releases
        else set()
    )
    items = []
    for request in (
        PrivacyRequest.objects.filter(scope)
        .select_related("school", "package")
        .order_by("due_date", "pk")
    ):
        package = getattr(request, "package", None)
        if package is not None and package.status == PackageStatus.BUILT and not oversees:
            if request.school_id in release_schools:
                items.append(
                    _item(
                        request,
                        _("Privacy request #%(number)s: review and release the access package")
                        % {"number": request.pk},
                    )
                )
            # A handler who may not release leaves the package to whoever may.
            continue
        items.append(_answer(request))
    return items
