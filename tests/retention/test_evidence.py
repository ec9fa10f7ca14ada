"""Evidence past its retention leaves only through the retention path: access events older than
the cutoff, oldest first, each batch with a checkpoint so the audit chain verifies from there;
consent decisions of former pupils with the takedowns that point at them. On PostgreSQL the
triggers refuse anything else, the retention flag included for events not past the bound."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AccessEvent, RetentionCheckpoint
from consent.constants import Decision
from consent.models import ConsentDecision, Publication, Takedown
from retention.constants import Category, RunStatus
from retention.erasure import AUDIT_BATCH, audit_events_purge
from retention.models import ErasureRecord
from retention.services import audit_cutoff, retention_run
from students.models import CareRecord, Student

from .conftest import TODAY, aware, years_ago

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"
)


def _set_retention_path(before: datetime.datetime | str) -> None:
    """What the retention service sets for its transaction: the flag and the bound."""
    bound = before if isinstance(before, str) else before.isoformat()
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('samen_een.retention', 'on', true)")
        cursor.execute("SELECT set_config('samen_een.retention_before', %s, true)", [bound])


def _delete(table: str, pk: int, *, bound: datetime.datetime | str | None = None) -> None:
    """A raw DELETE in a transaction of its own, with the retention path open when ``bound``
    is given."""
    with transaction.atomic():
        if bound is not None:
            _set_retention_path(bound)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608


# --- the trigger's bound (PostgreSQL) --------------------------------------------------------


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_trigger_refuses_delete_when_event_not_past_the_bound_even_with_the_flag(ret):
    cutoff = aware(datetime.date(2021, 3, 16))
    old = ret.event(cutoff - datetime.timedelta(seconds=1))
    at_bound = ret.event(cutoff)
    newer = ret.event(cutoff + datetime.timedelta(days=1))

    for event in (at_bound, newer):
        with pytest.raises(DatabaseError, match="append-only"):
            _delete("audit_accessevent", event.pk, bound=cutoff)
    # No bound at all (the flag alone) refuses every event, the old one too.
    with pytest.raises(DatabaseError, match="append-only"):
        _delete("audit_accessevent", old.pk, bound="")
    assert AccessEvent.objects.filter(pk__in=[old.pk, at_bound.pk, newer.pk]).count() == 3

    _delete("audit_accessevent", old.pk, bound=cutoff)

    assert not AccessEvent.objects.filter(pk=old.pk).exists()
    # Outside that transaction the flag is gone again.
    with pytest.raises(DatabaseError, match="append-only"):
        _delete("audit_accessevent", newer.pk)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_trigger_refuses_delete_of_consent_decision_when_retention_flag_not_set(ret):
    pupil = ret.leaver(left_on=years_ago(6))
    decision = ConsentDecision.objects.get(student=pupil)

    with pytest.raises(DatabaseError, match="append-only"):
        _delete("consent_consentdecision", decision.pk)

    assert ConsentDecision.objects.filter(pk=decision.pk).exists()
    # The retention path removes it in its own transaction; the flag does not outlive it.
    run = retention_run(school=ret.school, categories=[Category.CONSENT_EVIDENCE])
    assert run.status == RunStatus.DONE, run.errors
    assert not ConsentDecision.objects.filter(pk=decision.pk).exists()
    other = ConsentDecision.objects.filter(student=ret.world.pupil3).first()
    with pytest.raises(DatabaseError, match="append-only"):
        _delete("consent_consentdecision", other.pk)


# --- access events: oldest first, with checkpoints -------------------------------------------


def test_only_events_older_than_the_cutoff_go_oldest_first_with_checkpoints_when_purged(ret):
    """More events than one batch, made in an order that is not their time order, so that the
    checkpoint of the first batch shows which ones went first."""
    before = aware(datetime.date(2021, 3, 16))
    total = AUDIT_BATCH + 3
    start = before - datetime.timedelta(minutes=total + 10)
    moments = [start + datetime.timedelta(minutes=i) for i in range(total)]
    order = moments[1::2] + moments[0::2]  # ids do not follow time
    AccessEvent.objects.bulk_create(
        [
            AccessEvent(
                created_at=moment, action="view", outcome="allowed", school_id=ret.school.pk
            )
            for moment in order
        ]
    )
    at_cutoff = ret.event(before)
    later = ret.event(before + datetime.timedelta(days=10))
    old = {row.created_at: row.pk for row in AccessEvent.objects.filter(created_at__lt=before)}
    assert len(old) == total
    by_time = sorted(old)

    deleted = audit_events_purge(before=before, held_ids=[], run=None, school_id=ret.school.pk)

    assert deleted == total
    assert not AccessEvent.objects.filter(created_at__lt=before).exists()
    assert AccessEvent.objects.filter(pk__in=[at_cutoff.pk, later.pk]).count() == 2
    checkpoints = list(RetentionCheckpoint.objects.order_by("id"))
    assert [c.table for c in checkpoints] == ["audit_accessevent", "audit_accessevent"]
    assert [c.deleted_count for c in checkpoints] == [AUDIT_BATCH, 3]
    assert sum(c.deleted_count for c in checkpoints) == total
    first_batch_last = by_time[AUDIT_BATCH - 1]
    assert (checkpoints[0].up_to_id, checkpoints[0].up_to_created_at) == (
        old[first_batch_last],
        first_batch_last,
    )
    assert (checkpoints[1].up_to_id, checkpoints[1].up_to_created_at) == (
        old[by_time[-1]],
        by_time[-1],
    )


def test_audit_rule_removes_only_its_schools_old_events_with_a_checkpoint_when_run(ret):
    rule = ret.rule(Category.AUDIT_EVENTS)
    cutoff = audit_cutoff(rule, TODAY)
    pupil = ret.leaver(left_on=years_ago(7))
    held = ret.leaver(left_on=years_ago(7))
    ret.hold(held)
    oldest = ret.event(cutoff - datetime.timedelta(days=900), student=pupil)
    newest_old = ret.event(cutoff - datetime.timedelta(seconds=1))
    middle = ret.event(cutoff - datetime.timedelta(days=30))
    kept = [
        ret.event(cutoff),
        ret.event(cutoff - datetime.timedelta(days=5), student=held),
        ret.event(cutoff - datetime.timedelta(days=5), school=ret.world.other_school),
    ]

    run = retention_run(school=ret.school, categories=[Category.AUDIT_EVENTS])

    assert run.status == RunStatus.DONE
    assert run.counts == {Category.AUDIT_EVENTS: {"events": 3}}
    gone = [oldest.pk, newest_old.pk, middle.pk]
    assert not AccessEvent.objects.filter(pk__in=gone).exists()
    assert AccessEvent.objects.filter(pk__in=[e.pk for e in kept]).count() == 3
    (checkpoint,) = RetentionCheckpoint.objects.all()
    assert checkpoint.run_id == run.pk
    assert (checkpoint.up_to_id, checkpoint.up_to_created_at) == (
        newest_old.pk,
        newest_old.created_at,
    )
    assert checkpoint.deleted_count == 3
    # The pupil's other data is another rule's business.
    assert not ErasureRecord.objects.exists()


def test_no_checkpoint_written_when_nothing_is_old_enough(ret):
    ret.event(aware(years_ago(4)))

    run = retention_run(school=ret.school, categories=[Category.AUDIT_EVENTS])

    assert run.counts == {Category.AUDIT_EVENTS: {"events": 0}}
    assert not RetentionCheckpoint.objects.exists()


# --- consent decisions -----------------------------------------------------------------------


def test_decisions_and_their_takedowns_deleted_when_consent_evidence_rule_runs(ret):
    pupil = ret.leaver(left_on=years_ago(3))
    guardian = ret.guardian_of[pupil.pk]
    withdrawn = ret.decide(pupil, guardian, Decision.WITHDRAWN)
    photo = Publication.objects.create(
        school=ret.school,
        title="Musical groep 8",
        purpose=withdrawn.purpose,
        publish_on=datetime.date(2022, 6, 1),
        created_by=ret.director,
    )
    photo.pupils.set([pupil])
    takedown = Takedown.objects.create(publication=photo, student=pupil, decision=withdrawn)
    recent = ret.leaver(left_on=years_ago(1))
    others = {
        "world": set(ConsentDecision.objects.filter(student=ret.world.pupil3)),
        "recent": set(ConsentDecision.objects.filter(student=recent)),
    }
    world_takedowns = set(Takedown.objects.filter(student=ret.world.pupil3))

    run = retention_run(school=ret.school, categories=[Category.CONSENT_EVIDENCE])

    assert run.status == RunStatus.DONE, run.errors
    assert not ConsentDecision.objects.filter(student=pupil).exists()
    assert not Takedown.objects.filter(pk=takedown.pk).exists()
    assert set(ConsentDecision.objects.filter(student=ret.world.pupil3)) == others["world"]
    assert set(ConsentDecision.objects.filter(student=recent)) == others["recent"]
    assert set(Takedown.objects.filter(student=ret.world.pupil3)) == world_takedowns
    (line,) = ErasureRecord.objects.filter(student=pupil)
    assert (line.category, line.count, line.run) == (Category.CONSENT_EVIDENCE, 2, run)
    # Only the evidence went: the pupil's file is the pupil file rule's (not run).
    assert Student.objects.get(pk=pupil.pk).anonymised_at is None
    assert CareRecord.objects.filter(student=pupil).count() == 2
    assert Publication.pupils.through.objects.filter(student_id=pupil.pk).exists()
