"""The core's to-do items on the start page (students/todos.py): the director sees each care
record the care team asked to withhold from the parents (the Meldcode) and each group an import
proposed for a teacher, linking to where it is decided; once decided, the item is gone. No other
role, and nothing of another school."""

from __future__ import annotations

import pytest
from django.urls import reverse

from students.services import care_withhold_decide
from students.services.staff import teacher_proposal_dismiss
from tests.todo_items import links, todo_items

ROLES = ["director", "administration", "care_coordinator", "teacher", "privacy_officer"]


def _withholding(record) -> str:
    return f"{reverse('care-withholdings')}#w-{record.pk}"


@pytest.mark.parametrize("role", ROLES)
def test_pending_withholding_is_on_the_directors_list_only(world, client, role):
    shown = links(client, world.users[role])

    assert (_withholding(world.care["pending"]) in shown) is (role == "director")
    assert _withholding(world.care["other"]) not in shown  # the other school's
    assert _withholding(world.care["withheld"]) not in shown  # decided already


def test_the_withholding_item_names_the_pupil_and_is_due_soon(world, client):
    (item,) = [
        i
        for i in todo_items(client, world.users["director"])
        if i.link == _withholding(world.care["pending"])
    ]
    assert item.urgency == "due-soon"
    assert world.pupil5.display_name in item.meta


def test_the_withholding_item_is_gone_once_decided(world, client):
    director = world.users["director"]
    care_withhold_decide(user=director, record=world.care["pending"], approve=True)

    assert _withholding(world.care["pending"]) not in links(client, director)


@pytest.mark.parametrize("role", ROLES)
def test_proposed_group_is_on_the_directors_list_only(operations_world, client, role):
    world = operations_world
    shown = todo_items(client, world.users[role])
    colleague = world.operations["colleague"]
    other = world.operations["other_colleague"]
    proposals = [i for i in shown if i.link == f"{reverse('accounts:staff')}#proposals-heading"]

    assert any(colleague.full_name in i.title for i in proposals) is (role == "director")
    assert not any(other.full_name in i.title for i in proposals)


def test_proposed_group_is_gone_once_decided(operations_world, client):
    world = operations_world
    teacher_proposal_dismiss(user=world.users["director"], proposal=world.operations["proposal"])

    shown = todo_items(client, world.users["director"])

    assert not any(world.operations["colleague"].full_name in i.title for i in shown)
