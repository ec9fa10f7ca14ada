"""The registers' items on the start page's to-do list (``students/start_page.py``), registered
in ``registers/apps.py``: a data breach whose 72-hour clock runs, for whoever records and
assesses the breaches of its school (the director) or board (the privacy officer): decide
whether to notify the AP; once decided to notify, notify it; with a high risk, inform the people
concerned."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.constants import Function
from students.start_page import TodoItem, Urgency, urgency_for

from .constants import BreachStatus, Risk
from .models import Breach
from .selectors import breaches_visible_to

if TYPE_CHECKING:
    from accounts.models import User


def _detail(breach: Breach) -> str:
    where = breach.school.name if breach.school else _("the whole school board")
    return f"{where}: {Truncator(breach.description).chars(60)}"


def _clock(breach: Breach) -> Urgency:
    """The 72 hours are short: due soon from the start, overdue once they have passed."""
    return min(urgency_for(breach.decision_due), Urgency.DUE_SOON)


def breach_todos(user: User) -> list[TodoItem]:
    if not user.has_function(Function.MANAGE_BREACHES):
        return []
    breaches = breaches_visible_to(user).filter(
        Q(status=BreachStatus.OPEN)
        | Q(
            status=BreachStatus.DECIDED,
            notify_authority=True,
            authority_notified_on__isnull=True,
        )
        | Q(status=BreachStatus.DECIDED, risk=Risk.HIGH)
        & (Q(people_informed__isnull=True) | Q(people_informed=False))
    )
    items = []
    for breach in breaches:
        page = reverse("breach-detail", args=[breach.pk])
        if breach.status == BreachStatus.OPEN:
            items.append(
                TodoItem(
                    title=_("Data breach #%(number)s: decide whether to notify the AP")
                    % {"number": breach.pk},
                    detail=_detail(breach),
                    link=f"{page}#decision-heading",
                    deadline=breach.decision_due,
                    urgency=_clock(breach),
                )
            )
            continue
        if breach.notify_authority and not breach.authority_notified_on:
            items.append(
                TodoItem(
                    title=_("Data breach #%(number)s: notify the AP") % {"number": breach.pk},
                    detail=_detail(breach),
                    link=f"{page}#follow-heading",
                    deadline=breach.decision_due,
                    urgency=_clock(breach),
                )
            )
        if breach.risk == Risk.HIGH and not breach.people_informed:
            items.append(
                TodoItem(
                    title=_("Data breach #%(number)s: inform the people concerned")
                    % {"number": breach.pk},
                    detail=_detail(breach),
                    link=f"{page}#follow-heading",
                    urgency=Urgency.DUE_SOON,
                )
            )
    return items
