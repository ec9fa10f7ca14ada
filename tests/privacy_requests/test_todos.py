"""Privacy requests' to-do items on the start page (privacy_requests/todos.py), each with its
legal deadline: administration and director see the school's requests received or in progress;
an access package built and awaiting release is for whoever releases it (director, care
coordinator), not for the administration; the board's privacy officer sees the board's open
requests that are overdue or due within a week. Never a request of another school or board, or
one that is answered."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy_requests import services
from privacy_requests.models import PrivacyRequest
from tests.students.factories import make_guardian_user
from tests.todo_items import todo_items

ROLES = ["director", "administration", "care_coordinator", "teacher", "privacy_officer"]


def _page(request) -> str:
    return reverse("request-detail", args=[request.pk])


def _shown(client, user) -> dict:
    return {item.link: item for item in todo_items(client, user)}


def _other_school_request(world) -> PrivacyRequest:
    parent = make_guardian_user(world.other_pupil, email="parent-brug@t.example")
    return services.request_submit(
        user=parent,
        student=world.other_pupil,
        guardian=parent.guardian,
        kind="access",
        description="Inzage Noah",
    )


def _due_in(request, days: int) -> None:
    PrivacyRequest.objects.filter(pk=request.pk).update(
        due_date=timezone.localdate() + datetime.timedelta(days=days)
    )


@pytest.mark.parametrize("role", ROLES)
def test_a_received_request_is_on_the_list_of_who_handles_it(request_world, client, role):
    world = request_world
    received = world.requests["access"]
    other = _other_school_request(world)
    foreign = world.requests["foreign"]

    shown = _shown(client, world.users[role])

    assert (_page(received) in shown) is (role in ("director", "administration"))
    if role != "privacy_officer":
        assert _page(other) not in shown
    assert _page(foreign) not in shown


@pytest.mark.parametrize("role", ROLES)
def test_a_built_package_is_for_whoever_releases_it(request_world, client, role):
    world = request_world
    built = world.requests["built"]

    shown = _shown(client, world.users[role])

    assert (_page(built) in shown) is (role in ("director", "care_coordinator"))
    if _page(built) in shown:
        assert f"#{built.pk}" in shown[_page(built)].title


def test_an_answered_request_leaves_the_list(request_world, client):
    world = request_world
    released = world.requests["released"]  # completed when its package was released
    request = world.requests["access"]
    director = world.users["director"]
    assert _page(request) in _shown(client, director)

    services.request_reject(user=director, request=request, reason="Geen gegevens")

    shown = _shown(client, director)
    assert _page(request) not in shown
    assert _page(released) not in shown


def test_the_privacy_officer_sees_the_boards_requests_near_or_past_their_deadline(
    request_world, client
):
    world = request_world
    officer = world.users["privacy_officer"]
    far = world.requests["access"]  # due in a month
    other = _other_school_request(world)
    foreign = world.requests["foreign"]
    assert _page(far) not in _shown(client, officer)

    _due_in(far, -1)
    _due_in(other, 3)
    _due_in(foreign, -1)
    shown = _shown(client, officer)

    assert shown[_page(far)].urgency == "overdue"
    assert shown[_page(other)].urgency == "due-soon"
    assert _page(foreign) not in shown


def test_requests_come_most_urgent_first_then_by_deadline(request_world, client):
    world = request_world
    first, second = world.requests["access"], _other_school_request(world)
    third = services.request_submit(
        user=world.users["guardian"],
        student=world.pupil3,
        guardian=world.users["guardian"].guardian,
        kind="access",
        description="Nog een vraag",
    )
    _due_in(first, 20)
    _due_in(third, 2)
    admin = world.users["administration"]

    links = [item.link for item in todo_items(client, admin)]

    assert _page(second) not in links
    assert links.index(_page(third)) < links.index(_page(first))
    assert [i.urgency for i in todo_items(client, admin) if i.link == _page(third)] == ["due-soon"]
