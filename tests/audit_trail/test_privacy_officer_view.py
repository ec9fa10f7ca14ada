"""What the privacy officer (and the director) see of the audit trail: filters, the CSV
export, the weekly summary of special-category reads, and constant query counts."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent
from audit_trail.views import csv_header, csv_keys
from students.models import ProgressRecord


def _event(world, *, student=None, school=None, **fields) -> AccessEvent:
    data_kind = fields.pop("data_kind", DataKind.CARE)
    defaults = {
        "action": Action.VIEW,
        "outcome": Outcome.ALLOWED,
        "role": "care_coordinator",
        "data_kind": data_kind,
        "special_category": data_kind in (DataKind.CARE, DataKind.RELIGION),
    }
    student = student or world.pupil3
    return AccessEvent.objects.create(
        student_id=student.pk,
        school_id=(school or student.school).pk,
        **{**defaults, **fields},
    )


def _api_events(world, api, as_role="privacy_officer", **params):
    api.force_login(world.users[as_role])
    response = api.get(reverse("api:audit-event-list"), {"page_size": 100, **params})
    return response


# --- the API list and its filters -----------------------------------------------------------


def test_only_that_pupils_events_when_filtered_by_pupil(world, api):
    mine = {_event(world).pk, _event(world, data_kind=DataKind.PROGRESS).pk}
    _event(world, student=world.pupil5)
    _event(world, student=world.other_pupil)
    response = _api_events(world, api, student=world.pupil3.pk)
    assert response.status_code == 200
    results = response.json()["results"]
    assert {e["student_id"] for e in results} == {world.pupil3.pk}
    expected = set(
        AccessEvent.objects.filter(student_id=world.pupil3.pk).values_list("pk", flat=True)
    )
    assert {e["id"] for e in results} == expected
    assert mine <= expected
    for item in results:
        assert {"action", "role", "special_category", "outcome", "created_at"} <= set(item)


def test_only_special_category_events_when_filtered_on_it(world, api):
    care = _event(world)
    religion = _event(world, data_kind=DataKind.RELIGION, role="director")
    _event(world, data_kind=DataKind.PROGRESS)
    _event(world, data_kind=DataKind.BASICS)
    response = _api_events(world, api, special_category="true", student=world.pupil3.pk)
    assert response.status_code == 200
    results = response.json()["results"]
    assert {e["id"] for e in results} == {care.pk, religion.pk}
    assert all(e["special_category"] is True for e in results)
    plain = _api_events(world, api, special_category="false", student=world.pupil3.pk).json()
    assert plain["results"] and all(e["special_category"] is False for e in plain["results"])


@pytest.mark.parametrize(
    ("role_filter", "matches"),
    [("care_coordinator", True), ("teacher", True), ("director", False)],
)
def test_role_filter_matches_one_of_several_roles_when_actor_holds_them(
    world, api, role_filter, matches
):
    both = _event(world, role="care_coordinator,teacher")
    response = _api_events(world, api, role=role_filter, student=world.pupil3.pk)
    assert response.status_code == 200
    ids = {e["id"] for e in response.json()["results"]}
    assert (both.pk in ids) is matches


def test_only_events_of_that_school_when_filtered_by_school_in_scope(world, api):
    here = _event(world)
    there = _event(world, student=world.other_pupil)
    response = _api_events(world, api, school=world.other_school.pk)
    assert response.status_code == 200
    ids = {e["id"] for e in response.json()["results"]}
    assert there.pk in ids and here.pk not in ids
    assert {e["school_id"] for e in response.json()["results"]} == {world.other_school.pk}


@pytest.mark.parametrize(
    ("role", "school"),
    [("privacy_officer", "foreign"), ("director", "other_school")],
)
def test_400_when_school_filter_is_outside_callers_scope(world, api, role, school):
    _event(world, student=world.foreign_pupil)
    _event(world, student=world.other_pupil)
    target = world.foreign_pupil.school if school == "foreign" else world.other_school
    response = _api_events(world, api, as_role=role, school=target.pk)
    assert response.status_code == 400
    assert "school" in response.json()
    assert str(target.pk) not in {
        str(value) for value, _label in _offered_schools(world, role) if value != ""
    }


def _offered_schools(world, role):
    from audit_trail.forms import EventFilterForm
    from audit_trail.selectors import audit_schools_for

    return EventFilterForm(schools=audit_schools_for(world.users[role])).fields["school"].choices


def test_form_offers_only_schools_in_scope_when_privacy_officer_filters(world):
    offered = {value for value, _label in _offered_schools(world, "privacy_officer") if value}
    assert offered == {world.school.pk, world.other_school.pk}


# --- the CSV export -------------------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_csv_holds_one_line_per_filtered_event_when_privacy_officer_exports(world, client):
    wanted = {_event(world).pk, _event(world, data_kind=DataKind.RELIGION).pk}
    _event(world, data_kind=DataKind.PROGRESS)  # filtered out: not special category
    _event(world, student=world.pupil5)  # filtered out: another pupil
    _event(world, student=world.foreign_pupil)  # out of scope
    client.force_login(world.users["privacy_officer"])
    before = AccessEvent.objects.count()
    response = client.get(
        reverse("audit-event-export"),
        {"student": world.pupil3.pk, "special_category": "true"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _csv_rows(response)
    keys = csv_keys(sees_pupils=False)
    assert header == csv_header(sees_pupils=False)
    assert keys[:4] == ["created_at", "actor_name", "actor_id", "role"]
    assert {"special_category", "outcome", "pupil_number", "school", "group"} <= set(keys)
    expected = AccessEvent.objects.filter(student_id=world.pupil3.pk, special_category=True)
    assert len(rows) == expected.count() == len(wanted)
    student_col = keys.index("pupil_number")
    assert {row[student_col] for row in rows} == {str(world.pupil3.pk)}

    assert AccessEvent.objects.count() == before + 1
    (export,) = AccessEvent.objects.filter(request_id=response["X-Request-ID"])
    assert export.action == Action.EXPORT
    assert export.actor_id == world.users["privacy_officer"].pk
    assert export.outcome == Outcome.ALLOWED


def test_csv_holds_only_own_school_when_director_exports(world, client):
    _event(world)
    _event(world, student=world.other_pupil)
    client.force_login(world.users["director"])
    response = client.get(reverse("audit-event-export"))
    assert response.status_code == 200
    _header, *rows = _csv_rows(response)
    school_col = csv_keys(sees_pupils=True).index("school")
    assert rows
    assert {row[school_col] for row in rows} == {world.school.name}
    assert len(rows) == AccessEvent.objects.filter(school_id=world.school.pk).count()


def test_403_and_no_csv_when_teacher_exports(world, client):
    _event(world)
    client.force_login(world.users["teacher"])
    response = client.get(reverse("audit-event-export"))
    assert response.status_code == 403
    assert not AccessEvent.objects.filter(action=Action.EXPORT).exists()
    assert "text/csv" not in response.get("Content-Type", "")


# --- reads of special-category data per role per week ---------------------------------------


def test_summary_counts_allowed_special_reads_per_role_per_week(world, client):
    now = timezone.now()
    last_week = now - datetime.timedelta(days=7)
    _event(world, role="care_coordinator", created_at=now)
    _event(world, role="care_coordinator", created_at=now, student=world.pupil5)
    _event(world, role="teacher", created_at=now, student=world.other_pupil)
    _event(world, role="director", data_kind=DataKind.RELIGION, created_at=now)
    _event(world, role="care_coordinator", created_at=last_week)
    # None of these count: denied, not special, not a read, out of scope, too old.
    _event(world, role="teacher", outcome=Outcome.DENIED, created_at=now)
    _event(world, role="teacher", data_kind=DataKind.PROGRESS, created_at=now)
    _event(world, role="care_coordinator", action=Action.CREATE, created_at=now)
    _event(world, role="teacher", student=world.foreign_pupil, created_at=now)
    _event(world, role="teacher", created_at=now - datetime.timedelta(weeks=13))

    client.force_login(world.users["privacy_officer"])
    response = client.get(reverse("audit-care-summary"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["role"], r["data_kind"], r["reads"]) for r in rows] == [
        ("care_coordinator", "care", 2),
        ("director", "religion", 1),
        ("teacher", "care", 1),
        ("care_coordinator", "care", 1),
    ]
    this_week, older = rows[0]["week"], rows[-1]["week"]
    assert {r["week"] for r in rows[:3]} == {this_week}
    assert older < this_week


def test_summary_counts_real_reads_when_care_file_is_opened(world, client):
    client.force_login(world.users["care_coordinator"])
    for _ in range(2):
        assert client.get(reverse("student-care", args=[world.pupil3.pk])).status_code == 200
    client.force_login(world.users["director"])
    response = client.get(reverse("audit-care-summary"))
    assert response.status_code == 200
    assert [(r["role"], r["data_kind"], r["reads"]) for r in response.context["rows"]] == [
        ("care_coordinator", "care", 2)
    ]


def test_403_when_teacher_opens_summary(world, client):
    client.force_login(world.users["teacher"])
    assert client.get(reverse("audit-care-summary")).status_code == 403


# --- query counts ---------------------------------------------------------------------------


def _queries(http, url: str, **params) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _add_progress(world, count: int) -> None:
    recorders = [world.users["teacher"], world.users["director"], None]
    for n in range(count):
        ProgressRecord.objects.create(
            student=world.pupil3,
            group=world.group3 if n % 2 else None,
            subject="maths",
            period=f"Toets {n}",
            result="7",
            recorded_by=recorders[n % len(recorders)],
        )


@pytest.mark.parametrize(
    ("route", "role"),
    [
        ("student-progress", "teacher"),
        ("student-progress", "director"),
        ("api:student-progress", "teacher"),
        ("api:student-progress", "care_coordinator"),
        ("api:student-progress", "guardian"),
    ],
)
def test_progress_list_queries_do_not_grow_when_rows_grow(world, client, api, route, role):
    http = api if route.startswith("api:") else client
    http.force_login(world.users[role])
    url = reverse(route, args=[world.pupil3.pk])
    _add_progress(world, 1)
    one, _response = _queries(http, url)
    _add_progress(world, 49)
    fifty, response = _queries(http, url)
    if route.startswith("api:"):
        assert len(response.json()) == 50
    else:
        assert len(response.context["records"]) == 50
    assert one == fifty, f"{route} as {role}: {one} queries for 1 row, {fifty} for 50"


@pytest.mark.parametrize("route", ["audit-event-list", "api:audit-event-list"])
def test_audit_list_queries_do_not_grow_when_privacy_officer_lists(world, client, api, route):
    http = api if route.startswith("api:") else client
    http.force_login(world.users["privacy_officer"])
    url = reverse(route)
    roles = ["care_coordinator", "teacher", "director,teacher", "guardian"]
    # Names are looked up once per kind of thing on the page (people, pupils, schools), so
    # the one event has someone who acted too.
    _event(world, student=world.pupil5, actor_id=world.users["teacher"].pk)
    one, _response = _queries(http, url, student=world.pupil5.pk, page_size=50)
    for n in range(49):
        _event(world, student=world.pupil5, role=roles[n % len(roles)], actor_id=n + 1)
    fifty, response = _queries(http, url, student=world.pupil5.pk, page_size=50)
    if route.startswith("api:"):
        assert len(response.json()["results"]) == 50
    else:
        assert len(response.context["page"].object_list) == 50
    assert one == fifty, f"{route}: {one} queries for 1 event, {fifty} for 50"
