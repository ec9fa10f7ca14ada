"""Each rule's period ends on its day under a frozen clock; the preview lists exactly what is
due, the same every time, and writes nothing; rules are data the director edits, every change
kept; ``manage.py retention --dry-run`` prints the preview; the nightly job runs only the
enabled rules."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from audit.constants import Action
from audit.models import AccessEvent
from retention.constants import BOUNDS, Category, RuleAction, RunStatus, Trigger
from retention.exceptions import RetentionError
from retention.models import ErasureRecord, RetentionRule, RetentionRun, RuleChange
from retention.services import (
    audit_cutoff,
    cutoff,
    due_pupils,
    preview,
    retention_nightly,
    retention_run,
    rule_update,
    rules_for,
)
from students.constants import WithdrawalDestination
from students.models import CareRecord, Student

from .conftest import TODAY, at, aware, row_counts, years_ago

SPECIAL = WithdrawalDestination.SPECIAL_EDUCATION
SECONDARY = WithdrawalDestination.SECONDARY_SCHOOL


def _item(data, category: str):
    (item,) = [item for item in data.rules if item.rule.category == category]
    return item


# --- each rule's boundary --------------------------------------------------------------------

PUPIL_RULES = [
    # category, period, where the pupils went, the first day that is not yet due
    (Category.PUPIL_FILE, 24, SECONDARY, datetime.date(2024, 3, 16)),
    (Category.PUPIL_FILE_SPECIAL, 36, SPECIAL, datetime.date(2023, 3, 16)),
    (Category.ENROLMENT, 60, SECONDARY, datetime.date(2021, 3, 16)),
    (Category.CONSENT_EVIDENCE, 24, SECONDARY, datetime.date(2024, 3, 16)),
]


@pytest.mark.parametrize(("category", "months", "destination", "boundary"), PUPIL_RULES)
def test_pupil_due_only_when_left_before_the_cutoff_day_when_clock_frozen(
    ret, category, months, destination, boundary
):
    rule = ret.rule(category)
    assert rule.period_months == months  # the Dutch default
    assert cutoff(TODAY, months) == boundary
    on_cutoff = ret.leaver(left_on=boundary, destination=destination)
    day_before = ret.leaver(left_on=boundary - datetime.timedelta(days=1), destination=destination)

    assert list(due_pupils(rule, TODAY)) == [day_before]
    assert _item(preview(school=ret.school), category).pupil_ids == [day_before.pk]
    assert _item(preview(school=ret.school), category).pupils_due == 1

    # One day later the period of the pupil who left on the cutoff day has ended too.
    with at(TODAY + datetime.timedelta(days=1)):
        assert _item(preview(school=ret.school), category).pupil_ids == sorted(
            [on_cutoff.pk, day_before.pk]
        )


def test_special_education_leavers_only_under_their_own_rule_when_left_30_months_ago(ret):
    left = datetime.date(2023, 9, 16)  # 30 months: past 24, not past 36
    special = ret.leaver(left_on=left, destination=SPECIAL)
    regular = ret.leaver(left_on=left, destination=SECONDARY)
    old_special = ret.leaver(left_on=datetime.date(2022, 9, 16), destination=SPECIAL)

    data = preview(school=ret.school)

    assert _item(data, Category.PUPIL_FILE).pupil_ids == [regular.pk]
    assert _item(data, Category.PUPIL_FILE_SPECIAL).pupil_ids == [old_special.pk]
    assert special.pk not in _item(data, Category.PUPIL_FILE).pupil_ids


def test_consent_evidence_due_only_for_pupils_with_decisions_when_long_gone(ret):
    with_decisions = ret.leaver(left_on=years_ago(6))
    without = ret.leaver(left_on=years_ago(6), decisions=False)

    data = preview(school=ret.school)

    assert _item(data, Category.CONSENT_EVIDENCE).pupil_ids == [with_decisions.pk]
    assert _item(data, Category.ENROLMENT).pupil_ids == sorted([with_decisions.pk, without.pk])


def test_enrolled_pupils_and_other_schools_never_due_when_everything_is_old(ret):
    ret.leaver(left_on=years_ago(10), school=ret.world.other_school)

    data = preview(school=ret.school)

    assert all(item.pupil_ids == [] for item in data.rules)


def test_access_event_due_only_when_before_the_start_of_the_cutoff_day(ret):
    rule = ret.rule(Category.AUDIT_EVENTS)
    assert rule.period_months == 60
    start = aware(datetime.date(2021, 3, 16))  # midnight in Amsterdam
    assert audit_cutoff(rule, TODAY) == start
    kept = ret.event(start)
    due = ret.event(start - datetime.timedelta(microseconds=1))
    ret.event(start - datetime.timedelta(days=400), school=ret.world.other_school)

    assert _item(preview(school=ret.school), Category.AUDIT_EVENTS).events_due == 1

    run = retention_run(school=ret.school, categories=[Category.AUDIT_EVENTS])

    assert run.status == RunStatus.DONE
    assert run.counts == {Category.AUDIT_EVENTS: {"events": 1}}
    assert AccessEvent.objects.filter(pk=kept.pk).exists()
    assert not AccessEvent.objects.filter(pk=due.pk).exists()
    # The other school's old event is the other school's run's business.
    assert AccessEvent.objects.filter(school_id=ret.world.other_school.pk).exists()


# --- the preview -----------------------------------------------------------------------------


def _as_data(data) -> tuple:
    return (
        data.school.pk,
        data.day,
        [
            (
                item.rule.pk,
                item.rule.category,
                item.rule.period_months,
                item.rule.action,
                item.rule.enabled,
                item.pupils_due,
                item.pupil_ids,
                item.events_due,
                [str(c) for c in item.categories],
            )
            for item in data.rules
        ],
        [(hold.pk, hold.student_id, hold.until) for hold in data.held],
    )


@pytest.fixture
def due_everywhere(ret):
    """Pupils due in every rule, a held one, old access events."""
    pupils = {
        "six_years": ret.leaver(left_on=years_ago(6)),
        "three_years": ret.leaver(left_on=years_ago(3)),
        "special": ret.leaver(left_on=years_ago(4), destination=SPECIAL),
        "held": ret.leaver(left_on=years_ago(7)),
        "recent": ret.leaver(left_on=years_ago(1)),
    }
    ret.hold(pupils["held"])
    for pupil in pupils.values():
        ret.event(aware(years_ago(6)), student=pupil)
    ret.event(aware(years_ago(8)))
    return pupils


def test_same_answer_and_nothing_written_when_previewed_twice_on_one_day(ret, due_everywhere):
    pupils = due_everywhere
    before = row_counts()

    first = preview(school=ret.school)
    second = preview(school=ret.school)
    explicit = preview(school=ret.school, day=TODAY)

    assert row_counts() == before
    assert _as_data(first) == _as_data(second) == _as_data(explicit)
    # ... and it is the right answer.
    assert _item(first, Category.PUPIL_FILE).pupil_ids == sorted(
        [pupils["six_years"].pk, pupils["three_years"].pk]
    )
    assert _item(first, Category.PUPIL_FILE_SPECIAL).pupil_ids == [pupils["special"].pk]
    assert _item(first, Category.ENROLMENT).pupil_ids == [pupils["six_years"].pk]
    assert _item(first, Category.CONSENT_EVIDENCE).pupil_ids == sorted(
        [pupils["six_years"].pk, pupils["three_years"].pk, pupils["special"].pk]
    )
    assert _item(first, Category.AUDIT_EVENTS).events_due == 5  # 4 pupils' and the school's
    assert [hold.student_id for hold in first.held] == [pupils["held"].pk]


def test_defaults_shown_and_nothing_saved_when_school_has_no_rules_yet(ret):
    school = ret.world.other_school
    RetentionRule.objects.filter(school=school).delete()
    pupil = ret.leaver(left_on=years_ago(6), school=school)
    before = row_counts()

    data = preview(school=school)

    assert row_counts() == before
    assert [(item.rule.category, item.rule.period_months) for item in data.rules] == [
        (Category.PUPIL_FILE, 24),
        (Category.PUPIL_FILE_SPECIAL, 36),
        (Category.ENROLMENT, 60),
        (Category.CONSENT_EVIDENCE, 24),
        (Category.AUDIT_EVENTS, 60),
        (Category.APPLICATIONS, 12),
    ]
    assert _item(data, Category.ENROLMENT).pupil_ids == [pupil.pk]


def test_preview_changes_with_the_rule_when_the_director_shortens_a_period(ret):
    pupil = ret.leaver(left_on=datetime.date(2024, 7, 16))  # 20 months ago
    assert _item(preview(school=ret.school), Category.PUPIL_FILE).pupil_ids == []

    rule_update(
        user=ret.director,
        rule=ret.rule(Category.PUPIL_FILE),
        period_months=18,
        action=RuleAction.ANONYMISE,
        enabled=False,
    )

    assert _item(preview(school=ret.school), Category.PUPIL_FILE).pupil_ids == [pupil.pk]


# --- rules are data --------------------------------------------------------------------------


def test_change_kept_with_before_and_after_and_audited_when_director_edits_a_rule(ret):
    rule = ret.rule(Category.PUPIL_FILE)

    rule_update(
        user=ret.director, rule=rule, period_months=18, action=RuleAction.DELETE, enabled=True
    )

    rule.refresh_from_db()
    assert (rule.period_months, rule.action, rule.enabled) == (18, RuleAction.DELETE, True)
    assert rule.updated_by == ret.director
    (change,) = RuleChange.objects.filter(rule=rule)
    assert change.changed_by == ret.director
    assert change.before == {"period_months": 24, "action": "anonymise", "enabled": False}
    assert change.after == {"period_months": 18, "action": "delete", "enabled": True}
    # The audit event names the change record, which holds the values before and after.
    assert AccessEvent.objects.filter(
        object_type="retention_rule_change",
        object_id=str(change.pk),
        action=Action.UPDATE,
        actor_id=ret.director.pk,
        school_id=ret.school.pk,
    ).exists()


@pytest.mark.parametrize(
    ("category", "months", "action"),
    [
        (Category.PUPIL_FILE, 0, RuleAction.ANONYMISE),
        (Category.PUPIL_FILE, 241, RuleAction.ANONYMISE),
        (Category.ENROLMENT, 60, RuleAction.DELETE),
        (Category.CONSENT_EVIDENCE, 24, RuleAction.ANONYMISE),
        (Category.AUDIT_EVENTS, 60, RuleAction.ANONYMISE),
    ],
)
def test_refused_and_rule_unchanged_when_period_or_action_not_allowed(
    ret, category, months, action
):
    rule = ret.rule(category)
    before = (rule.period_months, rule.action, rule.enabled)
    events = AccessEvent.objects.count()

    with pytest.raises(RetentionError):
        rule_update(user=ret.director, rule=rule, period_months=months, action=action, enabled=True)

    rule.refresh_from_db()
    assert (rule.period_months, rule.action, rule.enabled) == before
    assert not RuleChange.objects.exists()
    assert AccessEvent.objects.count() == events


@pytest.mark.parametrize(
    ("category", "months"),
    [
        (category, months)
        for category, bounds in BOUNDS.items()
        if category != Category.AUDIT_EVENTS  # the board's log policy, not the director's
        for months in (bounds.floor, bounds.ceiling)
    ],
)
def test_floor_and_ceiling_accepted_when_the_director_sets_them(ret, category, months):
    rule = ret.rule(category)
    rule = rule_update(
        user=ret.director, rule=rule, period_months=months, action=rule.action, enabled=False
    )

    assert RetentionRule.objects.get(pk=rule.pk).period_months == months


def test_nothing_recorded_when_rule_saved_unchanged(ret):
    rule = ret.rule(Category.ENROLMENT)
    events = AccessEvent.objects.count()

    rule_update(
        user=ret.director,
        rule=rule,
        period_months=rule.period_months,
        action=rule.action,
        enabled=rule.enabled,
    )

    assert not RuleChange.objects.exists()
    assert AccessEvent.objects.count() == events


def test_rules_for_shows_saved_rules_when_school_has_them(ret):
    saved = RetentionRule.objects.filter(school=ret.school)

    assert {rule.pk for rule in rules_for(school=ret.school)} == {rule.pk for rule in saved}


# --- manage.py retention --dry-run -----------------------------------------------------------


def _blocks(output: str) -> dict[str, list[str]]:
    """The command's output per school (a line without indent starts a school)."""
    blocks: dict[str, list[str]] = {}
    current = ""
    for line in output.splitlines():
        if not line.startswith(" "):
            current = line
            blocks[current] = []
        else:
            blocks[current].append(line.strip())
    return blocks


def test_dry_run_prints_due_and_held_pupils_per_school_and_rule_and_changes_nothing(
    ret, due_everywhere
):
    pupils = due_everywhere
    other = ret.leaver(left_on=years_ago(6), school=ret.world.other_school)
    before = row_counts()
    out = StringIO()

    call_command("retention", "--dry-run", stdout=out)

    assert row_counts() == before
    blocks = _blocks(out.getvalue())
    ours = blocks[f"OBS Samen Een (12AB) on {TODAY.isoformat()}"]
    theirs = blocks[f"OBS De Brug (34CD) on {TODAY.isoformat()}"]
    both_file = ", ".join(
        str(pk) for pk in sorted([pupils["six_years"].pk, pupils["three_years"].pk])
    )
    expected = [
        "pupil_file: 24 months, anonymise, not enabled: 2 pupil(s) due",
        f"pupils: {both_file}",
        "pupil_file_special_education: 36 months, anonymise, not enabled: 1 pupil(s) due",
        f"pupils: {pupils['special'].pk}",
        "enrolment: 60 months, anonymise, not enabled: 1 pupil(s) due",
        f"pupils: {pupils['six_years'].pk}",
        "audit_events: 60 months, delete, not enabled: 5 access event(s) due",
        f"held: {pupils['held'].pk} (until lifted)",
    ]
    for line in expected:
        assert line in ours
    assert f"pupils: {other.pk}" in theirs
    assert f"pupils: {other.pk}" not in ours
    assert "held: none" in theirs


def test_dry_run_limited_to_one_school_when_brin_given(ret, due_everywhere):
    out = StringIO()

    call_command("retention", "--dry-run", "--school", "34CD", stdout=out)

    assert list(_blocks(out.getvalue())) == [f"OBS De Brug (34CD) on {TODAY.isoformat()}"]


# --- the nightly job -------------------------------------------------------------------------


def test_only_enabled_rules_run_when_the_night_comes(ret):
    pupil = ret.leaver(left_on=years_ago(6))
    other = ret.leaver(left_on=years_ago(6), school=ret.world.other_school)
    rule_update(
        user=ret.director,
        rule=ret.rule(Category.PUPIL_FILE),
        period_months=24,
        action=RuleAction.ANONYMISE,
        enabled=True,
    )

    runs = retention_nightly()

    (run,) = runs
    assert (run.school, run.trigger, run.status) == (ret.school, Trigger.NIGHTLY, RunStatus.DONE)
    assert run.categories == [Category.PUPIL_FILE]
    assert list(ErasureRecord.objects.filter(student=pupil).values_list("category", flat=True)) == [
        Category.PUPIL_FILE
    ]
    pupil = Student.objects.get(pk=pupil.pk)
    assert not CareRecord.objects.filter(student=pupil).exists()
    assert pupil.surname and pupil.anonymised_at is None  # enrolment is not enabled
    # The other school enabled nothing: no run, nothing touched.
    assert not RetentionRun.objects.filter(school=ret.world.other_school).exists()
    assert CareRecord.objects.filter(student=other).count() == 2
    assert not ErasureRecord.objects.filter(student=other).exists()


def test_no_run_at_all_when_no_rule_is_enabled(ret):
    pupil = ret.leaver(left_on=years_ago(6))

    assert retention_nightly() == []

    assert not RetentionRun.objects.exists()
    assert CareRecord.objects.filter(student=pupil).count() == 2
