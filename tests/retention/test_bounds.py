"""The audited cannot shorten the audit.

Each category's period lies between its floor and its ceiling (``constants.BOUNDS``): the
service, the director's form and the API refuse a period outside them with a clear message on
the field, keeping what was typed. The period of access events is the board's log policy: a
director cannot change it (service, form, API: refused and recorded as a denied attempt); the
board's privacy officer sets it on a page and over the API, each change kept with the period
before and after and an audit event at every school of the board, and the retention run and
the preview of every school of the board use it. A migration moved existing rules within their
bounds and each school's access-event period to its board.
"""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent
from retention.constants import BOUNDS, Category, RuleAction, RunStatus
from retention.exceptions import PeriodError
from retention.forms import LogPolicyForm, RuleForm
from retention.models import BoardLogPolicy, LogPolicyChange, RetentionRule, RuleChange
from retention.services import (
    access_event_months,
    log_policy_set,
    preview,
    retention_run,
    rule_update,
)

from .conftest import aware

PUPIL_CATEGORIES = [c for c in BOUNDS if c != Category.AUDIT_EVENTS]
# Every category just below its floor and just above its ceiling, with the words the refusal
# must use.
OUTSIDE = [
    pytest.param(category, months, f"{word} {bound} months", id=f"{category}-{months}")
    for category in PUPIL_CATEGORIES
    for months, word, bound in (
        (BOUNDS[category].floor - 1, "at least", BOUNDS[category].floor),
        (BOUNDS[category].ceiling + 1, "at most", BOUNDS[category].ceiling),
    )
]


@pytest.fixture(autouse=True)
def _english(client, api):
    """The words asserted here are the English texts (the Dutch ones come with locale/)."""
    for each in (client, api):
        each.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _state() -> list:
    return list(RetentionRule.objects.order_by("pk").values_list("pk", "period_months", "action"))


def _denied_attempts(user) -> int:
    return AccessEvent.objects.filter(
        actor_id=user.pk, outcome=Outcome.DENIED, object_type="retention_rule"
    ).count()


# --- The bounds in the service ---------------------------------------------------------------


@pytest.mark.parametrize(("category", "months", "words"), OUTSIDE)
def test_service_refuses_a_period_outside_the_category_bounds(ret, category, months, words):
    rule = ret.rule(category)
    before = _state()

    with pytest.raises(PeriodError) as refused:
        rule_update(
            user=ret.director, rule=rule, period_months=months, action=rule.action, enabled=True
        )

    assert refused.value.field == "period_months"
    assert words in str(refused.value.message)
    assert _state() == before
    assert not RuleChange.objects.exists()


def test_the_refusal_says_which_data_and_why(ret):
    with pytest.raises(PeriodError) as refused:
        log_policy_set(user=ret.world.users["privacy_officer"], board=ret.school.board, months=1)

    assert str(refused.value.message) == (
        "Access events must be kept at least 12 months: parents are shown who looked at their "
        "child's data in the last 12 months."
    )


def test_every_default_lies_within_its_bounds(ret):
    for rule in RetentionRule.objects.filter(school=ret.school):
        bounds = BOUNDS[rule.category]
        assert bounds.floor <= rule.period_months <= bounds.ceiling, rule.category


# --- The director and the access-event period ------------------------------------------------


@pytest.mark.parametrize("months", [1, 12, 59, 61, 120])
def test_director_cannot_change_the_access_event_period_in_the_service(ret, months):
    rule = ret.rule(Category.AUDIT_EVENTS)
    before = _state()

    with pytest.raises(PeriodError) as refused:
        rule_update(
            user=ret.director,
            rule=rule,
            period_months=months,
            action=RuleAction.DELETE,
            enabled=True,
        )

    assert "only the board's privacy officer" in str(refused.value.message)
    assert _state() == before
    assert not RuleChange.objects.exists()


def test_director_may_put_the_access_event_rule_in_the_nightly_job_at_the_boards_period(ret):
    log_policy_set(user=ret.world.users["privacy_officer"], board=ret.school.board, months=36)
    rule = ret.rule(Category.AUDIT_EVENTS)

    rule_update(user=ret.director, rule=rule, action=RuleAction.DELETE, enabled=True)
    # Sending the period in force is no change of it.
    rule_update(user=ret.director, rule=rule, period_months=36, action="delete", enabled=True)

    rule.refresh_from_db()
    assert (rule.period_months, rule.enabled) == (36, True)
    (change,) = RuleChange.objects.filter(rule=rule)
    assert (change.before["period_months"], change.after["period_months"]) == (36, 36)
    assert (change.before["enabled"], change.after["enabled"]) == (False, True)


# --- The board's log policy in the service ---------------------------------------------------


def test_privacy_officer_sets_the_boards_period_kept_with_before_and_after_and_audited(ret):
    officer = ret.world.users["privacy_officer"]
    board = ret.school.board
    schools = {ret.school.pk, ret.world.other_school.pk}

    log_policy_set(user=officer, board=board, months=24)
    log_policy_set(user=officer, board=board, months=24)  # the same again: no change
    log_policy_set(user=officer, board=board, months=96)

    policy = BoardLogPolicy.objects.get(board=board)
    assert (policy.access_event_months, policy.updated_by) == (96, officer)
    changes = list(LogPolicyChange.objects.order_by("pk"))
    assert [(c.before_months, c.after_months, c.changed_by) for c in changes] == [
        (60, 24, officer),
        (24, 96, officer),
    ]
    # Each change is an audit event at every school of the board, naming the change record.
    for change in changes:
        events = AccessEvent.objects.filter(
            object_type="retention_log_policy_change", object_id=str(change.pk)
        )
        assert {e.school_id for e in events} == schools
        assert {(e.actor_id, e.action, e.outcome, e.data_kind) for e in events} == {
            (officer.pk, Action.UPDATE, Outcome.ALLOWED, DataKind.AUDIT)
        }
    # The schools' access-event rules follow; another board's do not.
    assert set(
        RetentionRule.objects.filter(category=Category.AUDIT_EVENTS).values_list(
            "school_id", "period_months"
        )
    ) == {
        (ret.school.pk, 96),
        (ret.world.other_school.pk, 96),
        (ret.world.foreign_school.pk, 60),
    }
    assert access_event_months(board_ids=[board.pk, ret.world.foreign_school.board_id]) == {
        board.pk: 96,
        ret.world.foreign_school.board_id: 60,
    }


@pytest.mark.parametrize("months", [0, 11, 121, 240])
def test_service_refuses_a_board_period_outside_the_bounds(ret, months):
    with pytest.raises(PeriodError) as refused:
        log_policy_set(
            user=ret.world.users["privacy_officer"], board=ret.school.board, months=months
        )

    assert refused.value.field == "access_event_months"
    assert not BoardLogPolicy.objects.exists()
    assert not LogPolicyChange.objects.exists()


# --- The run and the preview use the board's period ------------------------------------------


def test_run_and_preview_use_the_boards_period_for_access_events(ret):
    """Events 30 months old: past the board's 24, within the default 60 of another board."""
    old = aware(datetime.date(2023, 9, 16))
    recent = aware(datetime.date(2025, 9, 16))  # 18 months
    mine = ret.event(old)
    kept = ret.event(recent)
    foreign = ret.event(old, school=ret.world.foreign_school)
    log_policy_set(user=ret.world.users["privacy_officer"], board=ret.school.board, months=24)

    item = next(i for i in preview(school=ret.school).rules if i.rule.category == "audit_events")
    assert (item.rule.period_months, item.events_due) == (24, 1)
    run = retention_run(school=ret.school, categories=[Category.AUDIT_EVENTS])
    other = retention_run(school=ret.world.foreign_school, categories=[Category.AUDIT_EVENTS])

    assert (run.status, other.status) == (RunStatus.DONE, RunStatus.DONE)
    assert run.counts == {Category.AUDIT_EVENTS: {"events": 1}}
    assert not AccessEvent.objects.filter(pk=mine.pk).exists()
    assert AccessEvent.objects.filter(pk__in=[kept.pk, foreign.pk]).count() == 2


def test_run_uses_the_boards_period_even_when_a_schools_stored_rule_says_otherwise(ret):
    """Whatever a school's row holds (here the longest period allowed), the board decides."""
    event = ret.event(aware(datetime.date(2023, 9, 16)))  # 30 months old
    log_policy_set(user=ret.world.users["privacy_officer"], board=ret.school.board, months=24)
    RetentionRule.objects.filter(school=ret.school, category=Category.AUDIT_EVENTS).update(
        period_months=120
    )

    item = next(i for i in preview(school=ret.school).rules if i.rule.category == "audit_events")
    run = retention_run(school=ret.school, categories=[Category.AUDIT_EVENTS])

    assert item.events_due == 1
    assert run.counts == {Category.AUDIT_EVENTS: {"events": 1}}
    assert not AccessEvent.objects.filter(pk=event.pk).exists()
    assert ret.rule(Category.AUDIT_EVENTS).period_months == 24


def test_a_schools_short_access_event_row_does_not_shorten_the_boards_period(ret):
    """A row that says 12 months (from before the board decided) deletes nothing younger
    than the board's 60."""
    event = ret.event(aware(datetime.date(2024, 3, 16)))  # 24 months old
    RetentionRule.objects.filter(school=ret.school, category=Category.AUDIT_EVENTS).update(
        period_months=12
    )

    run = retention_run(school=ret.school, categories=[Category.AUDIT_EVENTS])

    assert run.counts == {Category.AUDIT_EVENTS: {"events": 0}}
    assert AccessEvent.objects.filter(pk=event.pk).exists()


# --- The director's form and page ------------------------------------------------------------


def _rule_post(client, rule, **values):
    data = {f"rule{rule.pk}-{key}": value for key, value in values.items()}
    return client.post(reverse("retention-rule", args=[rule.pk]), data)


def _input(content: str, name: str) -> list[str]:
    return re.findall(rf'<input\b[^>]*\bname="{re.escape(name)}"[^>]*>', content)


@pytest.mark.parametrize(("category", "months", "words"), OUTSIDE)
def test_form_refuses_a_period_outside_the_category_bounds(ret, category, months, words):
    rule = ret.rule(category)
    data = {f"rule{rule.pk}-period_months": str(months), f"rule{rule.pk}-action": rule.action}

    form = RuleForm(data, rule=rule)

    assert not form.is_valid()
    (message,) = form.errors["period_months"]
    assert words in message


@pytest.mark.parametrize(("category", "months", "words"), OUTSIDE)
def test_page_refuses_a_period_outside_the_bounds_beside_the_field_keeping_it(
    ret, client, category, months, words
):
    rule = ret.rule(category)
    client.force_login(ret.director)
    before = _state()

    response = _rule_post(client, rule, period_months=str(months), action=rule.action)

    assert response.status_code == 400
    content = response.content.decode()
    name = f"rule{rule.pk}-period_months"
    (field,) = _input(content, name)
    assert f'value="{months}"' in field
    # The error is tied to the field for a screen reader.
    assert 'aria-invalid="true"' in field
    assert f"id_{name}_error" in re.search(r'aria-describedby="([^"]*)"', field).group(1)
    error = re.search(rf'<p class="field-error" id="id_{name}_error">([^<]*)</p>', content)
    assert error is not None and words in html.unescape(error.group(1))
    assert _state() == before
    assert not RuleChange.objects.exists()


def test_page_shows_each_rules_bounds_and_no_period_input_for_access_events(ret, client):
    client.force_login(ret.director)

    content = client.get(reverse("retention")).content.decode()

    audit = ret.rule(Category.AUDIT_EVENTS)
    assert _input(content, f"rule{audit.pk}-period_months") == []
    assert "Kept for 60 months: the board's log policy" in content
    assert f"rule{audit.pk}-enabled" in content  # the director still switches it on or off
    for category in PUPIL_CATEGORIES:
        rule = ret.rule(category)
        (field,) = _input(content, f"rule{rule.pk}-period_months")
        bounds = BOUNDS[category]
        assert f'min="{bounds.floor}"' in field and f'max="{bounds.ceiling}"' in field
    # The director may not set the board's period: no link to it.
    assert reverse("retention-log-policy", args=[ret.school.board_id]) not in content


def test_page_refuses_an_access_event_period_sent_by_the_director_and_records_it(ret, client):
    rule = ret.rule(Category.AUDIT_EVENTS)
    client.force_login(ret.director)
    before = _state()

    response = _rule_post(client, rule, period_months="1", action="delete", enabled="on")

    assert response.status_code == 400
    assert "only the board&#x27;s privacy officer can change it" in response.content.decode()
    assert _state() == before
    rule.refresh_from_db()
    assert rule.enabled is False
    assert not RuleChange.objects.exists()
    assert _denied_attempts(ret.director) == 1


def test_page_shows_the_changes_of_the_rules_before_and_after(ret, client):
    rule_update(
        user=ret.director,
        rule=ret.rule(Category.PUPIL_FILE),
        period_months=18,
        action=RuleAction.DELETE,
        enabled=True,
    )
    client.force_login(ret.director)

    content = client.get(reverse("retention")).content.decode()

    assert "24 months, anonymise and keep restricted, not in the nightly job" in content
    assert "18 months, delete, in the nightly job" in content


# --- The privacy officer's page --------------------------------------------------------------


def _policy_url(school) -> str:
    return reverse("retention-log-policy", args=[school.board_id])


def test_privacy_officer_sets_the_boards_period_on_the_page(ret, client):
    officer = ret.world.users["privacy_officer"]
    client.force_login(officer)

    page = client.get(_policy_url(ret.school))
    response = client.post(_policy_url(ret.school), {"access_event_months": "84"})

    assert page.status_code == 200
    (field,) = _input(page.content.decode(), "access_event_months")
    assert 'value="60"' in field and 'min="12"' in field and 'max="120"' in field
    assert ret.world.other_school.name in page.content.decode()
    assert response.status_code == 302
    assert access_event_months(board_ids=[ret.school.board_id]) == {ret.school.board_id: 84}
    after = client.get(_policy_url(ret.school)).content.decode()
    assert "60 months" in after and "84 months" in after  # the change, before and after
    # The retention page links the privacy officer to it.
    assert _policy_url(ret.school) in client.get(reverse("retention")).content.decode()


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("6", "Access events must be kept at least 12 months: parents are shown who looked"),
        ("121", "Access events may be kept at most 120 months"),
        ("vijf", "Enter a whole number."),
    ],
)
def test_page_refuses_a_board_period_outside_the_bounds_keeping_it(ret, client, typed, words):
    client.force_login(ret.world.users["privacy_officer"])

    response = client.post(_policy_url(ret.school), {"access_event_months": typed})

    assert response.status_code == 400
    content = response.content.decode()
    (field,) = _input(content, "access_event_months")
    assert f'value="{typed}"' in field
    assert 'aria-invalid="true"' in field
    error = re.search(
        r'<p class="field-error" id="id_access_event_months_error">([^<]*)</p>', content
    )
    assert error is not None and words in html.unescape(error.group(1))
    assert not BoardLogPolicy.objects.exists()


@pytest.mark.parametrize("months", [11, 121])
def test_log_policy_form_refuses_a_period_outside_the_bounds(months):
    form = LogPolicyForm({"access_event_months": str(months)})

    assert not form.is_valid()
    (message,) = form.errors["access_event_months"]
    assert message.startswith("Access events must" if months < 12 else "Access events may")


def test_director_cannot_open_or_post_the_boards_log_policy(ret, client):
    client.force_login(ret.director)

    got = client.get(_policy_url(ret.school)).status_code
    posted = client.post(_policy_url(ret.school), {"access_event_months": "12"}).status_code

    assert (got, posted) == (403, 403)
    assert not BoardLogPolicy.objects.exists()


def test_privacy_officer_of_another_board_gets_404_and_changes_nothing(ret, client):
    client.force_login(ret.world.users["privacy_officer"])

    response = client.post(_policy_url(ret.world.foreign_school), {"access_event_months": "12"})

    assert response.status_code == 404
    assert not BoardLogPolicy.objects.exists()


def test_log_policy_page_queries_do_not_grow_with_its_changes(ret, client):
    officer = ret.world.users["privacy_officer"]
    client.force_login(officer)
    log_policy_set(user=officer, board=ret.school.board, months=24)

    with CaptureQueriesContext(connection) as one:
        assert client.get(_policy_url(ret.school)).status_code == 200
    for months in range(25, 45):
        log_policy_set(user=officer, board=ret.school.board, months=months)
    with CaptureQueriesContext(connection) as many:
        assert client.get(_policy_url(ret.school)).status_code == 200

    assert len(one) == len(many), f"{len(one)} queries for 1 change, {len(many)} for 21"


# --- The API ---------------------------------------------------------------------------------


def _rule_api(school, category) -> str:
    return reverse("api:retention-rule", args=[school.pk, category])


@pytest.mark.parametrize(("category", "months", "words"), OUTSIDE)
def test_api_refuses_a_period_outside_the_bounds_with_the_field_error(
    ret, api, category, months, words
):
    api.force_login(ret.director)
    before = _state()

    response = api.patch(_rule_api(ret.school, category), {"period_months": months}, format="json")

    assert response.status_code == 400
    (message,) = response.json()["period_months"]
    assert words in message
    assert _state() == before
    assert not RuleChange.objects.exists()


def test_api_changes_a_rule_within_its_bounds(ret, api):
    api.force_login(ret.director)

    response = api.patch(
        _rule_api(ret.school, Category.PUPIL_FILE),
        {"period_months": 12, "enabled": True},
        format="json",
    )

    assert response.status_code == 200
    data = response.json()
    assert (data["period_months"], data["enabled"], data["action"]) == (12, True, "anonymise")
    assert (data["floor_months"], data["ceiling_months"], data["period_set_by"]) == (
        12,
        24,
        "school",
    )
    change = RuleChange.objects.get()
    assert (change.before["period_months"], change.after["period_months"]) == (24, 12)
    assert AccessEvent.objects.filter(
        object_type="retention_rule_change", object_id=str(change.pk), school_id=ret.school.pk
    ).exists()


def test_api_refuses_the_director_an_access_event_period_and_records_the_attempt(ret, api):
    api.force_login(ret.director)
    before = _state()

    response = api.patch(
        _rule_api(ret.school, Category.AUDIT_EVENTS), {"period_months": 1}, format="json"
    )

    assert response.status_code == 400
    (message,) = response.json()["period_months"]
    assert "only the board's privacy officer can change it" in message
    assert _state() == before
    assert _denied_attempts(ret.director) == 1
    # Switching the rule on, without a period, is hers.
    allowed = api.patch(
        _rule_api(ret.school, Category.AUDIT_EVENTS), {"enabled": True}, format="json"
    )
    assert allowed.status_code == 200
    assert (allowed.json()["period_months"], allowed.json()["period_set_by"]) == (60, "board")


def test_api_rule_answers_404_for_another_school_or_an_unknown_category(ret, api):
    api.force_login(ret.director)

    other = api.patch(_rule_api(ret.world.other_school, "pupil_file"), {}, format="json")
    unknown = api.patch(_rule_api(ret.school, "everything"), {}, format="json")

    assert (other.status_code, unknown.status_code) == (404, 404)


def _policy_api(school) -> str:
    return reverse("api:retention-log-policy", args=[school.board_id])


def test_api_privacy_officer_reads_and_sets_the_boards_period(ret, api):
    officer = ret.world.users["privacy_officer"]
    api.force_login(officer)

    first = api.get(_policy_api(ret.school))
    changed = api.put(_policy_api(ret.school), {"access_event_months": 12}, format="json")

    assert first.status_code == 200
    assert first.json() == {
        "board": {"id": ret.school.board_id, "name": ret.school.board.name},
        "access_event_months": 60,
        "floor_months": 12,
        "ceiling_months": 120,
        "default_months": 60,
        "updated_at": None,
    }
    assert changed.status_code == 200
    assert changed.json()["access_event_months"] == 12
    change = LogPolicyChange.objects.get()
    assert (change.before_months, change.after_months, change.changed_by) == (60, 12, officer)


@pytest.mark.parametrize(
    ("months", "words"),
    [(11, "Access events must be kept at least 12 months"), (121, "at most 120 months")],
)
def test_api_refuses_a_board_period_outside_the_bounds_with_the_field_error(
    ret, api, months, words
):
    api.force_login(ret.world.users["privacy_officer"])

    response = api.put(_policy_api(ret.school), {"access_event_months": months}, format="json")

    assert response.status_code == 400
    (message,) = response.json()["access_event_months"]
    assert words in message
    assert not BoardLogPolicy.objects.exists()


def test_api_director_cannot_read_or_set_the_boards_period(ret, api):
    api.force_login(ret.director)

    got = api.get(_policy_api(ret.school)).status_code
    put = api.put(_policy_api(ret.school), {"access_event_months": 12}, format="json")

    assert (got, put.status_code) == (403, 403)
    assert not BoardLogPolicy.objects.exists()


# --- The migration ---------------------------------------------------------------------------

BEFORE_CLAMP = [("retention", "0004_board_log_policy")]


@pytest.mark.django_db(transaction=True)
def test_migration_moves_rules_within_bounds_and_access_event_periods_to_the_board():
    """Board A: one school kept access events 1 month, the other 84; board B: 24 (below the
    default); board C: 200 (above the ceiling). Every rule outside its bounds moves to the
    nearest bound, each change kept and audited; each board gets the longest period of its
    schools, never less than the default, never more than the ceiling."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE_CLAMP)
    old = executor.loader.project_state(BEFORE_CLAMP).apps
    board_model = old.get_model("students", "Board")
    school_model = old.get_model("students", "School")
    rule_model = old.get_model("retention", "RetentionRule")

    def school(board, brin, periods):
        made = school_model.objects.create(board=board, name=f"School {brin}", brin=brin)
        for category, months in periods.items():
            action = "delete" if category in ("consent_evidence", "audit_events") else "anonymise"
            rule_model.objects.create(
                school=made, category=category, period_months=months, action=action
            )
        return made

    a, b, c = (board_model.objects.create(name=f"Bestuur {n}") for n in "ABC")
    a1 = school(
        a,
        "A1A1",
        {
            "pupil_file": 30,
            "pupil_file_special_education": 6,
            "enrolment": 36,
            "consent_evidence": 24,
            "audit_events": 1,
        },
    )
    a2 = school(a, "A2A2", {"audit_events": 84, "enrolment": 240})
    b1 = school(b, "B1B1", {"audit_events": 24, "pupil_file": 12})
    c1 = school(c, "C1C1", {"audit_events": 200})

    executor.loader.build_graph()
    executor.migrate(latest)

    periods = {
        (rule.school_id, rule.category): rule.period_months
        for rule in RetentionRule.objects.exclude(category=Category.APPLICATIONS)
    }
    # A later migration (0009) gives every school with rules the one for applications.
    assert set(
        RetentionRule.objects.filter(category=Category.APPLICATIONS).values_list(
            "school_id", "period_months"
        )
    ) == {(a1.pk, 12), (a2.pk, 12), (b1.pk, 12), (c1.pk, 12)}
    assert periods == {
        (a1.pk, "pupil_file"): 24,
        (a1.pk, "pupil_file_special_education"): 12,
        (a1.pk, "enrolment"): 60,
        (a1.pk, "consent_evidence"): 24,
        (a1.pk, "audit_events"): 84,
        (a2.pk, "audit_events"): 84,
        (a2.pk, "enrolment"): 84,
        (b1.pk, "audit_events"): 60,
        (b1.pk, "pupil_file"): 12,
        (c1.pk, "audit_events"): 120,
    }
    assert access_event_months(board_ids=[a.pk, b.pk, c.pk]) == {a.pk: 84, b.pk: 60, c.pk: 120}
    assert not BoardLogPolicy.objects.filter(board_id=b.pk).exists()  # the default applies
    changes = {
        (change.rule.school_id, change.rule.category): (
            change.before["period_months"],
            change.after["period_months"],
            change.changed_by_id,
        )
        for change in RuleChange.objects.select_related("rule")
    }
    assert changes == {
        (a1.pk, "pupil_file"): (30, 24, None),
        (a1.pk, "pupil_file_special_education"): (6, 12, None),
        (a1.pk, "enrolment"): (36, 60, None),
        (a1.pk, "audit_events"): (1, 84, None),
        (a2.pk, "enrolment"): (240, 84, None),
        (b1.pk, "audit_events"): (24, 60, None),
        (c1.pk, "audit_events"): (200, 120, None),
    }
    assert sorted(
        (c.policy.board_id, c.before_months, c.after_months)
        for c in LogPolicyChange.objects.select_related("policy")
    ) == sorted([(a.pk, 60, 84), (c.pk, 60, 120)])
    rule_events = AccessEvent.objects.filter(object_type="retention_rule_change")
    assert set(rule_events.values_list("object_id", flat=True)) == {
        str(pk) for pk in RuleChange.objects.values_list("pk", flat=True)
    }
    policy_events = AccessEvent.objects.filter(object_type="retention_log_policy_change")
    assert sorted(policy_events.values_list("school_id", flat=True)) == sorted(
        [a1.pk, a2.pk, c1.pk]
    )
