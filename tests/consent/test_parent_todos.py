"""Consent's to-do item for parents (consent/todos.py: campaign_todos): while the school's
consent round of this school year is open, a guardian with parental authority is asked, per
child, for the questions they have not answered themselves; the item links to the child's
consent page, says how many questions are open and has the lock date as its deadline. A
co-guardian's answers are not theirs; a guardian without authority may not give consent and is
never asked; staff are never asked; it is gone once every question is answered, and when the
round is locked."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consent.models import ConsentCampaign, ConsentPurpose
from consent.selectors.status import current_school_year
from tests.students.factories import make_guardian_user
from tests.todo_items import ALL_DONE, start_page, todo_items

STAFF = ["director", "administration", "care_coordinator", "teacher", "privacy_officer"]


def _link(student) -> str:
    return reverse("child-consent", args=[student.pk])


def _campaign(world, school=None, *, lock_after=None) -> ConsentCampaign:
    school = school or world.school
    return ConsentCampaign.objects.create(
        school=school,
        school_year=current_school_year(),
        lock_after=lock_after,
        started_by=world.users["director"],
    )


def _purposes(school) -> list[ConsentPurpose]:
    return list(ConsentPurpose.objects.filter(school=school, is_active=True))


@pytest.fixture
def co_guardian(world):
    """The child's other parent, also with parental authority, who has answered nothing."""
    return make_guardian_user(world.pupil3, email="co-parent@t.example")


def test_without_an_open_round_a_parent_is_not_asked(world, client):
    html = start_page(client, world.users["guardian"])
    assert _link(world.pupil3) not in [i.link for i in todo_items(client, world.users["guardian"])]
    assert ALL_DONE in html


def test_the_guardian_is_asked_for_the_questions_they_have_not_answered(world, client):
    lock = timezone.localdate() + datetime.timedelta(days=30)
    _campaign(world, lock_after=lock)
    open_questions = len(_purposes(world.school)) - 1  # the world's guardian answered "website"

    (item,) = [
        i for i in todo_items(client, world.users["guardian"]) if i.link == _link(world.pupil3)
    ]

    assert "Tim" in item.title
    assert f"{open_questions} questions" in item.meta
    assert world.school.name in item.meta
    assert item.urgency == "normal"
    assert client.get(item.link).status_code == 200


def test_the_co_guardian_is_asked_for_their_own_answers(world, client, co_guardian):
    _campaign(world)
    (item,) = [i for i in todo_items(client, co_guardian) if i.link == _link(world.pupil3)]
    # The other parent's answer to "website" is not this parent's.
    assert f"{len(_purposes(world.school))} questions" in item.meta


def test_a_guardian_without_parental_authority_is_never_asked(world, client):
    _campaign(world)
    limited = world.users["guardian_limited"]
    assert _link(world.pupil3) not in [i.link for i in todo_items(client, limited)]
    assert ALL_DONE in start_page(client, limited)
    # The page the item would link to refuses them: it is not theirs to act on.
    assert client.get(_link(world.pupil3)).status_code == 403


@pytest.mark.parametrize("role", STAFF)
def test_staff_are_never_asked_for_a_parents_consent(world, client, role):
    _campaign(world)
    assert not [i for i in todo_items(client, world.users[role]) if "/children/" in i.link]


def test_another_familys_child_is_not_on_the_list(world, client):
    _campaign(world)
    _campaign(world, world.other_school)
    links = [i.link for i in todo_items(client, world.users["guardian"])]
    assert _link(world.other_pupil) not in links


def test_the_item_is_gone_once_every_question_is_answered(world, client, co_guardian):
    _campaign(world)
    parent = world.users["guardian"]
    client.force_login(parent)
    for purpose in _purposes(world.school):
        if purpose.code == "website":
            continue
        response = client.post(_link(world.pupil3), {"purpose": purpose.pk, "decision": "refused"})
        assert response.status_code == 302

    assert _link(world.pupil3) not in [i.link for i in todo_items(client, parent)]
    # The co-guardian still has their own answers to give.
    assert _link(world.pupil3) in [i.link for i in todo_items(client, co_guardian)]


def test_a_locked_round_asks_nothing_and_a_closing_one_is_due_soon(world, client):
    today = timezone.localdate()
    campaign = _campaign(world, lock_after=today - datetime.timedelta(days=1))
    parent = world.users["guardian"]
    assert _link(world.pupil3) not in [i.link for i in todo_items(client, parent)]

    campaign.lock_after = today + datetime.timedelta(days=2)
    campaign.save()
    (item,) = [i for i in todo_items(client, parent) if i.link == _link(world.pupil3)]
    assert item.urgency == "due-soon"


def test_a_round_of_an_earlier_school_year_asks_nothing(world, client):
    campaign = _campaign(world)
    campaign.school_year -= 1
    campaign.save()
    assert _link(world.pupil3) not in [i.link for i in todo_items(client, world.users["guardian"])]
