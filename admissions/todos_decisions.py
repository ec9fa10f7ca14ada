"""Admissions' items on the start page's to-do list (``students/start_page.py``), registered
in ``admissions/apps.py``: for the director and the administration, each open application of
their schools whose decision is overdue or due within 7 days, one item per application (each
has its own clock and its own page), most urgent first. One query however many."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import Function
from students.selectors import school_ids_with
from students.start_page import DUE_SOON_DAYS, TodoItem, urgency_for

from .constants import OPEN_STATUSES
from .models import Application
from .selectors.decisions import HANDLE, clock_for

if TYPE_CHECKING:
    from accounts.models import User


def application_todos(user: User) -> list[TodoItem]:
    if not user.has_function(Function.HANDLE_APPLICATIONS):
        return []
    today = timezone.localdate()
    decides = user.has_function(Function.DECIDE_APPLICATIONS)
    applications = (
        Application.objects.filter(
            school_id__in=school_ids_with(user, HANDLE),
            status__in=OPEN_STATUSES,
            decision_due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("school")
        .order_by("decision_due_on", "pk")
    )
    items = []
    for application in applications:
        clock = clock_for(application, today)
        if clock is None:
            continue
        names = {"child": application.child_name}
        title = (
            _("Decide on the application for %(child)s") % names
            if decides
            else _("See that the application for %(child)s is decided on time") % names
        )
        items.append(
            TodoItem(
                title=title,
                link=reverse("application-detail", args=[application.pk]),
                urgency=urgency_for(clock.due_on, today=today),
                deadline=clock.due_on,
                detail=f"{application.reference} · {clock.words} · {application.school.name}",
            )
        )
    return items
