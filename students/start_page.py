"""The start page as a to-do list, filled by the capabilities.

The start page (``samen_een/views.py``, ``HomeView``) shows what needs the logged-in person's
action: each capability registers a **to-do provider** in its ``AppConfig.ready()``
(``todo_register``), so the core knows no capability. A provider gets the user and returns
``TodoItem``s: a title in words, an optional deadline, an ``Urgency`` and the link where the
person acts. A provider returns only items that need *this* person's action, read through the
selectors and permissions its capability already uses (never an item outside the user's scope),
and answers with an empty list for a role it has nothing for, without refusing (no
``function_require``: that would record a refusal on every start page). ``todos_for`` shows
them most urgent first, then by deadline.

A provider keeps the start page's queries constant: a fixed number of queries, however many
items it returns.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import User


# --- To-do items ---------------------------------------------------------------------------

#: A deadline within this many days is "due soon".
DUE_SOON_DAYS = 7


class Urgency(enum.IntEnum):
    """How soon an item needs doing; a lower value comes first."""

    OVERDUE = 0
    DUE_SOON = 1
    NORMAL = 2

    @property
    def label(self) -> StrOrPromise:
        return _URGENCY_LABELS[self]

    @property
    def css(self) -> str:
        """The name the template uses for its look (``todo-overdue``, ...)."""
        return self.name.lower().replace("_", "-")


_URGENCY_LABELS: dict[Urgency, StrOrPromise] = {
    Urgency.OVERDUE: _("Overdue"),
    Urgency.DUE_SOON: _("Due soon"),
    Urgency.NORMAL: _("To do"),
}


def urgency_for(
    deadline: datetime.date | None,
    *,
    today: datetime.date | None = None,
    soon_days: int = DUE_SOON_DAYS,
) -> Urgency:
    """Overdue when the deadline has passed, due soon within ``soon_days``, else normal. A
    deadline with a time (a ``datetime``) has passed the moment it is reached."""
    if deadline is None:
        return Urgency.NORMAL
    if isinstance(deadline, datetime.datetime):
        now = timezone.now()
        if deadline <= now:
            return Urgency.OVERDUE
        return (
            Urgency.DUE_SOON
            if deadline <= now + datetime.timedelta(days=soon_days)
            else Urgency.NORMAL
        )
    today = today or timezone.localdate()
    if deadline < today:
        return Urgency.OVERDUE
    if deadline <= today + datetime.timedelta(days=soon_days):
        return Urgency.DUE_SOON
    return Urgency.NORMAL


@dataclass(frozen=True)
class TodoItem:
    """One thing this person should do.

    ``title`` says what to do, in words (translated); ``link`` is the page where it is done;
    ``deadline`` is a date, or a ``datetime`` when the hour counts (the 72-hour breach clock);
    ``detail`` is an optional short line of context (the school, the request's number)."""

    title: StrOrPromise
    link: str
    urgency: Urgency = Urgency.NORMAL
    deadline: datetime.date | None = None
    detail: StrOrPromise = ""

    @property
    def deadline_has_time(self) -> bool:
        return isinstance(self.deadline, datetime.datetime)

    def sort_key(self) -> tuple[int, datetime.datetime, str]:
        """Most urgent first; then the earliest deadline (none last); then the title."""
        moment: datetime.datetime
        if self.deadline is None:
            moment = datetime.datetime.max.replace(tzinfo=datetime.UTC)
        elif isinstance(self.deadline, datetime.datetime):
            moment = self.deadline
        else:
            # A day's deadline lasts until the end of that day, where the school is.
            moment = timezone.make_aware(
                datetime.datetime.combine(self.deadline, datetime.time.max)
            )
        return (int(self.urgency), moment, str(self.title))


TodoProvider = Callable[["User"], Iterable[TodoItem]]

_todo_providers: list[TodoProvider] = []


def todo_register(provider: TodoProvider) -> TodoProvider:
    """Add a provider of to-do items (once, however often ``ready()`` runs)."""
    if provider not in _todo_providers:
        _todo_providers.append(provider)
    return provider


def todos_for(user: User) -> list[TodoItem]:
    """Every registered provider's items for this user: most urgent first, then by deadline."""
    items = [item for provider in _todo_providers for item in provider(user)]
    return sorted(items, key=TodoItem.sort_key)
