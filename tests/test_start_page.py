"""The start page as a to-do list (students/start_page.py, samen_een/views.py) and the grouped
main menu (templates/base.html).

The contract: items from every registered provider, most urgent first, then by deadline (the
hour counts where there is one), then by title; an empty list says that all is done. The menu:
grouped, a "Menu" disclosure on a phone, and each role sees exactly the links it saw before the
grouping."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from students import start_page
from students.start_page import TodoItem, Urgency, todos_for, urgency_for
from tests.todo_items import ALL_DONE, todo_items_in
from tests.todo_items import start_page as start_page_html

MENU = {
    "director": {
        "home",
        "student-list",
        "consent-dashboard",
        "consent-publications",
        "care-withholdings",
        "application-inbox",
        "request-list",
        "disclosure-list",
        "breach-list",
        "processing-register",
        "retention",
        "audit-event-list",
        "supplier-list",
        "export-list",
        "registration-list",
        "accounts:staff",
        "rollover",
    },
    "administration": {
        "home",
        "student-list",
        "consent-publications",
        "application-inbox",
        "request-list",
        "disclosure-list",
        "supplier-list",
        "export-list",
        "registration-list",
    },
    "care_coordinator": {
        "home",
        "student-list",
        "application-inbox",
        "request-list",
        "supplier-list",
    },
    "teacher": {"home", "student-list", "consent-publications", "supplier-list"},
    "privacy_officer": {
        "home",
        "consent-dashboard",
        "request-list",
        "privacy-overview",
        "disclosure-list",
        "breach-list",
        "processing-register",
        "retention",
        "audit-event-list",
        "supplier-list",
    },
    "guardian": {"home", "request-list", "my-contact"},
}
# Issue 24, part 2: the moves parents reported, for those who confirm them.
MENU["director"] = MENU["director"] | {"address-change-list"}
MENU["administration"] = MENU["administration"] | {"address-change-list"}


def _nav_links(html: str) -> list[str]:
    nav = html[html.index("<nav") : html.index("</nav>")]
    return re.findall(r'<a href="([^"]+)"', nav)


@pytest.mark.parametrize("role", sorted(MENU))
def test_each_role_sees_the_same_menu_links_grouped(world, client, role):
    client.force_login(world.users[role])
    html = client.get(reverse("home")).content.decode()

    links = _nav_links(html)

    assert sorted(links) == sorted(reverse(name) for name in MENU[role])
    assert len(links) == len(set(links))
    # A disclosure with a summary, no script: keyboard and screen readers get it for free.
    nav = html[html.index("<nav") : html.index("</nav>")]
    assert '<details class="menu">' in nav and "<summary>" in nav
    assert "<script" not in nav


def _item(title: str, urgency: Urgency, deadline=None) -> TodoItem:
    return TodoItem(title=title, link=f"/{title}/", urgency=urgency, deadline=deadline)


def test_items_come_most_urgent_first_then_by_deadline(monkeypatch, world):
    today = timezone.localdate()
    now = timezone.now()
    items = [
        _item("normal-no-deadline", Urgency.NORMAL),
        _item("normal-late", Urgency.NORMAL, today + datetime.timedelta(days=40)),
        _item("soon-no-deadline", Urgency.DUE_SOON),
        _item("soon-tomorrow", Urgency.DUE_SOON, today + datetime.timedelta(days=1)),
        _item("soon-in-an-hour", Urgency.DUE_SOON, now + datetime.timedelta(hours=1)),
        _item("overdue-yesterday", Urgency.OVERDUE, today - datetime.timedelta(days=1)),
        _item("overdue-last-week", Urgency.OVERDUE, today - datetime.timedelta(days=7)),
    ]
    monkeypatch.setattr(
        start_page, "_todo_providers", [lambda user: items[:4], lambda user: items[4:]]
    )

    shown = [item.title for item in todos_for(world.users["director"])]

    assert shown == [
        "overdue-last-week",
        "overdue-yesterday",
        "soon-in-an-hour",
        "soon-tomorrow",
        "soon-no-deadline",
        "normal-late",
        "normal-no-deadline",
    ]


def test_urgency_from_a_deadline():
    today = timezone.localdate()
    now = timezone.now()
    assert urgency_for(None) is Urgency.NORMAL
    assert urgency_for(today - datetime.timedelta(days=1)) is Urgency.OVERDUE
    assert urgency_for(today) is Urgency.DUE_SOON
    assert urgency_for(today + datetime.timedelta(days=7)) is Urgency.DUE_SOON
    assert urgency_for(today + datetime.timedelta(days=8)) is Urgency.NORMAL
    assert urgency_for(today + datetime.timedelta(days=20), soon_days=30) is Urgency.DUE_SOON
    assert urgency_for(now - datetime.timedelta(minutes=1)) is Urgency.OVERDUE
    assert urgency_for(now + datetime.timedelta(hours=5)) is Urgency.DUE_SOON


def test_the_page_shows_the_items_in_order_with_their_deadline(monkeypatch, world, client):
    today = timezone.localdate()
    monkeypatch.setattr(
        start_page,
        "_todo_providers",
        [
            lambda user: [
                _item("Later", Urgency.NORMAL),
                _item("Now", Urgency.OVERDUE, today - datetime.timedelta(days=2)),
            ]
        ],
    )

    shown = todo_items_in(start_page_html(client, world.users["teacher"]))

    assert [(i.title, i.urgency, i.link) for i in shown] == [
        ("Now", "overdue", "/Now/"),
        ("Later", "normal", "/Later/"),
    ]
    assert str(today.year) in shown[0].meta


@pytest.mark.parametrize("role", ["teacher", "care_coordinator"])
def test_with_nothing_to_do_the_page_says_all_is_done(world, client, role):
    html = start_page_html(client, world.users[role])

    assert todo_items_in(html) == []
    assert ALL_DONE in html
