"""Tamper evidence for the audit trail: events are sealed into a hash chain in the background,
``audit_verify`` finds the first broken link, and retention's removals are the only gaps it
accepts. On PostgreSQL the trigger allows no update but the sealing of an unsealed row."""

from __future__ import annotations

import datetime
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test import override_settings
from django.utils import timezone

from audit.chain import (
    CONTENT_FIELDS,
    GENESIS,
    BrokenLink,
    chain_extend,
    chain_verify,
    event_digest,
)
from audit.constants import Action, Outcome
from audit.models import AccessEvent, AuditChainHead, RetentionCheckpoint
from audit.tasks import audit_seal_task
from retention.constants import Category, RunStatus
from retention.erasure import audit_events_purge
from retention.services import audit_cutoff, hold_place, retention_run, rules_seed

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger is PostgreSQL's"
)

SEAL_COLUMNS = {"seal", "prev_seal"}


def _event(**fields) -> AccessEvent:
    fields.setdefault("action", Action.VIEW)
    fields.setdefault("outcome", Outcome.ALLOWED)
    return AccessEvent.objects.create(**fields)


def _events(n: int, **fields) -> list[AccessEvent]:
    return [_event(object_type="student", object_id=str(i), **fields) for i in range(n)]


def _row(pk: int) -> dict:
    return AccessEvent.objects.values(*CONTENT_FIELDS, "prev_seal", "seal").get(pk=pk)


def _head() -> tuple[int, str]:
    head = AuditChainHead.objects.filter(pk=1).first()
    return (head.seq, head.seal) if head else (0, GENESIS)


def _behind_the_guards(sql: str, params: list) -> None:
    """A raw change past the application's guard and, on PostgreSQL, past the trigger too, as
    someone with the database's owner rights could make it."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def _verify_command(*args: str) -> str:
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


# --- the digest ------------------------------------------------------------------------------


def test_digest_covers_every_column_of_the_event_when_the_model_changes(db):
    columns = {field.attname for field in AccessEvent._meta.concrete_fields}
    assert columns - SEAL_COLUMNS == set(CONTENT_FIELDS)


def test_digest_changes_when_any_content_or_the_previous_seal_changes(db):
    _event(
        actor_id=7, role="teacher", data_kind="care", student_id=3, school_id=2, path="/zoë\ufffd"
    )
    chain_extend()
    row = _row(AccessEvent.objects.get().pk)
    digest = event_digest(prev_seal=row["prev_seal"], row=row)
    assert digest == row["seal"]
    changed = {
        "id": row["id"] + 1,
        "created_at": row["created_at"] + datetime.timedelta(microseconds=1),
        "actor_id": 8,
        "role": "director",
        "action": Action.UPDATE,
        "data_kind": "religion",
        "special_category": not row["special_category"],
        "object_type": "group",
        "object_id": "9",
        "student_id": 4,
        "school_id": None,
        "outcome": Outcome.DENIED,
        "request_id": "req-1",
        "path": "/y",
        "seal_seq": row["seal_seq"] + 1,
    }
    assert set(changed) == set(CONTENT_FIELDS)
    for name, value in changed.items():
        assert event_digest(prev_seal=row["prev_seal"], row={**row, name: value}) != digest, name
    assert event_digest(prev_seal="f" * 64, row=row) != digest


# --- sealing ---------------------------------------------------------------------------------


def test_events_get_consecutive_numbers_each_linked_to_the_last_when_sealed(db):
    start_seq, start_seal = _head()
    events = _events(4)
    assert AccessEvent.objects.filter(seal_seq__isnull=True).count() == 4

    assert chain_extend(batch=3) == 4

    rows = [_row(event.pk) for event in events]
    assert [row["seal_seq"] for row in rows] == [start_seq + i for i in (1, 2, 3, 4)]
    previous = start_seal
    for row in rows:
        assert row["prev_seal"] == previous
        assert row["seal"] == event_digest(prev_seal=previous, row=row)
        previous = row["seal"]
    assert _head() == (rows[-1]["seal_seq"], rows[-1]["seal"])
    assert chain_verify().ok


def test_nothing_changes_when_sealed_twice(db):
    _events(3)
    chain_extend()
    sealed = list(AccessEvent.objects.order_by("id").values("id", "seal_seq", "seal"))
    head = _head()

    assert chain_extend() == 0
    assert audit_seal_task() is None

    assert list(AccessEvent.objects.order_by("id").values("id", "seal_seq", "seal")) == sealed
    assert _head() == head


def test_task_seals_the_new_events_when_run(db):
    (event,) = _events(1)
    audit_seal_task()
    assert _row(event.pk)["seal_seq"] is not None


def test_chain_verifies_when_a_lower_id_is_sealed_after_a_higher_one(db):
    """A row whose transaction committed late was not visible to the sealer that sealed the
    rows after it: it gets a later number."""
    (first,) = _events(1)
    chain_extend()
    late_id, early_id = first.pk + 50, first.pk + 100
    _event(id=early_id)
    chain_extend()
    _event(id=late_id)  # committed late, with the lower id
    chain_extend()

    assert _row(late_id)["seal_seq"] == _row(early_id)["seal_seq"] + 1
    result = chain_verify()
    assert result.ok, result.first_broken
    assert result.checked == 3


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_each_event_sealed_once_when_sealers_run_at_the_same_time():
    AccessEvent.objects.bulk_create(
        [AccessEvent(action=Action.VIEW, outcome=Outcome.ALLOWED) for _ in range(600)]
    )
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def sealer():
        try:
            barrier.wait()
            chain_extend(batch=50)
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sealer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = sorted(AccessEvent.objects.values_list("seal_seq", flat=True))
    assert seqs == list(range(1, 601))
    assert chain_verify().ok


# --- verifying -------------------------------------------------------------------------------


def test_verification_passes_and_counts_the_waiting_when_nothing_was_changed(db):
    _events(5)
    chain_extend()
    _events(2)

    result = chain_verify()

    assert result.ok and result.first_broken is None
    assert (result.checked, result.unsealed) == (5, 2)
    assert result.checkpoint_id is None


def test_changed_content_reported_at_that_event_when_a_sealed_row_is_tampered_with(db):
    events = _events(5)
    chain_extend()
    victim = _row(events[2].pk)

    _behind_the_guards(
        "UPDATE audit_accessevent SET outcome = 'denied' WHERE id = %s", [victim["id"]]
    )

    result = chain_verify()
    assert not result.ok
    assert result.first_broken == BrokenLink(victim["id"], victim["seal_seq"], "content changed")
    assert result.checked == 2


def test_broken_link_reported_at_the_next_event_when_a_row_is_resealed_after_tampering(db):
    events = _events(5)
    chain_extend()
    victim, after = _row(events[2].pk), _row(events[3].pk)
    forged = {**victim, "outcome": Outcome.DENIED}

    _behind_the_guards(
        "UPDATE audit_accessevent SET outcome = 'denied', seal = %s WHERE id = %s",
        [event_digest(prev_seal=victim["prev_seal"], row=forged), victim["id"]],
    )

    result = chain_verify()
    assert result.first_broken == BrokenLink(after["id"], after["seal_seq"], "link broken")


def test_missing_events_reported_when_a_middle_row_is_deleted(db):
    events = _events(5)
    chain_extend()
    gone, after = _row(events[2].pk), _row(events[3].pk)

    _behind_the_guards("DELETE FROM audit_accessevent WHERE id = %s", [gone["id"]])

    result = chain_verify()
    seq = gone["seal_seq"]
    assert result.first_broken == BrokenLink(
        after["id"],
        after["seal_seq"],
        f"events missing (seq {seq}-{seq}) not removed by retention",
    )


def test_end_of_chain_removed_reported_when_the_last_rows_are_deleted(db):
    events = _events(4)
    chain_extend()
    last = _row(events[-1].pk)

    _behind_the_guards("DELETE FROM audit_accessevent WHERE id = %s", [last["id"]])

    result = chain_verify()
    assert result.first_broken == BrokenLink(None, last["seal_seq"], "end of chain removed")


def test_chain_head_missing_reported_when_the_head_row_is_deleted(db):
    events = _events(3)
    chain_extend()
    last = _row(events[-1].pk)

    AuditChainHead.objects.all().delete()

    result = chain_verify()
    assert result.first_broken == BrokenLink(last["id"], last["seal_seq"], "chain head missing")


# --- retention -------------------------------------------------------------------------------


def test_chain_verifies_from_the_checkpoint_when_retention_removed_old_events_around_a_hold(db):
    """Old events of school 1 go, except those of the held pupil 30 and of school 2; the gaps
    they leave are on the checkpoint, so the chain still verifies, from the first event left
    (whose predecessor retention removed)."""
    # Past the 12 months the database's purge function keeps in any case.
    before = timezone.now() - datetime.timedelta(days=400)
    old = before - datetime.timedelta(days=400)
    rows = [
        _event(created_at=old, school_id=1, student_id=10),
        _event(created_at=old, school_id=1, student_id=30),  # held
        _event(created_at=old, school_id=1, student_id=11),
        _event(created_at=old, school_id=2, student_id=20),  # another school's
        _event(created_at=old, school_id=1),
        _event(school_id=1, student_id=10),  # recent
    ]
    start_seq, _seal = _head()

    deleted = audit_events_purge(before=before, held_ids=[30], run=None, school_id=1)

    assert deleted == 3
    kept = [rows[i].pk for i in (1, 3, 5)]
    assert set(AccessEvent.objects.values_list("pk", flat=True)) == set(kept)
    (checkpoint,) = RetentionCheckpoint.objects.all()
    seq = [start_seq + i for i in range(1, 7)]  # sealed by the purge, in id order
    assert checkpoint.removed_seal_ranges == [[seq[0], seq[0]], [seq[2], seq[2]], [seq[4], seq[4]]]
    result = chain_verify()
    assert result.ok, result.first_broken
    assert (result.checked, result.started_from_seq) == (3, seq[1])
    assert result.checkpoint_id == checkpoint.pk
    assert _verify_command().splitlines()[0] == (
        f"Audit chain intact: 3 events verified from seq {seq[1]} "
        f"(after retention checkpoint #{checkpoint.pk}); 0 events waiting to be sealed."
    )


def test_gap_not_accepted_when_a_row_is_deleted_after_retention(db):
    # Past the 12 months the database's purge function keeps in any case.
    before = timezone.now() - datetime.timedelta(days=400)
    old = before - datetime.timedelta(days=400)
    _event(created_at=old, school_id=1)
    kept = [_event(created_at=old, school_id=2), _event(school_id=2), _event(school_id=2)]
    audit_events_purge(before=before, held_ids=[], run=None, school_id=1)
    gone, after = _row(kept[1].pk), _row(kept[2].pk)

    _behind_the_guards("DELETE FROM audit_accessevent WHERE id = %s", [gone["id"]])

    result = chain_verify()
    assert result.first_broken is not None
    assert result.first_broken.event_id == after["id"]
    assert result.first_broken.reason.startswith("events missing")


def test_chain_verifies_when_a_retention_run_removed_a_schools_old_events(world):
    """Through the nightly job's service, with a legal hold in force."""
    rules = {rule.category: rule for rule in rules_seed(school=world.school)}
    cutoff = audit_cutoff(rules[Category.AUDIT_EVENTS], timezone.localdate())
    old = cutoff - datetime.timedelta(days=10)
    hold_place(user=world.users["director"], student=world.pupil3, reason="Geschil", until=None)
    for pupil in (world.pupil5, world.pupil3, world.pupil5, world.other_pupil, world.pupil5):
        _event(created_at=old, school_id=pupil.school_id, student_id=pupil.pk)
    chain_extend()
    _events(2, school_id=world.school.pk)  # not yet sealed when the job starts

    run = retention_run(school=world.school, categories=[Category.AUDIT_EVENTS])

    assert run.status == RunStatus.DONE, run.errors
    assert run.counts == {Category.AUDIT_EVENTS: {"events": 3}}
    (checkpoint,) = RetentionCheckpoint.objects.all()
    assert sum(last - first + 1 for first, last in checkpoint.removed_seal_ranges) == 3
    result = chain_verify()
    assert result.ok, result.first_broken
    assert result.unsealed == 1  # the run's own event, written after the purge


# --- the command -----------------------------------------------------------------------------


def test_command_reports_intact_chain_and_seals_first_when_asked(db):
    events = _events(3)
    chain_extend()
    _events(2)
    first = _row(events[0].pk)["seal_seq"]

    head = _head()
    assert _verify_command().splitlines() == [
        f"Audit chain intact: 3 events verified from seq {first}; 2 events waiting to be sealed.",
        f"Chain head: {head[0]}:{head[1]}",
    ]
    lines = _verify_command("--seal").splitlines()
    assert lines[:2] == [
        "2 events sealed.",
        f"Audit chain intact: 5 events verified from seq {first}; 0 events waiting to be sealed.",
    ]
    assert lines[2] == "Chain head: {}:{}".format(*_head())


def test_command_exits_1_naming_the_event_when_the_chain_is_broken(db):
    events = _events(3)
    chain_extend()
    victim = _row(events[1].pk)
    _behind_the_guards("UPDATE audit_accessevent SET path = '/x' WHERE id = %s", [victim["id"]])

    with pytest.raises(CommandError) as failure:
        _verify_command()

    assert failure.value.returncode == 1
    assert str(failure.value) == (
        f"Audit chain BROKEN at event id {victim['id']} (seq {victim['seal_seq']}): content changed"
    )


def test_fresh_demo_verifies_when_loaded(db):
    with override_settings(DEBUG=True):
        call_command("demo_data", verbosity=0)

    result = chain_verify()

    assert result.ok, result.first_broken
    assert result.checked > 0
    assert result.unsealed == 0


# --- the trigger (PostgreSQL) ----------------------------------------------------------------


def _raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@on_postgresql
def test_trigger_refuses_any_update_of_a_sealed_event(db):
    (event,) = _events(1)
    chain_extend()
    sealed = _row(event.pk)
    for sql, params in (
        ("UPDATE audit_accessevent SET outcome = 'denied' WHERE id = %s", [event.pk]),
        ("UPDATE audit_accessevent SET seal = %s WHERE id = %s", ["f" * 64, event.pk]),
        ("UPDATE audit_accessevent SET seal_seq = seal_seq + 1000 WHERE id = %s", [event.pk]),
        (
            "UPDATE audit_accessevent SET seal_seq = NULL, prev_seal = '', seal = '' WHERE id = %s",
            [event.pk],
        ),
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(sql, params)
    assert _row(event.pk) == sealed


@on_postgresql
def test_trigger_refuses_a_content_change_of_an_unsealed_event_even_when_sealing_it(db):
    (event,) = _events(1)
    seal = ["a" * 64, "b" * 64, event.pk]
    for sql, params in (
        ("UPDATE audit_accessevent SET outcome = 'denied' WHERE id = %s", [event.pk]),
        (
            "UPDATE audit_accessevent SET seal_seq = 1, prev_seal = %s, seal = %s, "
            "student_id = 99 WHERE id = %s",
            seal,
        ),
        (
            "UPDATE audit_accessevent SET seal_seq = 1, prev_seal = %s, seal = %s, "
            "created_at = created_at - interval '1 day' WHERE id = %s",
            seal,
        ),
        ("UPDATE audit_accessevent SET seal_seq = 1 WHERE id = %s", [event.pk]),
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(sql, params)
    row = _row(event.pk)
    assert (row["outcome"], row["student_id"], row["seal_seq"]) == ("allowed", None, None)


@on_postgresql
def test_trigger_allows_giving_an_unsealed_event_its_seal(db):
    (event,) = _events(1)

    _raw(
        "UPDATE audit_accessevent SET seal_seq = 1, prev_seal = %s, seal = %s WHERE id = %s",
        [GENESIS, "c" * 64, event.pk],
    )

    row = _row(event.pk)
    assert (row["seal_seq"], row["seal"]) == (1, "c" * 64)


# --- an anchor noted outside the database --------------------------------------------------


def _rewrite_from(pk: int) -> None:
    """What someone with the database's owner rights and this code could do: change a row
    and re-seal it and everything after it, head included. The chain itself then verifies."""
    rows = list(
        AccessEvent.objects.filter(seal_seq__gte=_row(pk)["seal_seq"])
        .order_by("seal_seq")
        .values_list("pk", flat=True)
    )
    prev = _row(rows[0])["prev_seal"]
    for i, row_pk in enumerate(rows):
        row = _row(row_pk)
        if i == 0:
            row["outcome"] = Outcome.DENIED
        seal = event_digest(prev_seal=prev, row=row)
        _behind_the_guards(
            "UPDATE audit_accessevent SET outcome = %s, prev_seal = %s, seal = %s WHERE id = %s",
            [row["outcome"], prev, seal, row_pk],
        )
        prev = seal
    _behind_the_guards("UPDATE audit_auditchainhead SET seal = %s WHERE id = 1", [prev])


def test_anchor_catches_a_rewrite_that_the_chain_alone_cannot(db):
    events = _events(5)
    chain_extend()
    noted = "{}:{}".format(*_head())
    assert "Anchor holds" in _verify_command("--expect", noted)

    _rewrite_from(events[2].pk)

    assert chain_verify().ok  # a full rewrite is consistent in itself
    with pytest.raises(CommandError) as failure:
        _verify_command("--expect", noted)
    assert str(failure.value).startswith("Anchor BROKEN")


def test_anchor_removed_by_retention_is_accepted_and_a_bad_anchor_refused(db):
    before = timezone.now() - datetime.timedelta(days=400)
    (old,) = _events(1, created_at=before - datetime.timedelta(days=1))
    chain_extend()
    noted = "{}:{}".format(*_head())
    _events(2)
    audit_events_purge(before=before, held_ids=[], run=None)
    out = _verify_command("--seal", "--expect", noted)
    assert not AccessEvent.objects.filter(pk=old.pk).exists()
    assert "removed by retention (checkpoint #" in out
    with pytest.raises(CommandError):
        _verify_command("--expect", "12:abc")
