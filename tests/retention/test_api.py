"""The retention preview API (``GET /api/v1/retention/preview/``) and the director's page.

The API: who may call it (the director for their school, the board's privacy officer for every
school of the board; everyone else 403, no login 401, a school outside 404), what it says (per
rule the due pupils under a frozen clock, the held pupils apart), that it only reads, answers
the same twice and does not grow in queries with the number of due pupils.

The page: a rule change with a wrong period is refused with the error beside the field and the
typed value kept, a valid change is recorded; a run without a chosen rule is refused with a
clear message; the privacy officer reads the page without any form.
"""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from audit.constants import Action, Outcome
from audit.models import AccessEvent
from retention.constants import DEFAULTS, Category, RuleAction, RunStatus, Trigger
from retention.models import (
    ArchivedResult,
    ErasureRecord,
    LegalHold,
    RetentionRule,
    RetentionRun,
    RuleChange,
)
from retention.services import hold_place, rules_seed
from students.constants import WithdrawalDestination
from students.models import CareRecord, ProgressRecord, Student
from students.services import student_withdraw

from ..students.factories import StudentFactory

# A Monday in the middle of a month: no period ends on a clamped month end.
TODAY = datetime.date(2026, 3, 16)
PREVIEW = reverse("api:retention-preview")
RULE_KEYS = {
    "school",
    "category",
    "period_months",
    "action",
    "enabled",
    "pupils_due",
    "pupils",
    "events_due",
    "categories",
}


@pytest.fixture(autouse=True)
def _clock():
    """The clock stands still on TODAY (11:00 in Amsterdam), the world is built under it."""
    with freeze_time("2026-03-16 10:00:00"):
        yield


@pytest.fixture
def seeded(world):
    """Every school's rules saved with the Dutch defaults, as school setup leaves them."""
    for school in (world.school, world.other_school, world.foreign_school):
        rules_seed(school=school)
    return world


def years_ago(years: int) -> datetime.date:
    return TODAY.replace(year=TODAY.year - years)


def leaver(world, years: int, *, school=None, **fields) -> Student:
    """A pupil of the school (Groep 5 unless another school is given) with a grade and a care
    record, withdrawn by the director ``years`` years ago to secondary school."""
    group = world.group5 if school is None else school.groups.first()
    pupil = StudentFactory.create(group=group, enrolled_on=datetime.date(2012, 8, 20), **fields)
    ProgressRecord.objects.create(
        student=pupil, group=group, subject="maths", period="E8", result="7"
    )
    CareRecord.objects.create(
        student=pupil,
        kind="support_plan",
        content="Plan begrijpend lezen",
        justification="Extra instructie",
        source="school",
        review_date=datetime.date(2019, 6, 30),
    )
    return student_withdraw(
        actor=world.users["director"],
        student=pupil,
        on=years_ago(years),
        destination=WithdrawalDestination.SECONDARY_SCHOOL,
    )


def by_category(data: dict, school) -> dict[str, dict]:
    return {rule["category"]: rule for rule in data["rules"] if rule["school"]["id"] == school.pk}


def _nl(text: str) -> str:
    with translation.override("nl"):
        return translation.gettext(text)


# --- The API: what it says -------------------------------------------------------------------


def test_director_gets_the_preview_of_their_school(seeded, api):
    world = seeded
    three = leaver(world, 3, given_name="Daan", surname="Smit")
    six = leaver(world, 6, given_name="Lotte", surname="Mulder")
    one = leaver(world, 1, given_name="Noor", surname="Visser")
    held = leaver(world, 6, given_name="Bram", surname="Bos")
    hold_place(user=world.users["director"], student=held, reason="Geschil", until=None)
    api.force_login(world.users["director"])

    response = api.get(PREVIEW)

    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"date", "rules", "held"}
    assert data["date"] == TODAY.isoformat()
    assert {rule["school"]["id"] for rule in data["rules"]} == {world.school.pk}
    assert [rule["category"] for rule in data["rules"]] == list(DEFAULTS)
    for rule in data["rules"]:
        assert set(rule) >= RULE_KEYS, rule
        assert rule["school"] == {"id": world.school.pk, "name": world.school.name}
        period, action = DEFAULTS[rule["category"]]
        assert (rule["period_months"], rule["action"], rule["enabled"]) == (period, action, False)
        assert rule["pupils_due"] == len(rule["pupils"])
        assert rule["categories"] and all(isinstance(c, str) for c in rule["categories"])
    rules = by_category(data, world.school)
    # Pupil file after 2 years: the 3- and 6-year leavers; enrolment after 5: only the 6-year.
    assert rules[Category.PUPIL_FILE]["pupils"] == sorted([three.pk, six.pk])
    assert rules[Category.ENROLMENT]["pupils"] == [six.pk]
    assert rules[Category.PUPIL_FILE_SPECIAL]["pupils"] == []
    assert one.pk not in {pk for rule in data["rules"] for pk in rule["pupils"]}
    # The held pupil is listed apart and under no rule.
    assert data["held"] == [
        {"student": held.pk, "school": world.school.pk, "reason": "Geschil", "until": None}
    ]
    assert held.pk not in {pk for rule in data["rules"] for pk in rule["pupils"]}


def test_three_year_leaver_is_due_for_the_pupil_file_only_six_year_for_both(seeded, api):
    world = seeded
    three = leaver(world, 3)
    six = leaver(world, 6)
    api.force_login(world.users["director"])

    rules = by_category(api.get(PREVIEW).json(), world.school)

    assert three.pk in rules[Category.PUPIL_FILE]["pupils"]
    assert three.pk not in rules[Category.ENROLMENT]["pupils"]
    assert six.pk in rules[Category.PUPIL_FILE]["pupils"]
    assert six.pk in rules[Category.ENROLMENT]["pupils"]
    assert rules[Category.PUPIL_FILE]["pupils_due"] == 2
    assert rules[Category.ENROLMENT]["pupils_due"] == 1


def test_the_period_ends_with_its_last_day(seeded, api):
    """Left exactly two years ago today: the pupil file is kept through today, due tomorrow."""
    world = seeded
    pupil = leaver(world, 2)
    api.force_login(world.users["director"])

    today = by_category(api.get(PREVIEW).json(), world.school)
    with freeze_time("2026-03-17 10:00:00"):
        tomorrow = by_category(api.get(PREVIEW).json(), world.school)

    assert pupil.pk not in today[Category.PUPIL_FILE]["pupils"]
    assert pupil.pk in tomorrow[Category.PUPIL_FILE]["pupils"]


def test_old_access_events_are_counted_under_the_audit_rule(seeded, api):
    world = seeded
    AccessEvent.objects.create(
        created_at=datetime.datetime(2020, 1, 6, 9, tzinfo=datetime.UTC),
        action=Action.VIEW,
        outcome=Outcome.ALLOWED,
        school_id=world.school.pk,
    )
    api.force_login(world.users["director"])

    rules = by_category(api.get(PREVIEW).json(), world.school)

    assert rules[Category.AUDIT_EVENTS]["events_due"] == 1
    assert rules[Category.AUDIT_EVENTS]["pupils"] == []


def test_privacy_officer_gets_every_school_of_the_board(seeded, api):
    world = seeded
    mine, theirs, foreign = (
        leaver(world, 3),
        leaver(world, 3, school=world.other_school),
        leaver(world, 3, school=world.foreign_school),
    )
    api.force_login(world.users["privacy_officer"])

    response = api.get(PREVIEW)

    assert response.status_code == 200
    data = response.json()
    schools = {rule["school"]["id"] for rule in data["rules"]}
    assert schools == {world.school.pk, world.other_school.pk}
    assert len(data["rules"]) == 2 * len(DEFAULTS)
    assert by_category(data, world.school)[Category.PUPIL_FILE]["pupils"] == [mine.pk]
    assert by_category(data, world.other_school)[Category.PUPIL_FILE]["pupils"] == [theirs.pk]
    assert foreign.pk not in {pk for rule in data["rules"] for pk in rule["pupils"]}

    one = api.get(PREVIEW, {"school": world.other_school.pk})
    assert one.status_code == 200
    assert {rule["school"]["id"] for rule in one.json()["rules"]} == {world.other_school.pk}


@pytest.mark.parametrize(
    ("role", "school_key"),
    [
        ("privacy_officer", "foreign_school"),
        ("director", "other_school"),
        ("director", "foreign_school"),
        ("director", None),
    ],
)
def test_a_school_outside_is_404_and_on_the_record(seeded, api, role, school_key):
    world = seeded
    user = world.users[role]
    api.force_login(user)
    school_id = getattr(world, school_key).pk if school_key else "abc"

    response = api.get(PREVIEW, {"school": school_id})

    assert response.status_code == 404
    assert AccessEvent.objects.filter(
        request_id=response["X-Request-ID"], outcome=Outcome.DENIED, actor_id=user.pk
    ).exists()


@pytest.mark.parametrize(
    "role", ["administration", "teacher", "care_coordinator", "guardian", "guardian_limited"]
)
def test_roles_without_retention_get_403(seeded, api, role):
    user = seeded.users[role]
    api.force_login(user)

    response = api.get(PREVIEW)

    assert response.status_code == 403
    assert "rules" not in response.json()
    assert AccessEvent.objects.filter(
        request_id=response["X-Request-ID"], outcome=Outcome.DENIED, actor_id=user.pk
    ).exists()


def test_anonymous_gets_401(seeded, api):
    response = api.get(PREVIEW)

    assert response.status_code == 401
    assert "rules" not in response.json()


def test_token_login_works_like_the_session(seeded, api, password):
    world = seeded
    token = api.post(
        reverse("api:auth-token"),
        {"email": "director@t.example", "password": password},
        format="json",
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = api.get(PREVIEW)

    assert response.status_code == 200
    assert {rule["school"]["id"] for rule in response.json()["rules"]} == {world.school.pk}


# --- The API: reads only, stable, constant in queries ---------------------------------------


def test_same_data_same_day_gives_the_same_answer(seeded, api):
    world = seeded
    leaver(world, 3)
    leaver(world, 6)
    held = leaver(world, 6)
    hold_place(user=world.users["director"], student=held, reason="Geschil", until=None)
    api.force_login(world.users["privacy_officer"])

    first = api.get(PREVIEW)
    second = api.get(PREVIEW)

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.content == second.content


def _state() -> dict:
    return {
        "students": list(
            Student.objects.order_by("pk").values_list(
                "pk", "given_name", "surname", "bsn", "anonymised_at", "withdrawn_on"
            )
        ),
        "erasures": ErasureRecord.objects.count(),
        "runs": RetentionRun.objects.count(),
        "rules": list(
            RetentionRule.objects.order_by("pk").values_list(
                "pk", "period_months", "action", "enabled"
            )
        ),
        "changes": RuleChange.objects.count(),
        "holds": list(LegalHold.objects.order_by("pk").values_list("pk", "lifted_at")),
        "care": CareRecord.objects.count(),
        "grades": ProgressRecord.objects.count(),
        "archive": ArchivedResult.objects.count(),
    }


@pytest.mark.parametrize("role", ["director", "privacy_officer"])
def test_the_preview_changes_nothing(seeded, api, role):
    world = seeded
    leaver(world, 3)
    leaver(world, 6)
    leaver(world, 6, school=world.other_school)
    api.force_login(world.users[role])
    before = _state()
    assert before["students"] and before["care"] and before["grades"]

    for _ in range(2):
        assert api.get(PREVIEW).status_code == 200

    assert _state() == before


def test_a_school_without_saved_rules_shows_the_defaults_and_saves_nothing(world, api, client):
    """A school set up before retention existed: the preview shows the Dutch defaults, not
    enabled, and writes nothing, nor does any GET of the page; only the director's set-up
    button (a POST) saves them, and pressing it twice saves them once."""
    leaver(world, 3)
    for role in ("privacy_officer", "director"):
        api.force_login(world.users[role])
        data = api.get(PREVIEW).json()
        for rule in data["rules"]:
            period, action = DEFAULTS[rule["category"]]
            assert (rule["period_months"], rule["action"], rule["enabled"]) == (
                period,
                action,
                False,
            )
        assert len(by_category(data, world.school)[Category.PUPIL_FILE]["pupils"]) == 1
    assert not RetentionRule.objects.exists()

    client.force_login(world.users["privacy_officer"])
    assert client.get(reverse("retention"), {"school": world.school.pk}).status_code == 200
    assert not RetentionRule.objects.exists()

    client.force_login(world.users["director"])
    page = client.get(reverse("retention"))
    assert page.status_code == 200
    assert client.get(reverse("retention")).status_code == 200
    assert not RetentionRule.objects.exists()
    set_up = reverse("retention-set-up", args=[world.school.pk])
    # The page offers the set-up and no rule form (an unsaved rule has nothing to post to).
    assert page.context["set_up_needed"] is True
    assert f'action="{set_up}"'.encode() in page.content
    assert b'name="rule' not in page.content

    for _ in range(2):
        response = client.post(set_up)
        assert response.status_code == 302
        assert response.url == f"{reverse('retention')}?school={world.school.pk}"
        saved = list(
            RetentionRule.objects.order_by("category").values_list(
                "school_id", "category", "period_months", "action", "enabled"
            )
        )
        assert saved == sorted(
            (world.school.pk, category, period, action, False)
            for category, (period, action) in DEFAULTS.items()
        )
    assert AccessEvent.objects.filter(
        object_type="retention_rule", action=Action.CREATE, school_id=world.school.pk
    ).count() == len(DEFAULTS)
    page = client.get(reverse("retention"))
    assert page.context["set_up_needed"] is False
    assert f'action="{set_up}"'.encode() not in page.content
    assert b'name="rule' in page.content


def _queries(api) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(PREVIEW)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()


def _due(school, count: int, years: int = 6) -> list[Student]:
    return [
        StudentFactory.create(
            withdrawn=True,
            school=school,
            enrolled_on=datetime.date(2012, 8, 20),
            withdrawn_on=years_ago(years),
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize("role", ["director", "privacy_officer"])
def test_preview_queries_do_not_grow_with_due_pupils(seeded, api, role):
    world = seeded
    director = world.users["director"]
    api.force_login(world.users[role])
    first = _due(world.school, 1)
    hold_place(user=director, student=_due(world.school, 1)[0], reason="Geschil", until=None)
    one, data = _queries(api)
    assert by_category(data, world.school)[Category.PUPIL_FILE]["pupils_due"] == 1
    assert by_category(data, world.school)[Category.ENROLMENT]["pupils"] == [first[0].pk]

    _due(world.school, 29)
    for pupil in _due(world.school, 4):
        hold_place(user=director, student=pupil, reason="Geschil", until=None)
    thirty, data = _queries(api)

    rules = by_category(data, world.school)
    assert rules[Category.PUPIL_FILE]["pupils_due"] == 30
    assert rules[Category.ENROLMENT]["pupils_due"] == 30
    assert len(data["held"]) == 5
    assert one == thirty, f"{one} queries for 1 due pupil, {thirty} for 30"
    # A handful per school (the director has one, the privacy officer two), none per pupil.
    assert thirty <= {"director": 16, "privacy_officer": 26}[role]


# --- The page --------------------------------------------------------------------------------


def _rule(world, category: str = Category.PUPIL_FILE) -> RetentionRule:
    return RetentionRule.objects.get(school=world.school, category=category)


def _rule_post(client, rule, **values):
    prefix = f"rule{rule.pk}"
    data = {f"{prefix}-{key}": value for key, value in values.items()}
    return client.post(reverse("retention-rule", args=[rule.pk]), data)


def _input(content: str, name: str) -> str:
    found = re.findall(rf'<input\b[^>]*\bname="{re.escape(name)}"[^>]*>', content)
    assert len(found) == 1, f"expected one input {name}, found {found}"
    return found[0]


def test_a_wrong_period_is_refused_beside_the_field_with_the_value_kept(seeded, client):
    world = seeded
    rule = _rule(world)
    client.force_login(world.users["director"])

    response = _rule_post(client, rule, period_months="0", action=RuleAction.DELETE, enabled="on")

    assert response.status_code == 400
    content = response.content.decode()
    name = f"rule{rule.pk}-period_months"
    field = _input(content, name)
    assert 'value="0"' in field
    assert f'id="id_{name}_error"' in content
    form = next(row["form"] for row in response.context["rows"] if row["item"].rule == rule)
    (message,) = form.errors["period_months"]
    assert html.escape(message) in content
    assert "12" in message  # it says what the shortest period is
    # The other choices stay as typed, too.
    assert re.search(
        rf'<option value="{RuleAction.DELETE}" selected>',
        content[content.index(f'name="rule{rule.pk}-action"') :],
    )
    assert "checked" in _input(content, f"rule{rule.pk}-enabled")
    # Nothing changed.
    rule.refresh_from_db()
    assert (rule.period_months, rule.action, rule.enabled) == (24, RuleAction.ANONYMISE, False)
    assert not RuleChange.objects.exists()


@pytest.mark.parametrize("period", ["241", "-3", "twee"])
def test_other_wrong_periods_are_refused_too(seeded, client, period):
    world = seeded
    rule = _rule(world)
    client.force_login(world.users["director"])

    response = _rule_post(client, rule, period_months=period, action=RuleAction.ANONYMISE)

    assert response.status_code == 400
    assert f'value="{period}"' in _input(response.content.decode(), f"rule{rule.pk}-period_months")
    assert not RuleChange.objects.exists()


def test_an_action_the_data_does_not_allow_is_refused(seeded, client):
    """A pupil row is never deleted: enrolment data can only be anonymised."""
    world = seeded
    rule = _rule(world, Category.ENROLMENT)
    client.force_login(world.users["director"])

    response = _rule_post(client, rule, period_months="60", action=RuleAction.DELETE)

    assert response.status_code == 400
    rule.refresh_from_db()
    assert rule.action == RuleAction.ANONYMISE
    assert not RuleChange.objects.exists()


def test_a_valid_rule_change_is_saved_and_recorded(seeded, client):
    world = seeded
    rule = _rule(world)
    director = world.users["director"]
    client.force_login(director)

    response = _rule_post(client, rule, period_months="18", action=RuleAction.DELETE, enabled="on")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('retention')}?school={world.school.pk}"
    rule.refresh_from_db()
    assert (rule.period_months, rule.action, rule.enabled) == (18, RuleAction.DELETE, True)
    assert rule.updated_by == director
    change = RuleChange.objects.get()
    assert change.rule == rule
    assert change.changed_by == director
    assert change.before == {"period_months": 24, "action": "anonymise", "enabled": False}
    assert change.after == {"period_months": 18, "action": "delete", "enabled": True}
    assert AccessEvent.objects.filter(
        actor_id=director.pk, object_type="retention_rule_change", object_id=str(change.pk)
    ).exists()
    # Saving the same values again is no change.
    _rule_post(client, rule, period_months="18", action=RuleAction.DELETE, enabled="on")
    assert RuleChange.objects.count() == 1


def test_a_run_without_a_chosen_rule_is_refused_clearly(
    seeded, client, django_capture_on_commit_callbacks
):
    world = seeded
    leaver(world, 6)
    client.force_login(world.users["director"])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("retention-run", args=[world.school.pk]), {}, follow=True)

    assert response.redirect_chain[0][1] == 303  # post/redirect/get: a refresh sends nothing
    content = response.content.decode()
    assert html.escape(_nl("Choose at least one rule to run.")) in content
    assert 'class="field-error"' in content
    assert callbacks == []
    assert not RetentionRun.objects.exists()
    assert not ErasureRecord.objects.exists()


def test_a_run_with_chosen_rules_runs_them_after_the_commit(
    seeded, client, django_capture_on_commit_callbacks
):
    world = seeded
    six = leaver(world, 6)
    three = leaver(world, 3)
    director = world.users["director"]
    client.force_login(director)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("retention-run", args=[world.school.pk]),
            {"categories": [Category.PUPIL_FILE]},
        )

    assert response.status_code == 302
    assert len(callbacks) == 1
    run = RetentionRun.objects.get()
    assert (run.school, run.started_by, run.trigger) == (world.school, director, Trigger.MANUAL)
    assert run.categories == [Category.PUPIL_FILE]
    assert run.status == RunStatus.DONE
    assert set(ErasureRecord.objects.filter(run=run).values_list("student_id", flat=True)) == {
        six.pk,
        three.pk,
    }
    # Only the chosen rule ran: the enrolment data of the 6-year leaver is still there.
    six.refresh_from_db()
    assert six.anonymised_at is None and six.surname


def test_privacy_officer_reads_the_page_without_any_form(retention_world, client):
    world = retention_world
    # A surname no random staff name can contain (the factories' names are random).
    world.pupil3.surname = "Zonnebloemsma"
    world.pupil3.save(update_fields=["surname"])
    client.force_login(world.users["privacy_officer"])

    response = client.get(reverse("retention"), {"school": world.school.pk})

    assert response.status_code == 200
    content = response.content.decode()
    assert response.context["manage"] is False
    assert response.context["school"] == world.school
    for text in ("Save rule", "Run the chosen rules now", "Lift"):
        assert f">{html.escape(_nl(text))}<" not in content, text
        assert f">{text}<" not in content, text
    assert '<form method="post"' not in content.split("<main", 1)[1].split("</main>", 1)[0]
    # What the rules are, in words, and the hold in force.
    # The privacy officer sees no pupil basics (DESIGN): the held pupil by number only.
    holds = content.split('aria-labelledby="holds-heading"', 1)[1]
    assert str(world.pupil3.pk) in holds
    assert world.pupil3.surname not in holds
    with translation.override("nl"):
        rule = world.retention["rules"]["school"][Category.PUPIL_FILE]
        kept = translation.gettext("Kept for %(months)s months, then: %(action)s.") % {
            "months": rule.period_months,
            "action": rule.get_action_display(),
        }
    assert html.escape(kept) in content


def test_director_sees_the_forms(retention_world, client):
    world = retention_world
    client.force_login(world.users["director"])

    response = client.get(reverse("retention"))

    assert response.status_code == 200
    content = response.content.decode()
    assert response.context["school"] == world.school
    for rule in world.retention["rules"]["school"].values():
        assert f'action="{reverse("retention-rule", args=[rule.pk])}"' in content
    assert f'action="{reverse("retention-run", args=[world.school.pk])}"' in content
    hold = world.retention["holds"]["school"]
    assert f'action="{reverse("retention-hold-lift", args=[hold.pk])}"' in content
    # Nothing of another school's retention is on the page.
    for rule in world.retention["rules"]["other"].values():
        assert reverse("retention-rule", args=[rule.pk]) not in content
    assert world.other_pupil.surname not in content
