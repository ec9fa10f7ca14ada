"""The registers' API: ``GET/POST /api/v1/breaches/`` (the director for their school, the
board's privacy officer for the board) with the computed 72-hour deadline, its validation and a
constant number of queries; ``GET /api/v1/processing-register/``."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from audit.constants import Outcome
from audit.models import AccessEvent
from registers.constants import PupilSource
from registers.models import Breach
from registers.services import breach_pupils_add, breach_record

from ..students.factories import StudentFactory

BREACHES = reverse("api:breach-list")
REGISTER = reverse("api:processing-register")
FIELDS = {
    "id",
    "school",
    "occurred_at",
    "aware_at",
    "description",
    "categories",
    "status",
    "decision_due",
    "pupil_count",
    "risk",
    "notify_authority",
}


def _parse(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _body(school=None, **overrides) -> dict:
    return {
        "school": school.pk if school else None,
        "occurred_at": "2025-10-24T09:30:00+02:00",
        "aware_at": "2025-10-24T12:00:00+02:00",
        "description": "Klassenlijst naar een verkeerde ouder gemaild",
        "categories": ["identity", "contact"],
        **overrides,
    }


# --- POST ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["director", "privacy_officer"])
def test_recording_a_breach_answers_its_deadline_72_elapsed_hours_later_when_posted(
    world, api, role
):
    api.force_login(world.users[role])

    response = api.post(BREACHES, _body(world.school), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == FIELDS
    breach = Breach.objects.get(pk=data["id"])
    assert (breach.school_id, breach.board_id) == (world.school.pk, world.school.board_id)
    assert breach.created_by_id == world.users[role].pk
    assert data["school"] == world.school.pk
    assert _parse(data["aware_at"]) == _parse("2025-10-24T12:00:00+02:00")
    assert _parse(data["occurred_at"]) == _parse("2025-10-24T09:30:00+02:00")
    # Summer time ends in between: 72 elapsed hours end at 11:00 local on Monday.
    assert _parse(data["decision_due"]) == _parse("2025-10-27T11:00:00+01:00")
    assert _parse(data["decision_due"]) - _parse(data["aware_at"]) == datetime.timedelta(hours=72)
    assert data["pupil_count"] == 0
    assert (data["status"], data["risk"], data["notify_authority"]) == ("open", "", None)
    assert data["description"] == "Klassenlijst naar een verkeerde ouder gemaild"
    assert sorted(data["categories"]) == ["contact", "identity"]


def test_privacy_officer_records_a_board_wide_breach_when_no_school_is_named(world, api):
    api.force_login(world.users["privacy_officer"])

    response = api.post(BREACHES, _body(), format="json")

    assert response.status_code == 201, response.content
    breach = Breach.objects.get(pk=response.json()["id"])
    assert (breach.school_id, breach.board_id) == (None, world.school.board_id)


def _post(api, user, body) -> tuple[int, int]:
    """The status and how many breaches the call recorded."""
    api.force_login(user)
    before = Breach.objects.count()
    response = api.post(BREACHES, body, format="json")
    return response.status_code, Breach.objects.count() - before


def test_breach_is_refused_when_the_director_posts_it_for_another_school(world, api):
    director = world.users["director"]

    assert _post(api, director, _body(world.other_school)) == (400, 0)
    assert _post(api, director, _body(world.foreign_school)) == (400, 0)
    assert _post(api, director, _body()) == (400, 0)  # the whole board is not theirs
    assert _post(api, world.users["privacy_officer"], _body(world.foreign_school)) == (400, 0)
    assert _post(api, director, _body(world.school)) == (201, 1)  # same setup, allowed


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param(
            {"occurred_at": "2026-03-16T12:00:00+01:00", "aware_at": "2026-03-16T11:00:00+01:00"},
            id="aware-before-it-happened",
        ),
        pytest.param(
            {"occurred_at": "2026-03-16T10:00:00+01:00", "aware_at": "2026-03-16T13:00:00+01:00"},
            id="aware-in-the-future",
        ),
        pytest.param(
            {"occurred_at": "2026-03-16T12:30:00+01:00", "aware_at": "2026-03-16T12:45:00+01:00"},
            id="happened-in-the-future",
        ),
        pytest.param({"description": "   "}, id="no-description"),
        pytest.param({"aware_at": "gisteren"}, id="not-a-moment"),
        pytest.param({"categories": ["shoe_size"]}, id="unknown-category"),
    ],
)
def test_breach_is_refused_with_400_when_its_moments_or_fields_are_wrong(world, api, overrides):
    with freeze_time("2026-03-16 11:00:00"):  # 12:00 in Amsterdam
        got = _post(api, world.users["director"], _body(world.school, **overrides))

    assert got == (400, 0)


def test_breach_is_recorded_when_it_happened_and_became_known_just_now(world, api):
    with freeze_time("2026-03-16 11:00:00"):
        got = _post(
            api,
            world.users["director"],
            _body(
                world.school,
                occurred_at="2026-03-16T11:30:00+01:00",
                aware_at="2026-03-16T12:00:00+01:00",
            ),
        )

    assert got == (201, 1)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("teacher", 403),
        ("administration", 403),
        ("care_coordinator", 403),
        ("guardian", 403),
        ("anonymous", 401),
    ],
)
def test_breaches_are_refused_when_the_caller_has_no_breach_function(world, api, role, status):
    if role != "anonymous":
        api.force_login(world.users[role])

    got = (
        api.get(BREACHES).status_code,
        api.post(BREACHES, _body(world.school), format="json").status_code,
    )

    assert got == (status, status)
    assert not Breach.objects.exists()
    if role != "anonymous":
        assert (
            AccessEvent.objects.filter(
                actor_id=world.users[role].pk, outcome=Outcome.DENIED, object_type="breach"
            ).count()
            == 2
        )


# --- GET -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "visible"),
    [("director", {"school"}), ("privacy_officer", {"school", "other", "board"})],
)
def test_breach_list_holds_the_callers_breaches_when_read(breach_world, api, role, visible):
    world = breach_world
    breach_pupils_add(
        user=world.users["director"],
        breach=world.breaches["school"],
        student_ids=[world.pupil3.pk, world.pupil5.pk],
        source=PupilSource.MANUAL,
    )
    api.force_login(world.users[role])

    response = api.get(BREACHES)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == len(visible)
    rows = {row["id"]: row for row in data["results"]}
    assert set(rows) == {world.breaches[key].pk for key in visible}
    row = rows[world.breaches["school"].pk]
    assert set(row) == FIELDS
    assert row["pupil_count"] == 2
    assert _parse(row["decision_due"]) == world.breaches["school"].aware_at + datetime.timedelta(
        hours=72
    )
    if "other" in visible:
        assert rows[world.breaches["other"].pk]["pupil_count"] == 0


def _list_queries(api) -> tuple[int, int]:
    """Queries for one page of the list, and how many breaches it counts."""
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(BREACHES, {"page_size": 50})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["count"]


@pytest.mark.parametrize("role", ["director", "privacy_officer"])
def test_breach_list_queries_do_not_grow_when_there_are_20_breaches(world, api, role):
    user = world.users[role]
    api.force_login(user)
    pupils = [world.pupil3.pk, world.pupil5.pk]

    def add_breach():
        now = timezone.now()
        breach = breach_record(
            user=user,
            board_id=world.school.board_id,
            school=world.school,
            occurred_at=now - datetime.timedelta(hours=3),
            aware_at=now - datetime.timedelta(hours=1),
            description="Laptop verloren",
        )
        breach_pupils_add(user=user, breach=breach, student_ids=pupils, source=PupilSource.MANUAL)

    add_breach()
    one, count_one = _list_queries(api)
    pupils.append(StudentFactory.create(group=world.group3).pk)
    for _ in range(19):
        add_breach()
    twenty, count_twenty = _list_queries(api)

    assert (count_one, count_twenty) == (1, 20)
    assert one == twenty, f"{one} queries for 1 breach, {twenty} for 20"
    assert twenty <= 10


# --- the processing register -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["director", "privacy_officer"])
def test_processing_register_answers_its_activities_when_read(world, api, role):
    api.force_login(world.users[role])

    now = timezone.now().replace(microsecond=0)

    with freeze_time(now):
        response = api.get(REGISTER)

    assert response.status_code == 200
    data = response.json()
    assert _parse(data["generated_at"]) == now
    assert data["activities"]
    for activity in data["activities"]:
        assert isinstance(activity["purpose"], str) and activity["purpose"]
        for key in ("categories", "recipients", "retention"):
            assert isinstance(activity[key], list), (activity["purpose"], key)
    products = [a for a in data["activities"] if world.suppliers["product"].name in a["purpose"]]
    assert len(products) == 1
    assert products[0]["recipients"] == [world.suppliers["supplier"].name]
    assert products[0]["retention"] == [world.suppliers["product"].retention]
    assert world.suppliers["foreign_product"].name not in str(data)


@pytest.mark.parametrize(
    ("role", "status"),
    [("teacher", 403), ("administration", 403), ("guardian", 403), ("anonymous", 401)],
)
def test_processing_register_is_refused_when_the_caller_may_not_see_it(world, api, role, status):
    if role != "anonymous":
        api.force_login(world.users[role])

    response = api.get(REGISTER)

    assert response.status_code == status
    assert "activities" not in response.json()


def test_processing_register_queries_do_not_grow_with_the_schools_of_the_board(world, api):
    from consent.services import purposes_seed
    from retention.services import rules_seed
    from students.services import privacy_officer_assign_to_board, school_create

    officer = world.users["privacy_officer"]
    api.force_login(officer)
    url = reverse("api:processing-register")

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = api.get(url)
        assert response.status_code == 200
        return len(captured), len(response.json()["activities"])

    before, activities_before = queries()
    for n in range(3):
        school = school_create(board=world.school.board, name=f"OBS Extra {n}", brin=f"9{n}ZZ")
        purposes_seed(school=school)
        rules_seed(school=school)
    privacy_officer_assign_to_board(user=officer, board=world.school.board)
    after, activities_after = queries()

    assert activities_after > activities_before  # the new schools' purposes are in it
    assert after == before
