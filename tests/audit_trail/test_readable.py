"""The audit trail a person can review: the director reads names of staff and pupils and what
each object is, with links where she may open it, and filters by name; the board's privacy
officer reads staff names, the pupil number, the school and the group, never a pupil's name
(page, download, API); guardians read roles, never names. Names are looked up when shown, never
written into the events, so the hash chain stays as it was."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.chain import chain_extend, chain_verify
from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent
from audit_trail.views import csv_keys
from students.models import Placement
from tests.students.factories import GroupFactory

NAMES = {
    "director": "Henriëtte Oosterhuis",
    "care_coordinator": "Ingrid 't Hart",
    "teacher": "Joost Leeuwarden",
    "guardian": "Marloes de Vries",
}
# Every way a pupil of the world is named: given name, surname and first names.
PUPIL_WORDS = ("Tim", "Vries", "Sara", "Bakker", "Noah", "Kortenhoeve")


@pytest.fixture
def named(world):
    for role, name in NAMES.items():
        user = world.users[role]
        user.full_name = name
        user.save(update_fields=["full_name"])
    for pupil in (world.pupil3, world.pupil5, world.other_pupil):
        pupil.first_names = pupil.given_name
        pupil.save(update_fields=["first_names"])
    return world


def _event(world, role: str, student, **fields) -> AccessEvent:
    user = world.users[role]
    data = {
        "actor_id": user.pk,
        "role": ",".join(sorted(user.role_names)),
        "action": Action.VIEW,
        "outcome": Outcome.ALLOWED,
        "data_kind": DataKind.BASICS,
        "object_type": "student",
        "object_id": str(student.pk),
        "student_id": student.pk,
        "school_id": (fields.pop("school", None) or student.school).pk,
    }
    return AccessEvent.objects.create(**{**data, **fields})


def _html(client, world, role, **params) -> str:
    client.force_login(world.users[role])
    response = client.get(reverse("audit-event-list"), params)
    assert response.status_code == 200
    return response.content.decode()


def _api(api, world, role, **params) -> dict:
    api.force_login(world.users[role])
    response = api.get(reverse("api:audit-event-list"), {"page_size": 100, **params})
    assert response.status_code == 200
    return response.json()


def _csv(client, world, role, **params) -> tuple[str, list[dict[str, str]]]:
    client.force_login(world.users[role])
    response = client.get(reverse("audit-event-export"), params)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(body)))
    keys = csv_keys(sees_pupils=role == "director")
    assert len(header) == len(keys)
    return body, [dict(zip(keys, row, strict=True)) for row in rows]


# --- the director ---------------------------------------------------------------------------


def test_director_reads_staff_and_pupil_names_with_links(named, client):
    world = named
    _event(world, "teacher", world.pupil3)
    care = world.care["teachers"]
    _event(
        world,
        "care_coordinator",
        world.pupil5,
        object_type="care_record",
        object_id=str(world.care["pupil5"].pk),
        data_kind=DataKind.CARE,
        special_category=True,
    )
    html = _html(client, world, "director")
    assert NAMES["teacher"] in html
    assert NAMES["care_coordinator"].replace("'", "&#x27;") in html
    assert "Tim de Vries" in html and "Sara Bakker" in html
    assert f'href="{reverse("student-detail", args=[world.pupil3.pk])}"' in html
    record_url = reverse("care-record-detail", args=[world.pupil5.pk, world.care["pupil5"].pk])
    assert f'href="{record_url}"' in html
    assert care.content not in html  # the object is named, its content is not shown
    assert world.school.name in html and world.group3.name in html


def test_director_sees_no_name_and_no_link_for_pupil_outside_her_scope(named, client):
    world = named
    # An event at her school about a pupil who is now at the other school of the board.
    _event(world, "teacher", world.other_pupil, school=world.school)
    html = _html(client, world, "director")
    assert "Kortenhoeve" not in html
    assert f'href="{reverse("student-detail", args=[world.other_pupil.pk])}"' not in html
    assert f"{world.other_pupil.pk}</td>" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"staff": "joost"}, {("teacher", "pupil3")}),
        ({"staff": "Ingrid Hart"}, {("care_coordinator", "pupil5")}),
        ({"pupil": "sara"}, {("care_coordinator", "pupil5")}),
        ({"pupil": "Tim de Vries"}, {("teacher", "pupil3")}),
        ({"pupil": "Tim", "staff": "Ingrid"}, set()),
        ({"staff": "Nobody Here"}, set()),
    ],
)
def test_director_filters_by_staff_and_pupil_name(named, client, api, params, expected):
    world = named
    events = {
        _event(world, "teacher", world.pupil3).pk: ("teacher", "pupil3"),
        _event(world, "care_coordinator", world.pupil5).pk: ("care_coordinator", "pupil5"),
    }
    params = {**params, "action": "view"}  # not the world's own events (it set itself up)
    client.force_login(world.users["director"])
    page = client.get(reverse("audit-event-list"), params).context["rows"]
    assert {events[row.event.pk] for row in page if row.event.pk in events} == expected
    assert len(page) == len(expected)
    results = _api(api, world, "director", **params)["results"]
    assert {events[e["id"]] for e in results} == expected


def test_pupil_filter_matches_the_names_shown_not_the_official_first_names(named, client):
    """The pupil list's search (issue 22: "Milan" found a pupil called Tim): the audit trail's
    pupil filter matches the same names, never official first names no page shows."""
    world = named
    world.pupil3.first_names = "Milan Timotheus"
    world.pupil3.save(update_fields=["first_names"])
    _event(world, "teacher", world.pupil3)
    client.force_login(world.users["director"])
    hidden = client.get(reverse("audit-event-list"), {"pupil": "Milan", "action": "view"})
    shown = client.get(reverse("audit-event-list"), {"pupil": "Tim", "action": "view"})
    assert len(hidden.context["rows"]) == 0
    assert len(shown.context["rows"]) == 1


def test_director_csv_has_the_readable_columns(named, client):
    world = named
    _event(world, "teacher", world.pupil3)
    _body, rows = _csv(client, world, "director", pupil="Tim", action="view")
    (row,) = rows
    assert row["actor_name"] == NAMES["teacher"]
    assert row["pupil_name"] == "Tim de Vries"
    assert row["pupil_number"] == str(world.pupil3.pk)
    assert row["school"] == world.school.name
    assert row["group"] == world.group3.name
    assert row["role"] and "teacher" not in row["role"]  # the role in words


def test_director_api_has_names_and_links(named, api):
    world = named
    _event(world, "teacher", world.pupil3)
    (item,) = _api(api, world, "director", student=world.pupil3.pk, action="view")["results"]
    assert item["actor_name"] == NAMES["teacher"]
    assert item["pupil_name"] == "Tim de Vries"
    assert item["pupil_url"] == reverse("student-detail", args=[world.pupil3.pk])
    assert item["object_url"] == reverse("student-detail", args=[world.pupil3.pk])
    assert item["pupil_number"] == world.pupil3.pk
    assert item["school_name"] == world.school.name
    assert item["group_name"] == world.group3.name


def test_typed_pupil_name_is_not_kept_in_the_downloads_event(named, client):
    world = named
    _event(world, "teacher", world.pupil3)
    _csv(client, world, "director", pupil="Tim de Vries", staff="Joost")
    export = AccessEvent.objects.get(object_type="audit_export")
    assert "Tim" not in export.object_id and "Joost" not in export.object_id
    assert "pupil=" in export.object_id


# --- the board's privacy officer ------------------------------------------------------------


def _privacy_officer_world(world):
    _event(world, "teacher", world.pupil3)
    _event(world, "care_coordinator", world.pupil5, data_kind=DataKind.CARE)
    _event(world, "director", world.other_pupil)
    _event(world, "guardian", world.pupil3, object_type="child")


def test_privacy_officer_reads_staff_number_school_and_group_never_a_pupils_name(
    named, client, api
):
    world = named
    _privacy_officer_world(world)
    html = _html(client, world, "privacy_officer")
    body, rows = _csv(client, world, "privacy_officer")
    data = _api(api, world, "privacy_officer")
    as_text = str(data)
    for text in (html, body, as_text):
        for word in PUPIL_WORDS:
            assert word not in text, word
        # A parent's name would say whose pupil number it is.
        assert NAMES["guardian"] not in text
        assert NAMES["teacher"] in text
        assert world.other_school.name in text and world.other_group.name in text
        assert str(world.pupil5.pk) in text
    assert "pupil_name" not in csv_keys(sees_pupils=False)
    numbers = {row["pupil_number"] for row in rows}
    assert {str(world.pupil3.pk), str(world.pupil5.pk), str(world.other_pupil.pk)} <= numbers
    assert {item["pupil_name"] for item in data["results"]} == {None}
    assert {item["pupil_url"] for item in data["results"]} == {None}
    by_pupil = {item["pupil_number"]: item for item in data["results"] if item["pupil_number"]}
    assert by_pupil[world.pupil5.pk]["group_name"] == world.group5.name
    assert by_pupil[world.other_pupil.pk]["school_name"] == world.other_school.name


def test_privacy_officer_cannot_filter_by_pupil_name(named, client, api):
    world = named
    _privacy_officer_world(world)
    client.force_login(world.users["privacy_officer"])
    response = client.get(reverse("audit-event-list"), {"pupil": "Sara"})
    assert "pupil" not in response.context["form"].fields
    everything = _api(api, world, "privacy_officer")["count"]
    assert _api(api, world, "privacy_officer", pupil="Sara")["count"] == everything


def test_privacy_officer_filters_staff_by_name_but_not_a_parent(named, api):
    world = named
    _privacy_officer_world(world)
    results = _api(api, world, "privacy_officer", staff="Joost")["results"]
    assert {item["actor_name"] for item in results} == {NAMES["teacher"]}
    assert _api(api, world, "privacy_officer", staff="Marloes")["count"] == 0


def test_group_shown_is_the_pupils_group_on_the_day(named, api):
    world = named
    earlier = GroupFactory.create(school=world.school, name="Groep 2", year_group_low=2)
    today = timezone.localdate()
    Placement.objects.filter(student=world.pupil3).update(started_on=today)
    Placement.objects.create(
        student=world.pupil3,
        group=earlier,
        school_year=today.year - 1,
        started_on=today - datetime.timedelta(days=400),
        ended_on=today - datetime.timedelta(days=1),
    )
    last_year = timezone.now() - datetime.timedelta(days=200)
    _event(world, "teacher", world.pupil3, created_at=last_year)
    _event(world, "teacher", world.pupil3)
    results = _api(api, world, "privacy_officer", student=world.pupil3.pk, action="view")["results"]
    assert [item["group_name"] for item in results] == [world.group3.name, "Groep 2"]


# --- guardians ------------------------------------------------------------------------------


def test_guardian_access_log_shows_roles_never_staff_names(named, client):
    world = named
    for role in ("director", "care_coordinator", "teacher"):
        _event(world, role, world.pupil3)
    client.force_login(world.users["guardian"])
    response = client.get(reverse("child-access-log", args=[world.pupil3.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for role in ("director", "care_coordinator", "teacher"):
        assert NAMES[role].replace("'", "&#x27;") not in html
        assert NAMES[role] not in html
    assert len(response.context["entries"]) >= 3


# --- names at display time, the chain untouched ---------------------------------------------


def test_names_are_looked_up_when_shown_and_never_stored(named, client):
    world = named
    event = _event(world, "teacher", world.pupil3)
    chain_extend()
    stored = AccessEvent.objects.filter(pk=event.pk).values().get()
    assert NAMES["teacher"] in _html(client, world, "director")
    teacher = world.users["teacher"]
    teacher.full_name = "Joost van Leeuwarden-Smit"
    teacher.save(update_fields=["full_name"])
    html = _html(client, world, "director")
    assert "Joost van Leeuwarden-Smit" in html
    assert AccessEvent.objects.filter(pk=event.pk).values().get() == stored
    chain_extend()
    assert chain_verify().ok


def test_export_links_only_for_the_one_who_asked_for_it(named, api):
    world = named
    exports = world.suppliers["exports"]
    mine, colleagues = exports["director"], exports["administration"]
    for export in (mine, colleagues):
        _event(world, "administration", world.pupil3, object_type="export", object_id=export.pk)
    results = _api(api, world, "director", object_type="export")["results"]
    urls = {
        item["object_id"]: item["object_url"] for item in results if item["object_type"] == "export"
    }
    assert urls == {
        str(mine.pk): reverse("export-detail", args=[mine.pk]),
        str(colleagues.pk): None,
    }
    officer = _api(api, world, "privacy_officer")["results"]
    assert all(item["object_url"] is None for item in officer)


def test_no_role_reads_as_the_portal_or_not_logged_in(world, api):
    AccessEvent.objects.create(
        action=Action.CREATE,
        outcome=Outcome.ALLOWED,
        object_type="group",
        school_id=world.school.pk,
    )
    AccessEvent.objects.create(
        action=Action.VIEW, outcome=Outcome.DENIED, object_type="student", school_id=world.school.pk
    )
    results = _api(api, world, "director", school=world.school.pk)["results"]
    labels = {(item["action"], item["outcome"]): item["role_label"] for item in results}
    assert labels[("view", "denied")] != labels[("create", "allowed")]
    assert all(item["role_label"] for item in results)
