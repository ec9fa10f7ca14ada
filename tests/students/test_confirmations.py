"""Consequential actions confirm what they do (issue 22, part 4): recording a change of
parental authority asks for the court decision's date and reference and says what changes;
ending a staff account says what happens; the parents' Ja and Nee look the same."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from students.models import Guardianship

DECISION = {
    "decided_on": "2026-03-02",
    "reference": "C/13/712345 / FA RK 26-1234",
    "confirm": "on",
}


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _link(world):
    return Guardianship.objects.get(student=world.pupil5, guardian=world.operations["guardian"])


def _urls(link):
    args = [link.student_id, link.guardian_id]
    return reverse("guardian-authority-confirm", args=args), reverse(
        "guardian-authority", args=args
    )


def test_the_pupil_page_links_to_a_confirmation_instead_of_changing_at_once(
    operations_world, client
):
    world = operations_world
    link = _link(world)
    confirm, record = _urls(link)
    client.force_login(world.users["administration"])
    page = client.get(reverse("student-detail", args=[world.pupil5.pk])).content.decode()
    assert f'href="{confirm}"' in page
    assert f'action="{record}"' not in page  # no one-click form on the pupil page


def test_confirmation_says_what_happens_and_asks_for_the_decision(operations_world, client):
    world = operations_world
    link = _link(world)
    confirm, record = _urls(link)
    client.force_login(world.users["director"])
    page = html.unescape(client.get(confirm).content.decode())

    assert "What happens when you record this" in page
    assert "sees only" in page and "basic data and progress" in page
    assert "can no longer give or refuse consent" in page
    assert f'action="{record}"' in page
    for name in ("decided_on", "reference", "confirm"):
        assert f'name="{name}"' in page
    assert '<input type="hidden" name="has_authority" value="0"' in page
    link.refresh_from_db()
    assert link.has_authority  # looking at it changes nothing


@pytest.mark.parametrize(
    ("missing", "field"),
    [("decided_on", "decided_on"), ("reference", "reference"), ("confirm", "confirm")],
)
def test_no_change_without_the_decision_and_the_confirmation(
    operations_world, client, missing, field
):
    world = operations_world
    link = _link(world)
    confirm, record = _urls(link)
    client.force_login(world.users["administration"])
    data = {"has_authority": "0", **DECISION}
    data.pop(missing)
    response = client.post(record, data)

    assert response.status_code == 303
    assert response["Location"] == confirm
    link.refresh_from_db()
    assert link.has_authority
    page = client.get(confirm).content.decode()
    assert re.search(
        rf'class="field[^"]*has-error[^"]*"[^>]*>\s*(<label[^>]*>[^<]*</label>\s*)?'
        rf'<p class="field-error" id="id_{field}_error">',
        page,
    )
    # What was typed stays.
    for name, value in DECISION.items():
        if name != missing and name != "confirm":
            assert html.escape(value) in page


def test_a_decision_in_the_future_is_refused(operations_world, client):
    world = operations_world
    link = _link(world)
    _confirm, record = _urls(link)
    client.force_login(world.users["administration"])
    tomorrow = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    client.post(record, {"has_authority": "0", **DECISION, "decided_on": tomorrow})
    link.refresh_from_db()
    assert link.has_authority


def test_the_decision_is_stored_and_shown_to_staff_who_see_the_guardians(operations_world, client):
    world = operations_world
    link = _link(world)
    _confirm, record = _urls(link)
    client.force_login(world.users["administration"])
    response = client.post(record, {"has_authority": "0", **DECISION})

    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.has_authority, link.authority_decided_on, link.authority_reference) == (
        False,
        datetime.date(2026, 3, 2),
        DECISION["reference"],
    )
    for role in ("administration", "director"):
        client.force_login(world.users[role])
        page = html.unescape(
            client.get(reverse("student-detail", args=[world.pupil5.pk])).content.decode()
        )
        assert DECISION["reference"] in page, role


def test_the_court_reference_is_not_shown_to_guardians(world, client):
    link = Guardianship.objects.get(student=world.pupil3, guardian=world.users["guardian"].guardian)
    Guardianship.objects.filter(pk=link.pk).update(
        authority_decided_on=datetime.date(2026, 3, 2), authority_reference="ZAAK-GEHEIM-1"
    )
    for role in ("guardian", "guardian_limited"):
        client.force_login(world.users[role])
        page = client.get(reverse("child-detail", args=[world.pupil3.pk])).content.decode()
        assert "ZAAK-GEHEIM-1" not in page, role
    client.force_login(world.users["director"])
    page = client.get(reverse("student-detail", args=[world.pupil3.pk])).content.decode()
    assert "ZAAK-GEHEIM-1" in page


# --- ending a staff account -----------------------------------------------------------------


def test_deactivation_confirms_what_happens_first(operations_world, client):
    world = operations_world
    colleague = world.operations["colleague"]
    confirm = reverse("accounts:staff-deactivate-confirm", args=[colleague.pk])
    deactivate = reverse("accounts:staff-deactivate", args=[colleague.pk])
    client.force_login(world.users["director"])

    staff_page = client.get(reverse("accounts:staff")).content.decode()
    assert f'href="{confirm}"' in staff_page
    assert f'action="{deactivate}"' not in staff_page

    page = html.unescape(client.get(confirm).content.decode())
    assert "can no longer log in" in page
    assert "stays in the audit trail" in page

    refused = client.post(deactivate, {})
    assert refused.status_code == 303
    assert refused["Location"] == confirm
    colleague.refresh_from_db()
    assert colleague.is_active
    assert "Confirm that the account is to be ended." in client.get(confirm).content.decode()

    client.post(deactivate, {"confirm": "on"})
    colleague.refresh_from_db()
    assert not colleague.is_active


# --- the parents' consent: Ja and Nee look the same -----------------------------------------


def test_yes_and_no_are_the_same_kind_of_button(world, client):
    client.force_login(world.users["guardian"])
    page = client.get(reverse("child-consent", args=[world.pupil3.pk])).content.decode()
    buttons = re.findall(r'<button type="submit" name="decision" value="(\w+)"([^>]*)>', page)
    assert buttons
    kinds = {value for value, _attrs in buttons}
    assert {"granted", "refused"} & kinds
    assert {attrs for _value, attrs in buttons} == {' class="choice"'}
