"""The care file: one special-category event per read, need-to-know lists, withholding from
guardians, writes with a justification and sealed storage."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent
from students.constants import WithholdStatus
from students.models import CareRecord
from students.services import care_record_update

from .factories import StudentFactory

TEACHERS_TEXT = "Dyslexie (verklaring 2025)"
CARE_TEAM_TEXT = "Handelingsplan rekenen"
WITHHELD_TEXT = "Signaal Meldcode"
WITHHELD_REASON = "Veiligheid van het kind"
JUSTIFICATION = "Extra tijd en voorleessoftware bij toetsen"
RELIGION = "Rooms-katholiek"


def _login(http, world, role):
    http.force_login(world.users[role])
    return http


def _request_events(response) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(request_id=response["X-Request-ID"]).order_by("id"))


def _only_event(response, before: int) -> AccessEvent:
    """The request wrote exactly one event, and it carries the request's id."""
    assert AccessEvent.objects.count() == before + 1
    (event,) = _request_events(response)
    return event


def _review_date() -> str:
    return (timezone.localdate() + datetime.timedelta(days=365)).isoformat()


def _care_form(**overrides) -> dict:
    return {
        "kind": "allergy",
        "content": "Allergie voor noten, EpiPen in de kast",
        "justification": "Leerkracht moet weten wat te doen bij een reactie",
        "source": "guardian",
        "review_date": _review_date(),
        "visibility": "teachers",
        "withhold_reason": "",
        **overrides,
    }


def _pupil3(world):
    return [world.pupil3.pk]


def _record(name):
    return lambda world: [world.pupil3.pk, world.care[name].pk]


# --- one event per read ---------------------------------------------------------------------

ALLOWED_READS = [
    ("student-care", "director", _pupil3, DataKind.CARE),
    ("student-care", "teacher", _pupil3, DataKind.CARE),
    ("care-record-detail", "care_coordinator", _record("care_team"), DataKind.CARE),
    ("care-record-detail", "teacher", _record("teachers"), DataKind.CARE),
    ("care-record-edit", "director", _record("withheld"), DataKind.CARE),
    ("api:student-care-records", "care_coordinator", _pupil3, DataKind.CARE),
    ("api:student-care-records", "guardian", _pupil3, DataKind.CARE),
    ("api:student-care-record", "teacher", _record("teachers"), DataKind.CARE),
    ("api:student-care-record", "guardian", _record("care_team"), DataKind.CARE),
    ("child-care", "guardian", _pupil3, DataKind.CARE),
    ("student-religion", "administration", _pupil3, DataKind.RELIGION),
    ("student-religion", "director", _pupil3, DataKind.RELIGION),
    ("child-religion", "guardian", _pupil3, DataKind.RELIGION),
    ("api:student-religion", "guardian", _pupil3, DataKind.RELIGION),
    ("api:student-religion", "administration", _pupil3, DataKind.RELIGION),
]


@pytest.mark.parametrize(
    ("route", "role", "args", "data_kind"),
    ALLOWED_READS,
    ids=[f"{route}-{role}" for route, role, _args, _kind in ALLOWED_READS],
)
def test_one_special_category_event_when_read_is_allowed(
    world, client, api, route, role, args, data_kind
):
    http = _login(api if route.startswith("api:") else client, world, role)
    before = AccessEvent.objects.count()
    response = http.get(reverse(route, args=args(world)))
    assert response.status_code == 200
    event = _only_event(response, before)
    assert event.outcome == Outcome.ALLOWED
    assert event.action == Action.VIEW
    assert event.special_category is True
    assert event.data_kind == data_kind
    assert event.actor_id == world.users[role].pk
    assert event.student_id == world.pupil3.pk
    assert event.school_id == world.school.pk


DENIED_READS = [
    ("student-care", "teacher", lambda w: [w.pupil5.pk], 404, DataKind.CARE),
    ("api:student-care-records", "teacher", lambda w: [w.pupil5.pk], 404, DataKind.CARE),
    ("student-care", "administration", _pupil3, 403, DataKind.CARE),
    ("api:student-care-records", "administration", _pupil3, 403, DataKind.CARE),
    ("child-care", "guardian_limited", _pupil3, 403, DataKind.CARE),
    ("api:student-care-records", "guardian_limited", _pupil3, 403, DataKind.CARE),
    ("api:student-care-record", "teacher", _record("care_team"), 404, DataKind.CARE),
    ("care-record-detail", "teacher", _record("care_team"), 404, DataKind.CARE),
    ("api:student-care-record", "guardian", _record("withheld"), 404, DataKind.CARE),
    ("child-religion", "guardian_limited", _pupil3, 403, DataKind.RELIGION),
    ("api:student-religion", "care_coordinator", _pupil3, 403, DataKind.RELIGION),
    ("api:student-religion", "teacher", _pupil3, 403, DataKind.RELIGION),
]


@pytest.mark.parametrize(
    ("route", "role", "args", "status", "data_kind"),
    DENIED_READS,
    ids=[f"{route}-{role}-{status}" for route, role, _a, status, _k in DENIED_READS],
)
def test_one_denied_special_category_event_when_read_is_refused(
    world, client, api, route, role, args, status, data_kind
):
    http = _login(api if route.startswith("api:") else client, world, role)
    before = AccessEvent.objects.count()
    response = http.get(reverse(route, args=args(world)))
    assert response.status_code == status
    event = _only_event(response, before)
    assert event.outcome == Outcome.DENIED
    assert event.special_category is True
    assert event.data_kind == data_kind
    assert event.actor_id == world.users[role].pk
    if status == 403:
        # A page of denial says nothing about the data itself.
        assert TEACHERS_TEXT not in response.content.decode()
        assert RELIGION not in response.content.decode()


@pytest.mark.parametrize(
    ("route", "role"),
    [
        ("student-care", "teacher"),
        ("student-care", "director"),
        ("api:student-care-records", "teacher"),
        ("api:student-care-records", "director"),
    ],
)
def test_one_allowed_event_when_care_file_is_empty(world, client, api, route, role):
    fresh = StudentFactory.create(group=world.group3)
    http = _login(api if route.startswith("api:") else client, world, role)
    before = AccessEvent.objects.count()
    response = http.get(reverse(route, args=[fresh.pk]))
    assert response.status_code == 200
    if route.startswith("api:"):
        assert response.json() == []
    else:
        assert list(response.context["records"]) == []
    event = _only_event(response, before)
    assert event.outcome == Outcome.ALLOWED
    assert event.special_category is True and event.data_kind == DataKind.CARE
    assert event.student_id == fresh.pk


# --- guardians never see withheld records ---------------------------------------------------


def _guardian_care_ids(world, api) -> set[int]:
    api.force_login(world.users["guardian"])
    response = api.get(reverse("api:student-care-records", args=[world.pupil3.pk]))
    assert response.status_code == 200
    return {item["id"] for item in response.json()}


def _guardian_care_page(world, client) -> str:
    client.force_login(world.users["guardian"])
    response = client.get(reverse("child-care", args=[world.pupil3.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_withheld_record_absent_when_guardian_opens_care_page(world, client):
    html = _guardian_care_page(world, client)
    assert TEACHERS_TEXT in html
    assert WITHHELD_TEXT not in html
    assert WITHHELD_REASON not in html


def test_withheld_record_absent_when_guardian_lists_care_records(world, api):
    assert _guardian_care_ids(world, api) == {
        world.care["teachers"].pk,
        world.care["care_team"].pk,
    }


def test_404_when_guardian_opens_withheld_record_by_id(world, api):
    api.force_login(world.users["guardian"])
    withheld = world.care["withheld"]
    response = api.get(reverse("api:student-care-record", args=[world.pupil3.pk, withheld.pk]))
    assert response.status_code == 404
    assert WITHHELD_TEXT not in response.content.decode()


def _guardian_access_log(world, api) -> list[dict]:
    api.force_login(world.users["guardian"])
    response = api.get(reverse("api:student-access-log", args=[world.pupil3.pk]))
    assert response.status_code == 200
    return response.json()


def test_read_of_withheld_record_absent_when_guardian_reads_access_log(world, client, api):
    start = len(_guardian_access_log(world, api))

    client.force_login(world.users["care_coordinator"])
    withheld = world.care["withheld"]
    response = client.get(reverse("care-record-detail", args=[world.pupil3.pk, withheld.pk]))
    assert response.status_code == 200
    assert WITHHELD_TEXT in response.content.decode()
    assert len(_guardian_access_log(world, api)) == start

    shown = world.care["teachers"]
    response = client.get(reverse("care-record-detail", args=[world.pupil3.pk, shown.pk]))
    assert response.status_code == 200
    log = _guardian_access_log(world, api)
    assert len(log) == start + 1
    newest = log[0]
    assert newest["role"] == "care_coordinator"
    assert newest["data_kind"] == "care"
    assert newest["special_category"] is True


def test_requested_withholding_hides_record_when_care_coordinator_asks(world, client, api):
    record = world.care["teachers"]
    client.force_login(world.users["care_coordinator"])
    response = client.post(
        reverse("care-record-withhold", args=[world.pupil3.pk, record.pk]),
        {"reason": "Signaal, overleg met Veilig Thuis"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.withhold_status == WithholdStatus.REQUESTED
    assert record.pk not in _guardian_care_ids(world, api)
    assert TEACHERS_TEXT not in _guardian_care_page(world, client)


def test_guardian_sees_record_again_when_director_rejects_withholding(world, client, api):
    record = world.care["teachers"]
    client.force_login(world.users["care_coordinator"])
    client.post(
        reverse("care-record-withhold", args=[world.pupil3.pk, record.pk]),
        {"reason": "Signaal, overleg met Veilig Thuis"},
    )
    assert record.pk not in _guardian_care_ids(world, api)

    client.force_login(world.users["director"])
    response = client.post(
        reverse("care-withholding-decide", args=[record.pk]), {"decision": "reject"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.withhold_status == WithholdStatus.REJECTED
    assert record.withhold_decided_by_id == world.users["director"].pk
    assert record.pk in _guardian_care_ids(world, api)
    assert TEACHERS_TEXT in _guardian_care_page(world, client)


@pytest.mark.parametrize(
    ("role", "status"),
    [("care_coordinator", WithholdStatus.REQUESTED), ("director", WithholdStatus.APPROVED)],
)
def test_withholding_status_follows_who_asks_when_requested(world, client, role, status):
    record = world.care["care_team"]
    client.force_login(world.users[role])
    response = client.post(
        reverse("care-record-withhold", args=[world.pupil3.pk, record.pk]),
        {"reason": "Signaal, informeren brengt het kind in gevaar"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.withhold_status == status
    assert record.withhold_requested_by_id == world.users[role].pk
    assert record.withhold_reason == "Signaal, informeren brengt het kind in gevaar"


# --- who sees which records -----------------------------------------------------------------


def _api_care_list(world, api, role) -> list[dict]:
    api.force_login(world.users[role])
    response = api.get(reverse("api:student-care-records", args=[world.pupil3.pk]))
    assert response.status_code == 200
    return response.json()


def test_teacher_gets_only_records_for_teachers_when_listing(world, api):
    assert [item["id"] for item in _api_care_list(world, api, "teacher")] == [
        world.care["teachers"].pk
    ]


@pytest.mark.parametrize("role", ["director", "care_coordinator"])
def test_care_team_gets_all_records_when_listing(world, api, role):
    items = _api_care_list(world, api, role)
    assert {item["id"] for item in items} == {
        world.care["teachers"].pk,
        world.care["care_team"].pk,
        world.care["withheld"].pk,
    }
    assert len(items) == 3
    for item in items:
        assert {"id", "kind", "content", "justification", "visibility", "review_date"} <= set(item)
    by_id = {item["id"]: item for item in items}
    assert by_id[world.care["care_team"].pk]["content"] == CARE_TEAM_TEXT
    assert by_id[world.care["care_team"].pk]["visibility"] == "care_team"
    assert by_id[world.care["teachers"].pk]["justification"] == JUSTIFICATION


# --- writes ---------------------------------------------------------------------------------


def test_400_and_typed_text_kept_when_care_record_has_no_justification(world, client):
    client.force_login(world.users["care_coordinator"])
    before = CareRecord.objects.count()
    data = _care_form(justification="   ")
    response = client.post(reverse("care-record-create", args=[world.pupil3.pk]), data)
    assert response.status_code == 400
    assert "Allergie voor noten, EpiPen in de kast" in response.content.decode()
    assert response.context["form"].errors["justification"]
    assert CareRecord.objects.count() == before
    assert not AccessEvent.objects.filter(action=Action.CREATE, data_kind=DataKind.CARE).exists()


def test_record_saved_with_one_create_event_when_justified(world, client):
    client.force_login(world.users["care_coordinator"])
    before = AccessEvent.objects.count()
    response = client.post(reverse("care-record-create", args=[world.pupil3.pk]), _care_form())
    assert response.status_code == 302
    # Sealed content cannot be filtered on: the new record is the one not in the world.
    record = CareRecord.objects.exclude(pk__in=[r.pk for r in world.care.values()]).get()
    assert record.content == "Allergie voor noten, EpiPen in de kast"
    assert record.student_id == world.pupil3.pk
    assert record.created_by_id == world.users["care_coordinator"].pk
    assert record.justification == "Leerkracht moet weten wat te doen bij een reactie"
    assert record.withhold_status == WithholdStatus.NONE
    event = _only_event(response, before)
    assert event.action == Action.CREATE and event.outcome == Outcome.ALLOWED
    assert event.data_kind == DataKind.CARE and event.special_category is True
    assert event.object_id == str(record.pk)


def test_403_and_nothing_saved_when_teacher_posts_care_record(world, client):
    client.force_login(world.users["teacher"])
    before = CareRecord.objects.count()
    response = client.post(reverse("care-record-create", args=[world.pupil3.pk]), _care_form())
    assert response.status_code == 403
    assert CareRecord.objects.count() == before


def _edit_form(record, **overrides) -> dict:
    return {
        "kind": record.kind,
        "content": record.content,
        "justification": record.justification,
        "source": record.source,
        "review_date": _review_date(),
        "visibility": record.visibility,
        **overrides,
    }


def test_400_and_other_version_kept_when_record_changed_since_form_opened(world, client):
    record = world.care["teachers"]
    url = reverse("care-record-edit", args=[world.pupil3.pk, record.pk])
    client.force_login(world.users["director"])
    opened = client.get(url)
    assert opened.status_code == 200
    stale = opened.context["form"].initial["expected_updated_at"]

    fresh = CareRecord.objects.get(pk=record.pk)
    care_record_update(
        user=world.users["care_coordinator"],
        record=fresh,
        expected_updated_at=fresh.updated_at,
        content="Dyslexie, nieuwe verklaring 2026",
        justification=fresh.justification,
        kind=fresh.kind,
        source=fresh.source,
        review_date=fresh.review_date,
        visibility=fresh.visibility,
    )

    response = client.post(
        url,
        _edit_form(
            record, content="Versie van de directeur", expected_updated_at=stale.isoformat()
        ),
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert "Versie van de directeur" in response.content.decode()
    assert CareRecord.objects.get(pk=record.pk).content == "Dyslexie, nieuwe verklaring 2026"


def test_change_saved_when_nobody_else_changed_record(world, client):
    record = world.care["teachers"]
    url = reverse("care-record-edit", args=[world.pupil3.pk, record.pk])
    client.force_login(world.users["director"])
    html = client.get(url).content.decode()
    # Post back exactly what the page rendered in its hidden field.
    (rendered,) = re.findall(r'name="expected_updated_at" value="([^"]*)"', html)
    response = client.post(
        url, _edit_form(record, content="Aangepast door de directeur", expected_updated_at=rendered)
    )
    assert response.status_code == 302
    assert CareRecord.objects.get(pk=record.pk).content == "Aangepast door de directeur"


# --- sealed at rest -------------------------------------------------------------------------


def test_no_plaintext_in_database_when_care_and_religion_are_stored(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT content, justification, withhold_reason FROM students_carerecord")
        care_values = [value for row in cursor.fetchall() for value in row]
        cursor.execute("SELECT religion FROM students_religionrecord")
        religion_values = [row[0] for row in cursor.fetchall()]
    assert len(care_values) == 3 * len(world.care)
    assert len(religion_values) == 1
    known = [
        TEACHERS_TEXT,
        CARE_TEAM_TEXT,
        WITHHELD_TEXT,
        WITHHELD_REASON,
        JUSTIFICATION,
        "Signaal in onderzoek",
        RELIGION,
    ]
    stored = [value for value in care_values + religion_values if value]
    assert len(stored) >= 2 * len(world.care) + 1
    for value in stored:
        assert value.startswith("gAAAA"), value[:20]
        assert not any(text in value for text in known)
    # Withholding reasons are sealed too, not only content and justification.
    assert CareRecord.objects.get(pk=world.care["withheld"].pk).withhold_reason == WITHHELD_REASON
