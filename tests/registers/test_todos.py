"""The registers' to-do items on the start page (registers/todos.py): a data breach whose
72-hour clock runs is on the list of the school's director and of the board's privacy officer
(who also has the board-wide one), never of another role or board. Open: decide, due soon, then
overdue once the 72 hours have passed; decided to notify the AP: notify it, until the
notification is recorded; decided that there is no risk: gone."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from registers.constants import Risk
from registers.models import Breach
from registers.services import breach_decide, breach_update
from tests.todo_items import todo_items

ROLES = ["director", "administration", "care_coordinator", "teacher", "privacy_officer"]
SEES = {
    "director": {"school"},
    "privacy_officer": {"school", "other", "board"},
}


def _page(breach) -> str:
    return reverse("breach-detail", args=[breach.pk])


def _breach_items(client, user, breach):
    return [i for i in todo_items(client, user) if i.link.startswith(_page(breach) + "#")]


@pytest.mark.parametrize("role", ROLES)
def test_open_breaches_are_on_the_list_of_who_assesses_them(breach_world, client, role):
    world = breach_world
    shown = {i.link.split("#")[0] for i in todo_items(client, world.users[role])}
    for key in ("school", "other", "foreign", "board"):
        expected = key in SEES.get(role, set())
        assert (_page(world.breaches[key]) in shown) is expected, (role, key)


def test_an_open_breach_is_due_soon_with_its_72_hour_deadline(breach_world, client):
    world = breach_world
    (item,) = _breach_items(client, world.users["director"], world.breaches["school"])

    assert item.urgency == "due-soon"
    assert item.link.endswith("#decision-heading")
    assert "Mail met klassenlijst" in item.meta


def test_an_open_breach_past_72_hours_is_overdue(breach_world, client):
    world = breach_world
    breach = world.breaches["school"]
    now = timezone.now()
    Breach.objects.filter(pk=breach.pk).update(
        occurred_at=now - datetime.timedelta(hours=80), aware_at=now - datetime.timedelta(hours=73)
    )

    (item,) = _breach_items(client, world.users["director"], breach)

    assert item.urgency == "overdue"


def test_decided_without_risk_the_breach_leaves_the_list(breach_world, client):
    world = breach_world
    director = world.users["director"]
    breach = world.breaches["school"]
    breach_decide(
        user=director, breach=breach, risk=Risk.UNLIKELY, notify_authority=False, reason="Geen"
    )

    assert _breach_items(client, director, breach) == []
    assert _breach_items(client, world.users["privacy_officer"], breach) == []


def test_decided_to_notify_the_ap_it_stays_until_the_notification_is_recorded(breach_world, client):
    world = breach_world
    director = world.users["director"]
    breach = world.breaches["school"]
    breach_decide(
        user=director, breach=breach, risk=Risk.RISK, notify_authority=True, reason="Risico"
    )

    (item,) = _breach_items(client, director, breach)
    assert item.link.endswith("#follow-heading")
    assert item.urgency == "due-soon"

    breach_update(
        user=director,
        breach=breach,
        authority_notified_on=timezone.localdate(),
        authority_reference="AP-2026-1",
    )
    assert _breach_items(client, director, breach) == []
