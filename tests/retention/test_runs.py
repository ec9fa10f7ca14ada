"""Runs: a legal hold stops everything for its pupil until it is lifted or ends; a run that
crashes half-way leaves every pupil fully processed or untouched, is recorded as stopped with
its error, and the next run ends where one clean run would have."""

from __future__ import annotations

import datetime

import pytest

from audit.models import AccessEvent
from consent.models import ConsentDecision
from retention.constants import Category, RunStatus
from retention.models import ArchivedResult, ErasureRecord, RetentionRun
from retention.services import due_pupils, hold_lift, preview, retention_run
from students.models import (
    CareRecord,
    Guardian,
    Guardianship,
    Placement,
    ProgressRecord,
    ReligionRecord,
    School,
    Student,
)

from .conftest import ALL_CATEGORIES, TODAY, at, aware, years_ago

# --- legal hold ------------------------------------------------------------------------------


def _untouched(pupil: Student, name: str) -> None:
    pupil = Student.objects.get(pk=pupil.pk)
    assert pupil.anonymised_at is None
    assert pupil.given_name == name
    assert pupil.bsn == "111222333"
    assert CareRecord.objects.filter(student=pupil).count() == 2
    assert ReligionRecord.objects.filter(student=pupil).count() == 1
    assert ProgressRecord.objects.filter(student=pupil).count() == 2
    assert ConsentDecision.objects.filter(student=pupil).count() == 1
    assert Guardianship.objects.filter(student=pupil).count() == 1
    assert Placement.objects.filter(student=pupil).count() == 1
    assert not ErasureRecord.objects.filter(student=pupil).exists()


@pytest.fixture
def held(ret):
    """Two pupils who left seven years ago, each with an access event of six years ago; one
    of them under a legal hold without an end date."""
    pupil = ret.leaver(left_on=years_ago(7), given_name="Gehouden")
    free = ret.leaver(left_on=years_ago(7), given_name="Vrij")
    events = {p.pk: ret.event(aware(years_ago(6)), student=p) for p in (pupil, free)}
    hold = ret.hold(pupil)
    return pupil, free, hold, events


def test_held_pupil_in_held_and_due_in_no_rule_when_hold_in_force(ret, held):
    pupil, free, hold, _events = held

    data = preview(school=ret.school)

    assert [(h.pk, h.student_id) for h in data.held] == [(hold.pk, pupil.pk)]
    for item in data.rules:
        assert pupil.pk not in item.pupil_ids
        assert pupil.pk not in due_pupils(item.rule, TODAY).values_list("pk", flat=True)
    due = {item.rule.category: item.pupil_ids for item in data.rules}
    for category in (Category.PUPIL_FILE, Category.ENROLMENT, Category.CONSENT_EVIDENCE):
        assert due[category] == [free.pk]


def test_held_pupil_and_their_access_events_untouched_when_every_rule_runs(ret, held):
    pupil, free, _hold, events = held

    run = retention_run(school=ret.school, categories=ALL_CATEGORIES)

    assert run.status == RunStatus.DONE
    _untouched(pupil, "Gehouden")
    assert AccessEvent.objects.filter(pk=events[pupil.pk].pk).exists()
    # The same run did its work on the pupil without a hold.
    assert Student.objects.get(pk=free.pk).anonymised_at is not None
    assert not AccessEvent.objects.filter(pk=events[free.pk].pk).exists()


def test_pupil_processed_when_the_hold_is_lifted(ret, held):
    pupil, _free, hold, events = held
    retention_run(school=ret.school, categories=ALL_CATEGORIES)

    hold_lift(user=ret.director, hold=hold)
    assert preview(school=ret.school).held == []
    # The lift is in the school's audit trail like the placing.
    assert (
        AccessEvent.objects.filter(
            object_type="legal_hold", object_id=str(hold.pk), school_id=ret.school.pk
        ).count()
        == 2
    )
    run = retention_run(school=ret.school, categories=ALL_CATEGORIES)

    assert run.status == RunStatus.DONE
    pupil = Student.objects.get(pk=pupil.pk)
    assert pupil.anonymised_at is not None
    assert pupil.given_name == ""
    assert not CareRecord.objects.filter(student=pupil).exists()
    assert not ConsentDecision.objects.filter(student=pupil).exists()
    assert not AccessEvent.objects.filter(pk=events[pupil.pk].pk).exists()
    assert set(
        ErasureRecord.objects.filter(student=pupil, run=run).values_list("category", flat=True)
    ) == {Category.PUPIL_FILE, Category.CONSENT_EVIDENCE, Category.ENROLMENT}


def test_pupil_held_on_the_last_day_and_processed_after_it_when_hold_has_an_end(ret):
    pupil = ret.leaver(left_on=years_ago(7), given_name="Tijdelijk")
    event = ret.event(aware(years_ago(6)), student=pupil)
    last_day = TODAY + datetime.timedelta(days=30)
    ret.hold(pupil, until=last_day)

    with at(last_day):
        assert retention_run(school=ret.school, categories=ALL_CATEGORIES).status == "done"
        _untouched(pupil, "Tijdelijk")
        assert AccessEvent.objects.filter(pk=event.pk).exists()

    with at(last_day + datetime.timedelta(days=1)):
        data = preview(school=ret.school)
        assert data.held == []
        assert pupil.pk in {pk for item in data.rules for pk in item.pupil_ids}
        run = retention_run(school=ret.school, categories=ALL_CATEGORIES)

    assert run.status == RunStatus.DONE
    assert Student.objects.get(pk=pupil.pk).anonymised_at is not None
    assert not AccessEvent.objects.filter(pk=event.pk).exists()


def test_other_pupils_processed_when_a_pupil_of_another_school_is_held(ret):
    held_pupil = ret.leaver(left_on=years_ago(7), school=ret.world.other_school)
    ret.hold(held_pupil)
    pupil = ret.leaver(left_on=years_ago(7))

    retention_run(school=ret.school, categories=ALL_CATEGORIES)

    assert Student.objects.get(pk=pupil.pk).anonymised_at is not None
    assert Student.objects.get(pk=held_pupil.pk).anonymised_at is None


# --- a crash half-way ------------------------------------------------------------------------


class CrashError(RuntimeError):
    pass


def crash_at(category: str, nth: int):
    """A checkpoint that raises inside the transaction of the nth pupil of the category."""
    seen = []

    def checkpoint(current: str, student_id: int) -> None:
        if current == category:
            seen.append(student_id)
            if len(seen) == nth:
                raise CrashError(f"injected after pupil {student_id}")

    return checkpoint


def _school_with_leavers(ret, school: School) -> list[Student]:
    """Three pupils who left six years ago (one for special education), each with old access
    events; the same data in every school it is called for."""
    pupils = [
        ret.leaver(left_on=years_ago(6), school=school, given_name="Anna", surname="Jansen"),
        ret.leaver(
            left_on=years_ago(6),
            school=school,
            destination="special_education",
            given_name="Bram",
            surname="Visser",
        ),
        ret.leaver(left_on=years_ago(6), school=school, given_name="Cato", surname="Mulder"),
    ]
    for pupil in pupils:
        ret.event(aware(years_ago(6)), student=pupil)
    ret.event(aware(years_ago(7)), school=school)
    return sorted(pupils, key=lambda p: p.pk)


def _state(ret, school: School, pupils: list[Student]) -> dict:
    """Everything a run changes, per pupil in order, without ids or times."""
    per_pupil = []
    for pupil in pupils:
        row = Student.objects.get(pk=pupil.pk)
        guardian = Guardian.objects.get(pk=ret.guardian_of[pupil.pk].pk)
        per_pupil.append(
            {
                "anonymised": row.anonymised_at is not None,
                "names": (row.first_names, row.given_name, row.surname),
                "bsn": (row.bsn, row.bsn_hash),
                "address": row.address,
                "born": row.date_of_birth,
                "care": CareRecord.objects.filter(student=pupil).count(),
                "religion": ReligionRecord.objects.filter(student=pupil).count(),
                "progress": ProgressRecord.objects.filter(student=pupil).count(),
                "placements": Placement.objects.filter(student=pupil).count(),
                "guardianships": Guardianship.objects.filter(student=pupil).count(),
                "decisions": ConsentDecision.objects.filter(student=pupil).count(),
                "events": AccessEvent.objects.filter(student_id=pupil.pk).count(),
                "guardian": (guardian.first_name, guardian.surname, bool(guardian.email)),
                "tombstone": sorted(
                    ErasureRecord.objects.filter(student=pupil).values_list(
                        "category", "action", "count", "rule__category"
                    )
                ),
            }
        )
    return {
        "pupils": per_pupil,
        "archived": sorted(
            ArchivedResult.objects.filter(school=school).values_list(
                "year_group", "subject", "period", "result"
            )
        ),
        "old_school_events": AccessEvent.objects.filter(
            school_id=school.pk, student_id__isnull=True, created_at__lt=aware(years_ago(5))
        ).count(),
    }


@pytest.mark.parametrize(
    ("category", "nth"),
    [
        (Category.PUPIL_FILE, 2),
        (Category.CONSENT_EVIDENCE, 3),
        (Category.ENROLMENT, 2),
    ],
)
def test_same_end_state_as_one_clean_run_when_a_run_crashes_and_runs_again(ret, category, nth):
    clean_school = ret.world.school
    crash_school = ret.second_school()
    clean_pupils = _school_with_leavers(ret, clean_school)
    crash_pupils = _school_with_leavers(ret, crash_school)
    assert _state(ret, clean_school, clean_pupils) == _state(ret, crash_school, crash_pupils)
    before = _state(ret, crash_school, crash_pupils)

    clean = retention_run(school=clean_school, categories=ALL_CATEGORIES)
    # One pupil per batch (transaction): the crash lands between pupils.
    failed = retention_run(
        school=crash_school,
        categories=ALL_CATEGORIES,
        checkpoint=crash_at(category, nth),
        batch=1,
    )

    assert clean.status == RunStatus.DONE
    failed = RetentionRun.objects.get(pk=failed.pk)
    assert failed.status == RunStatus.FAILED
    assert failed.errors.startswith("CrashError: injected after pupil")
    assert failed.finished_at is not None
    middle = _state(ret, crash_school, crash_pupils)
    due = [p for p in crash_pupils if category != Category.PUPIL_FILE or p.surname != "Visser"]
    crashed = due[nth - 1]
    index = crash_pupils.index(crashed)
    # The pupil whose batch failed has nothing of this category processed ...
    assert not ErasureRecord.objects.filter(student=crashed, category=category).exists()
    assert middle["pupils"][index]["names"] == before["pupils"][index]["names"]
    if category == Category.PUPIL_FILE:
        assert middle["pupils"][index] == before["pupils"][index]
    # ... the pupils before it (earlier batches) in this category are fully processed ...
    for earlier in due[: nth - 1]:
        assert ErasureRecord.objects.filter(student=earlier, category=category).exists()
    if category == Category.ENROLMENT:
        # (its old access events wait for the audit rule, which the run did not reach)
        first = crash_pupils.index(due[0])
        clean_first = _state(ret, clean_school, clean_pupils)["pupils"][first]
        assert {**middle["pupils"][first], "events": None} == {**clean_first, "events": None}
    # ... and the access events were not reached.
    assert middle["old_school_events"] == 1

    again = retention_run(school=crash_school, categories=ALL_CATEGORIES)

    assert again.status == RunStatus.DONE
    assert again.errors == ""
    assert _state(ret, crash_school, crash_pupils) == _state(ret, clean_school, clean_pupils)
    end = _state(ret, clean_school, clean_pupils)
    assert all(p["anonymised"] for p in end["pupils"])
    assert end["old_school_events"] == 0


@pytest.mark.parametrize("category", [Category.PUPIL_FILE, Category.CONSENT_EVIDENCE])
def test_whole_batch_untouched_and_same_end_state_when_a_run_crashes_inside_a_batch(ret, category):
    clean_school = ret.world.school
    crash_school = ret.second_school()
    clean_pupils = _school_with_leavers(ret, clean_school)
    crash_pupils = _school_with_leavers(ret, crash_school)
    before = _state(ret, crash_school, crash_pupils)
    retention_run(school=clean_school, categories=ALL_CATEGORIES)

    failed = retention_run(
        school=crash_school, categories=ALL_CATEGORIES, checkpoint=crash_at(category, 2)
    )

    assert RetentionRun.objects.get(pk=failed.pk).status == RunStatus.FAILED
    # Every pupil of the batch is untouched in this category, the one before the crash too.
    assert not ErasureRecord.objects.filter(student__in=crash_pupils, category=category).exists()
    middle = _state(ret, crash_school, crash_pupils)
    for index in range(len(crash_pupils)):
        assert middle["pupils"][index]["names"] == before["pupils"][index]["names"]
        if category == Category.PUPIL_FILE:
            assert middle["pupils"][index] == before["pupils"][index]
        else:
            assert middle["pupils"][index]["decisions"] == before["pupils"][index]["decisions"]

    again = retention_run(school=crash_school, categories=ALL_CATEGORIES)

    assert again.status == RunStatus.DONE
    assert _state(ret, crash_school, crash_pupils) == _state(ret, clean_school, clean_pupils)


def test_second_run_changes_nothing_when_the_first_one_finished(ret):
    pupils = _school_with_leavers(ret, ret.school)
    retention_run(school=ret.school, categories=ALL_CATEGORIES)
    after_first = _state(ret, ret.school, pupils)
    tombstones = ErasureRecord.objects.count()

    again = retention_run(school=ret.school, categories=ALL_CATEGORIES)

    assert again.status == RunStatus.DONE
    assert _state(ret, ret.school, pupils) == after_first
    assert ErasureRecord.objects.count() == tombstones
    assert again.counts == {
        Category.PUPIL_FILE: {"pupils": 0},
        Category.PUPIL_FILE_SPECIAL: {"pupils": 0},
        Category.CONSENT_EVIDENCE: {"pupils": 0},
        Category.ENROLMENT: {"pupils": 0},
        Category.APPLICATIONS: {"applications": 0},
        Category.AUDIT_EVENTS: {"events": 0},
    }


def test_counts_and_report_recorded_when_a_run_finishes(ret):
    _school_with_leavers(ret, ret.school)

    run = retention_run(school=ret.school, categories=ALL_CATEGORIES, user=ret.director)

    run = RetentionRun.objects.get(pk=run.pk)
    assert run.started_by == ret.director
    assert run.categories == [
        Category.PUPIL_FILE,
        Category.PUPIL_FILE_SPECIAL,
        Category.CONSENT_EVIDENCE,
        Category.ENROLMENT,
        Category.APPLICATIONS,
        Category.AUDIT_EVENTS,
    ]
    assert run.counts == {
        Category.PUPIL_FILE: {"pupils": 2},
        Category.PUPIL_FILE_SPECIAL: {"pupils": 1},
        Category.CONSENT_EVIDENCE: {"pupils": 3},
        Category.ENROLMENT: {"pupils": 3},
        Category.APPLICATIONS: {"applications": 0},
        Category.AUDIT_EVENTS: {"events": 4},
    }
    assert run.finished_at is not None
    assert ErasureRecord.objects.filter(run=run).count() == 9
