"""The school-operations API: the director's staff list and deactivation, and the next school
year (preview and apply). Fixed shapes, scope (404), function (403), no login (401)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.constants import Role
from accounts.services import token_issue
from audit.constants import Outcome
from audit.models import AccessEvent
from students.models import Group, Placement, RolloverPlan, StaffDeactivation, Student
from students.rollover.services import plan_save

from ..students.factories import GroupFactory, SchoolFactory, StudentFactory, make_staff

STAFF_LIST = reverse("api:staff-list")
PREVIEW = reverse("api:rollover-preview")
APPLY = reverse("api:rollover-apply")
NOT_DIRECTORS = (
    "administration",
    "care_coordinator",
    "teacher",
    "privacy_officer",
    "guardian",
    "guardian_limited",
)
MOVE_KEYS = {"student", "from_group", "to_group", "year_from", "year_to", "action", "destination"}


def _as(user) -> APIClient:
    """A client with the user's API token, as an app would call."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user)}")
    return client


def _deactivate_url(user) -> str:
    return reverse("api:staff-deactivate", args=[user.pk])


def _denied_event(response, user) -> bool:
    return AccessEvent.objects.filter(
        request_id=response["X-Request-ID"], outcome=Outcome.DENIED, actor_id=user.pk
    ).exists()


# --- the staff list ----------------------------------------------------------------------------


def test_director_lists_the_staff_of_their_school_only(operations_world):
    world = operations_world
    ops = world.operations

    response = _as(world.users["director"]).get(STAFF_LIST)

    assert response.status_code == 200
    rows = response.json()
    assert isinstance(rows, list)
    for row in rows:
        assert set(row) == {"id", "email", "roles", "active"}
    by_email = {row["email"]: row for row in rows}
    school_staff = {
        world.users["director"]: ["director"],
        world.users["administration"]: ["administration"],
        world.users["care_coordinator"]: ["care_coordinator"],
        world.users["teacher"]: ["teacher"],
        ops["colleague"]: ["teacher"],
    }
    for member, roles in school_staff.items():
        assert by_email[member.email] == {
            "id": member.pk,
            "email": member.email,
            "roles": roles,
            "active": True,
        }
    # Not the other school's colleague, and no guardian (they are not staff).
    assert ops["other_colleague"].email not in by_email
    assert world.users["guardian"].email not in by_email
    assert world.users["guardian_limited"].email not in by_email
    assert len(by_email) == len(rows), "someone is listed twice"


@pytest.mark.parametrize("role", NOT_DIRECTORS)
def test_staff_list_is_the_directors(operations_world, role):
    user = operations_world.users[role]

    response = _as(user).get(STAFF_LIST)

    assert response.status_code == 403
    assert _denied_event(response, user)


def test_staff_list_needs_a_login(operations_world):
    assert APIClient().get(STAFF_LIST).status_code == 401


# --- deactivation ------------------------------------------------------------------------------


def test_deactivation_ends_the_colleagues_account_and_token_at_once(operations_world):
    world = operations_world
    colleague = world.operations["colleague"]
    colleague_api = _as(colleague)
    assert colleague_api.get(reverse("api:student-list")).status_code == 200

    response = _as(world.users["director"]).post(_deactivate_url(colleague))

    assert response.status_code == 200
    assert response.json() == {
        "id": colleague.pk,
        "email": colleague.email,
        "roles": [],  # the staff role went with the permissions
        "active": False,
    }
    # The token the colleague held answers 401 from the next request on.
    assert colleague_api.get(reverse("api:student-list")).status_code == 401
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert StaffDeactivation.objects.filter(user=colleague, school=world.school).count() == 1
    # The staff list still shows the account, inactive.
    rows = {r["id"]: r for r in _as(world.users["director"]).get(STAFF_LIST).json()}
    assert rows[colleague.pk]["active"] is False


def test_a_second_deactivation_finds_nobody(operations_world):
    world = operations_world
    director = _as(world.users["director"])
    colleague = world.operations["colleague"]
    assert director.post(_deactivate_url(colleague)).status_code == 200

    response = director.post(_deactivate_url(colleague))

    assert response.status_code == 404
    assert StaffDeactivation.objects.filter(user=colleague).count() == 1


def test_a_colleague_of_another_school_is_not_found(operations_world):
    world = operations_world
    other = world.operations["other_colleague"]
    director = world.users["director"]

    response = _as(director).post(_deactivate_url(other))

    assert response.status_code == 404
    assert _denied_event(response, director)
    other.refresh_from_db()
    assert other.is_active
    assert _as(other).get(reverse("api:student-list")).status_code == 200
    assert not StaffDeactivation.objects.exists()


def test_the_director_cannot_deactivate_themself(operations_world):
    director = operations_world.users["director"]
    client = _as(director)

    response = client.post(_deactivate_url(director))

    assert response.status_code == 400
    assert response.json()["detail"]
    director.refresh_from_db()
    assert director.is_active
    assert client.get(STAFF_LIST).status_code == 200  # the token still works


def test_a_director_cannot_deactivate_the_boards_privacy_officer(operations_world):
    world = operations_world
    officer = world.users["privacy_officer"]

    response = _as(world.users["director"]).post(_deactivate_url(officer))

    assert response.status_code == 404
    officer.refresh_from_db()
    assert officer.is_active


@pytest.mark.parametrize("role", NOT_DIRECTORS)
def test_only_a_director_deactivates(operations_world, role):
    world = operations_world
    user = world.users[role]
    colleague = world.operations["colleague"]

    response = _as(user).post(_deactivate_url(colleague))

    assert response.status_code == 403
    assert _denied_event(response, user)
    colleague.refresh_from_db()
    assert colleague.is_active


def test_deactivation_needs_a_login(operations_world):
    colleague = operations_world.operations["colleague"]
    assert APIClient().post(_deactivate_url(colleague)).status_code == 401
    colleague.refresh_from_db()
    assert colleague.is_active


# --- the next school year ----------------------------------------------------------------------


@pytest.fixture
def turning_world(operations_world):
    """The school with a Groep 8 leaver and pupil5 kept back in the saved plan."""
    world = operations_world
    group8 = GroupFactory.create(school=world.school, name="Groep 8", year_group_low=8)
    world.leaver = StudentFactory.create(group=group8, given_name="Mila", surname="Jong")
    plan_save(
        user=world.users["director"],
        school=world.school,
        kept_back=[world.pupil5.pk],
        destinations={},
        teachers={},
    )
    return world


def _state():
    return (
        Group.objects.count(),
        Placement.objects.count(),
        sorted(Student.objects.values_list("pk", "group_id", "year_group", "withdrawn_on")),
    )


def test_preview_shows_groups_and_a_move_per_pupil(turning_world):
    world = turning_world

    response = _as(world.users["director"]).get(PREVIEW)

    assert response.status_code == 200
    data = response.json()
    assert data["school"] == {"id": world.school.pk, "name": world.school.name}
    assert data["school_year"] == world.group3.school_year + 1
    assert {g["name"] for g in data["groups"]} == {
        "Groep 3",
        "Groep 4",
        "Groep 5",
        "Groep 6",
        "Groep 8",
    }
    for move in data["moves"]:
        assert set(move) == MOVE_KEYS
    moves = {m["student"]: m for m in data["moves"]}
    # Only this school's pupils; the other school's pupil is no part of it.
    assert set(moves) == {world.pupil3.pk, world.pupil5.pk, world.leaver.pk}
    assert moves[world.pupil3.pk] == {
        "student": world.pupil3.pk,
        "from_group": "Groep 3",
        "to_group": "Groep 4",
        "year_from": 3,
        "year_to": 4,
        "action": "promote",
        "destination": "",
    }
    assert moves[world.pupil5.pk] | {"destination": ""} == {
        "student": world.pupil5.pk,
        "from_group": "Groep 5",
        "to_group": "Groep 5",
        "year_from": 5,
        "year_to": 5,
        "action": "keep_back",
        "destination": "",
    }
    leave = moves[world.leaver.pk]
    assert (leave["action"], leave["to_group"], leave["year_to"]) == ("leave", None, None)
    assert leave["destination"]
    pupils = {g["name"]: g["pupils"] for g in data["groups"]}
    assert pupils["Groep 4"] == 1 and pupils["Groep 5"] == 1 and pupils["Groep 8"] == 0
    # Previewing reads only.
    assert RolloverPlan.objects.get(school=world.school).status == RolloverPlan.Status.DRAFT


def test_apply_does_what_the_preview_showed_and_only_once(turning_world):
    world = turning_world
    director = _as(world.users["director"])
    preview = director.get(PREVIEW).json()
    other_before = (world.other_pupil.group_id, world.other_pupil.year_group)

    first = director.post(APPLY, {}, format="json")

    assert first.status_code == 200
    applied = first.json()
    assert applied["status"] == "applied"
    assert applied["moves"] == preview["moves"]
    assert [(g["name"], g["pupils"]) for g in applied["groups"]] == [
        (g["name"], g["pupils"]) for g in preview["groups"]
    ]
    year = preview["school_year"]
    for move in preview["moves"]:
        pupil = Student.objects.select_related("group").get(pk=move["student"])
        if move["action"] == "leave":
            assert pupil.group is None
            assert pupil.withdrawn_on is not None
            assert pupil.withdrawal_destination == move["destination"]
        else:
            assert (pupil.group.name, pupil.group.school_year) == (move["to_group"], year)
            assert pupil.year_group == move["year_to"]
            assert pupil.withdrawn_on is None
            assert (
                Placement.objects.filter(
                    student=pupil, group=pupil.group, ended_on__isnull=True
                ).count()
                == 1
            )
    world.other_pupil.refresh_from_db()
    assert (world.other_pupil.group_id, world.other_pupil.year_group) == other_before

    # Again: nothing changes, and the answer is the same.
    state = _state()
    second = director.post(APPLY, {}, format="json")
    assert second.status_code == 200
    assert second.json() == applied
    assert _state() == state
    # The preview now shows what was applied.
    assert director.get(PREVIEW).json() == applied


@pytest.mark.parametrize("role", NOT_DIRECTORS)
def test_only_a_director_turns_the_year(turning_world, role):
    world = turning_world
    user = world.users[role]
    client = _as(user)
    before = _state()

    preview = client.get(PREVIEW)
    apply = client.post(APPLY, {"school": world.school.pk}, format="json")

    assert (preview.status_code, apply.status_code) == (403, 403)
    assert _denied_event(preview, user) and _denied_event(apply, user)
    assert _state() == before


def test_another_schools_year_is_not_found(turning_world):
    world = turning_world
    director = world.users["director"]
    client = _as(director)
    before = _state()

    preview = client.get(PREVIEW, {"school": world.other_school.pk})
    apply = client.post(APPLY, {"school": world.other_school.pk}, format="json")

    assert (preview.status_code, apply.status_code) == (404, 404)
    assert _denied_event(preview, director) and _denied_event(apply, director)
    assert _state() == before
    assert not RolloverPlan.objects.filter(school=world.other_school).exists()


def test_the_year_needs_a_login(turning_world):
    before = _state()
    assert APIClient().get(PREVIEW).status_code == 401
    assert APIClient().post(APPLY, {}, format="json").status_code == 401
    assert _state() == before


# --- query counts ------------------------------------------------------------------------------


def _staff_list_queries(director) -> tuple[int, int]:
    client = APIClient()
    client.force_authenticate(director)
    client.get(STAFF_LIST)  # warm the process-wide caches (content types) once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(STAFF_LIST)
    assert response.status_code == 200
    return len(queries), len(response.json())


@pytest.mark.django_db
def test_the_staff_list_takes_the_same_queries_for_1_and_20_members():
    school = SchoolFactory.create(name="OBS Telling", brin="55QQ")
    director = make_staff(Role.DIRECTOR, school=school, email="head@count.example")
    one = _staff_list_queries(director)
    assert one[1] == 1

    groups = [
        GroupFactory.create(school=school, name=f"Groep {n}", year_group_low=n) for n in range(1, 9)
    ]
    for n in range(19):
        if n < 12:
            make_staff(Role.TEACHER, group=groups[n % 8], email=f"t{n}@count.example")
        else:
            role = (Role.ADMINISTRATION, Role.CARE_COORDINATOR)[n % 2]
            make_staff(role, school=school, email=f"s{n}@count.example")
    twenty = _staff_list_queries(director)

    assert twenty[1] == 20
    assert twenty[0] == one[0], f"1 member: {one[0]} queries, 20 members: {twenty[0]}"
