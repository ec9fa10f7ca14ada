"""Consent's to-do items on the start page (consent/todos.py): the director of the school sees
each publication with an open takedown, once, with the number of pupils; the item links to the
publication's page, where the takedown is resolved, and is gone once every takedown is done.
Other roles, and publications of another school, never show."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consent.services import takedown_resolve
from tests.todo_items import links, todo_items

ROLES = ["director", "administration", "care_coordinator", "teacher", "privacy_officer"]


def _link(publication) -> str:
    return reverse("consent-publication", args=[publication.pk])


@pytest.mark.parametrize("role", ROLES)
def test_open_takedowns_are_on_the_directors_list_only(world, client, role):
    shown = links(client, world.users[role])
    mine = [_link(world.publications[key]) for key in ("school", "teacher")]
    if role == "director":
        assert all(link in shown for link in mine)
    else:
        assert not any(link in shown for link in mine)
    # The other school's publication is never on the list of a director of this school.
    assert _link(world.publications["other"]) not in shown


def test_the_item_says_what_to_do_and_is_due_soon(world, client):
    (item,) = [
        i
        for i in todo_items(client, world.users["director"])
        if i.link == _link(world.publications["school"])
    ]
    assert "Sportdag" in item.title
    assert item.urgency == "due-soon"
    assert world.school.name in item.meta


def test_the_item_is_gone_once_the_takedown_is_resolved(world, client):
    director = world.users["director"]
    takedown_resolve(user=director, takedown=world.takedowns["school"])

    shown = links(client, director)

    assert _link(world.publications["school"]) not in shown
    assert _link(world.publications["teacher"]) in shown


def test_a_publication_without_an_open_takedown_is_not_on_the_list(world, client):
    """Neither one that never had a takedown nor one whose takedowns are all done; the count
    is of the open takedowns only."""
    from consent.models import Publication

    director = world.users["director"]
    clean = Publication.objects.create(
        school=world.school,
        title="Nieuwsbrief zonder intrekking",
        purpose=world.school.purposes.get(code="website"),
        publish_on=world.publications["school"].publish_on,
        created_by=director,
    )
    clean.pupils.set([world.pupil5])
    takedown_resolve(user=director, takedown=world.takedowns["teacher"])

    items = {i.link: i for i in todo_items(client, director)}

    assert _link(clean) not in items
    assert _link(world.publications["teacher"]) not in items
    assert "1" in items[_link(world.publications["school"])].meta
