"""Retention's to-do item on the start page (retention/todos.py): the director sees each of
their schools whose retention rules wait to be set up, linking to the retention page of that
school; once set up, the item is gone. Not the privacy officer (who cannot set them up), nor
another role, nor another school."""

from __future__ import annotations

import pytest
from django.urls import reverse

from retention.services import rules_set_up
from tests.todo_items import links

ROLES = ["director", "administration", "care_coordinator", "teacher", "privacy_officer"]


def _link(school) -> str:
    return f"{reverse('retention')}?school={school.pk}#rules-set-up"


@pytest.mark.parametrize("role", ROLES)
def test_rules_to_set_up_are_on_the_directors_list_only(world, client, role):
    shown = links(client, world.users[role])

    assert (_link(world.school) in shown) is (role == "director")
    assert _link(world.other_school) not in shown


def test_the_item_is_gone_once_the_rules_are_set_up(world, client):
    director = world.users["director"]
    rules_set_up(user=director, school=world.school)

    assert _link(world.school) not in links(client, director)
