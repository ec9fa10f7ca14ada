"""The start page's items for applications: the director and the administration see each
open application of their school whose decision is overdue or due within 7 days."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from admissions.todos_decisions import application_todos
from students.start_page import Urgency
from tests.todo_items import todo_items_in

from .factories_decisions import ApplicationFactory


def _complete(days_ago: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days_ago)


@pytest.fixture
def applications(world):
    return {
        "late": ApplicationFactory.create(school=world.school, complete_on=_complete(45)),
        "soon": ApplicationFactory.create(school=world.school, complete_on=_complete(38)),
        "later": ApplicationFactory.create(school=world.school, complete_on=_complete(10)),
        "decided": ApplicationFactory.create(
            school=world.school, complete_on=_complete(45), refused=True
        ),
        "other": ApplicationFactory.create(school=world.other_school, complete_on=_complete(45)),
    }


def test_director_is_asked_to_decide_what_is_overdue_or_due_soon(world, applications):
    with translation.override("en"):
        items = application_todos(world.users["director"])
    assert [(item.link, item.urgency) for item in items] == [
        (reverse("application-detail", args=[applications["late"].pk]), Urgency.OVERDUE),
        (reverse("application-detail", args=[applications["soon"].pk]), Urgency.DUE_SOON),
    ]
    assert str(items[0].title).startswith("Decide on the application for")
    assert "3 days late" in str(items[0].detail)
    assert items[0].deadline == applications["late"].decision_due_on


def test_administration_is_asked_to_see_it_decided_on_time(world, applications):
    with translation.override("en"):
        items = application_todos(world.users["administration"])
    assert len(items) == 2
    assert "decided on time" in str(items[0].title)


@pytest.mark.parametrize("role", ["care_coordinator", "teacher", "privacy_officer", "guardian"])
def test_others_get_no_application_items(world, applications, role):
    assert application_todos(world.users[role]) == []


def test_items_appear_on_the_start_page(world, client, applications):
    client.force_login(world.users["director"])
    client.cookies["django_language"] = "en"
    shown = todo_items_in(client.get(reverse("home")).content.decode())
    links = [item.link for item in shown]
    assert reverse("application-detail", args=[applications["late"].pk]) in links
    assert reverse("application-detail", args=[applications["later"].pk]) not in links
