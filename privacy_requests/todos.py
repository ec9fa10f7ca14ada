"""Privacy requests' items on the start page's to-do list (``students/start_page.py``),
registered in ``privacy_requests/apps.py``, each with its legal deadline (``deadlines.py``):

- whoever handles or decides a school's requests (administration, director): each request
  received or in progress, except one waiting for the requester;
- whoever releases access packages (care coordinator, director): each package built and
  awaiting release (a handler who may not release leaves it to them);
- the board's privacy officer, who oversees: each open request of the board's schools that is
  overdue or due within a week;
- a guardian, their own requests that wait for them (``requester_todos``).

Staff titles name the request and its kind, never the pupil (the privacy officer sees no
pupils); a guardian's name their own child."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import Function
from students.models import Guardianship
from students.selectors import school_ids_with
from students.start_page import DUE_SOON_DAYS, TodoItem, urgency_for

from .constants import OPEN_STATUSES, PackageStatus, Status, Step
from .models import PrivacyRequest, RequestStep

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


def requester_todos(user: User) -> list[TodoItem]:
    """A guardian's own requests (they are its requester) that wait for them, for a child they
    still hold parental authority for (the request's page is theirs to open only then):

    - the school asked for more information (waiting for the requester): answer it, by the
      request's deadline;
    - the access package was released and they have not downloaded it yet: download it
      before the link expires.

    A co-guardian's request is not this guardian's to answer. Two queries."""
    if not user.has_function(Function.SUBMIT_REQUESTS):
        return []
    downloaded = RequestStep.objects.filter(
        request_id=OuterRef("pk"), step=Step.PACKAGE_DOWNLOADED, actor_id=user.pk
    )
    ready = (
        Q(
            package__status=PackageStatus.RELEASED,
            package__expires_at__gt=timezone.now(),
        )
        & ~Q(package__json_file="")
        & ~Q(package__pdf_file="")
    )
    requests = (
        PrivacyRequest.objects.filter(
            guardian__user_id=user.pk,
            student_id__in=Guardianship.objects.filter(
                guardian__user_id=user.pk, has_authority=True
            ).values("student_id"),
        )
        .filter(Q(status=Status.WAITING) | ready)
        .annotate(downloaded=Exists(downloaded))
        .select_related("school", "student", "package")
        .order_by("due_date", "pk")
    )
    items = []
    for request in requests:
        child = request.student.given_name
        link = reverse("request-detail", args=[request.pk])
        if request.status == Status.WAITING:
            items.append(
                TodoItem(
                    title=_("The school needs more information for your request about %(child)s")
                    % {"child": child},
                    detail=_("Request #%(number)s: %(kind)s, %(school)s")
                    % {
                        "number": request.pk,
                        "kind": request.get_kind_display().lower(),
                        "school": request.school.name,
                    },
                    link=link,
                    deadline=request.due_date,
                    urgency=urgency_for(request.due_date),
                )
            )
        elif not request.downloaded:
            expires = request.package.expires_at
            items.append(
                TodoItem(
                    title=_("Download the data the school holds about %(child)s")
                    % {"child": child},
                    detail=_("Request #%(number)s, %(school)s")
                    % {"number": request.pk, "school": request.school.name},
                    link=link,
                    deadline=expires,
                    urgency=urgency_for(expires),
                )
            )
    return items
