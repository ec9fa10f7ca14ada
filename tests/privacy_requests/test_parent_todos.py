"""Privacy requests' to-do items for parents (privacy_requests/todos.py: requester_todos): the
guardian who made a request is asked to act when the school waits for information from them
(with the request's legal deadline) and when its access package is released and not yet
downloaded by them (with the link's expiry). Both link to the request's page, which opens for
them. A co-guardian, who did not make the request, is not asked; a guardian who no longer
holds parental authority is not asked (the page no longer opens for them); staff never see
these items; each is gone once done."""

from __future__ import annotations

import pytest
from django.urls import reverse

from privacy_requests import services
from privacy_requests.models import PrivacyRequest
from students.models import Guardianship
from tests.students.factories import make_guardian_user
from tests.todo_items import todo_items

STAFF = ["director", "administration", "care_coordinator", "teacher", "privacy_officer"]


def _page(request) -> str:
    return reverse("request-detail", args=[request.pk])


def _shown(client, user) -> dict:
    return {item.link: item for item in todo_items(client, user)}


def _waiting(world) -> PrivacyRequest:
    request = world.requests["access"]
    services.request_wait(
        user=world.users["administration"],
        request=request,
        question="Over welk schooljaar gaat uw vraag?",
    )
    request.refresh_from_db()
    return request


def test_the_requester_is_asked_when_the_school_waits_for_them(request_world, client):
    world = request_world
    request = _waiting(world)

    item = _shown(client, world.users["guardian"])[_page(request)]

    assert "more information" in item.title
    assert "Tim" in item.title
    assert f"#{request.pk}" in item.meta
    assert world.school.name in item.meta
    assert request.due_date.strftime("%Y") in item.meta
    assert client.get(item.link).status_code == 200


def test_a_request_not_waiting_for_them_asks_nothing(request_world, client):
    world = request_world
    request = world.requests["access"]  # received: the school is to act, not the parent
    assert _page(request) not in _shown(client, world.users["guardian"])


def test_the_item_is_gone_once_the_school_carries_on(request_world, client):
    world = request_world
    request = _waiting(world)
    services.request_start(user=world.users["administration"], request=request)
    assert _page(request) not in _shown(client, world.users["guardian"])


def test_the_co_guardian_is_not_asked_about_a_request_they_did_not_make(request_world, client):
    world = request_world
    co_parent = make_guardian_user(world.pupil3, email="co-parent@t.example")
    request = _waiting(world)
    assert _page(request) not in _shown(client, co_parent)
    # They may open it (it concerns their child), but the question is not theirs to answer.
    assert client.get(_page(request)).status_code == 200


def test_a_guardian_without_parental_authority_is_not_asked(request_world, client):
    world = request_world
    request = _waiting(world)
    assert _page(request) not in _shown(client, world.users["guardian_limited"])
    Guardianship.objects.filter(
        guardian=world.users["guardian"].guardian, student=world.pupil3
    ).update(has_authority=False)
    assert _page(request) not in _shown(client, world.users["guardian"])


@pytest.mark.parametrize("role", STAFF)
def test_staff_never_see_a_parents_items(request_world, client, role):
    world = request_world
    request = _waiting(world)
    items = todo_items(client, world.users[role])
    assert not [i for i in items if "more information" in i.title or "Download" in i.title]
    assert _page(request) not in {i.link for i in items}


def test_a_released_package_is_to_download_until_downloaded(request_world, client):
    world = request_world
    request = world.requests["released"]
    parent = world.users["guardian"]

    item = _shown(client, parent)[_page(request)]
    assert "Download" in item.title
    assert "Tim" in item.title
    assert item.urgency == "normal"
    assert client.get(item.link).status_code == 200

    services.package_download_record(user=parent, package=request.package, fmt="pdf")
    assert _page(request) not in _shown(client, parent)


def test_another_familys_request_is_not_on_the_list(request_world, client):
    world = request_world
    other = world.requests["other"]  # released, of another parent in the other school
    assert _page(other) not in _shown(client, world.users["guardian"])
    assert _page(other) in _shown(client, world.requests["other_parent"])
