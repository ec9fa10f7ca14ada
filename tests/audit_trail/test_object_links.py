"""The audit trail describes the objects of every capability (students/audit_objects.py, the
describers registered in each app's ready()): privacy requests, data breaches, retention rules
and runs, publications and takedowns, staff accounts. The director reads each in words with a
link to its page, and each link opens for her; the board's privacy officer gets a link only to
a page that opens for her (never one answering 403 or 404), and never a pupil's name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent

PUPIL_WORDS = ("Tim", "Vries", "Sara", "Bakker", "Noah", "Kortenhoeve")


@pytest.fixture
def objects_world(request_world, retention_world, breach_world):
    world = breach_world
    # Names of staff that share no word with a pupil's (the factory's names are random).
    for n, user in enumerate(world.users.values()):
        user.full_name = f"Medewerker {'ABCDEFGHIJ'[n]}"
        user.save(update_fields=["full_name"])
    rules = world.retention["rules"]["school"]
    rule = next(iter(rules.values()))
    return world, {
        "privacy_request": (world.requests["access"].pk, world.pupil3),
        "breach": (world.breaches["school"].pk, None),
        "breach_notices": (world.breaches["school"].pk, None),
        "retention_rule": (rule.pk, None),
        "retention_run": (world.retention["runs"]["school"].pk, None),
        "publication": (world.publications["school"].pk, None),
        "takedown": (world.takedowns["school"].pk, world.pupil3),
        "staff_deactivation": (world.users["teacher"].pk, None),
    }


def _events(world, objects) -> None:
    for object_type, (object_id, pupil) in objects.items():
        AccessEvent.objects.create(
            actor_id=world.users["director"].pk,
            role="director",
            action=Action.UPDATE,
            outcome=Outcome.ALLOWED,
            data_kind=DataKind.SCHOOL,
            object_type=object_type,
            object_id=str(object_id),
            student_id=pupil.pk if pupil else None,
            school_id=world.school.pk,
        )


def _rows(api, user) -> dict[str, dict]:
    api.force_login(user)
    response = api.get(reverse("api:audit-event-list"), {"page_size": 100, "action": "update"})
    assert response.status_code == 200
    rows: dict[str, dict] = {}
    for item in response.json()["results"]:
        rows.setdefault(item["object_type"], item)
    return rows


def _opens(client, user, url: str) -> int:
    client.force_login(user)
    return client.get(url).status_code


def test_the_director_reads_every_object_in_words_with_a_link_that_opens(
    objects_world, api, client
):
    world, objects = objects_world
    _events(world, objects)
    director = world.users["director"]
    rows = _rows(api, director)
    for object_type, (object_id, _pupil) in objects.items():
        row = rows[object_type]
        assert row["object_url"], (object_type, row)
        # In words: more than the type and its number.
        assert not row["object_label"].endswith(f" {object_id}"), (object_type, row)
        assert _opens(client, director, row["object_url"]) == 200, (object_type, row)
    assert "Sportdag" in rows["publication"]["object_label"]
    assert str(world.requests["access"].pk) in rows["privacy_request"]["object_label"]
    assert world.school.name in rows["breach"]["object_label"]
    assert world.school.name in rows["retention_run"]["object_label"]


def test_the_privacy_officer_gets_only_links_that_open_and_never_a_pupils_name(
    objects_world, api, client
):
    world, objects = objects_world
    _events(world, objects)
    officer = world.users["privacy_officer"]
    rows = _rows(api, officer)
    linked = set()
    for object_type in objects:
        row = rows[object_type]
        for word in PUPIL_WORDS:
            assert word not in row["object_label"], (object_type, row)
        if row["object_url"]:
            linked.add(object_type)
            assert _opens(client, officer, row["object_url"]) == 200, (object_type, row)
    # She oversees requests and breaches: those she may open are linked.
    assert {"privacy_request", "breach"} <= linked
    # Publications and colleagues' accounts are not hers to open.
    assert not {"publication", "takedown", "staff_deactivation"} & linked
    html_client = client
    html_client.force_login(officer)
    html = html_client.get(reverse("audit-event-list"), {"action": "update"}).content.decode()
    for word in PUPIL_WORDS:
        assert word not in html


def test_an_object_outside_the_readers_scope_has_no_link(objects_world, api):
    """A breach of a school of another board: its number only, no link, no school."""
    world, _objects = objects_world
    foreign = world.breaches["foreign"]
    _events(world, {"breach": (foreign.pk, None)})
    row = _rows(api, world.users["director"])["breach"]
    assert row["object_url"] is None
    assert world.foreign_school.name not in row["object_label"]


def test_every_kind_of_object_the_portal_records_has_words():
    """Each ``object_type`` an app records (a literal in the code) has its label, so the audit
    trail never falls back to the code ("Religion consent 12" in a Dutch page)."""
    import re
    from pathlib import Path

    from students.audit_objects import OBJECT_LABELS

    root = Path(__file__).resolve().parents[2]
    recorded: dict[str, str] = {}
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in (".venv", "tests", "bench") or "migrations" in relative.parts:
            continue
        for code in re.findall(r'object_type="([a-z_]+)"', path.read_text()):
            recorded.setdefault(code, str(relative))
    assert len(recorded) > 50  # the scan reads the apps
    missing = {code: where for code, where in recorded.items() if code not in OBJECT_LABELS}
    assert not missing, f"object types without words: {missing}"
