"""The database cannot be used to rewrite the evidence (PostgreSQL).

In production the portal connects as an application role that does not own the tables
(``audit.database_roles``). These tests create such a role, grant it what migrating as the
owner grants, reconnect Django's own connection as that role, and prove that

- a raw UPDATE, DELETE or TRUNCATE of access events, consent decisions, the chain head or the
  retention checkpoints is refused, also after setting the triggers' retention flag;
- the application still does its work: ordinary writes, appending events, sealing the chain,
  retention's purge of events and consent decisions past their period — through the owner's
  ``SECURITY DEFINER`` functions, which refuse what their conditions do not allow.

The rest of the suite connects as the owner (Django's test database needs it). In CI
(``INTEGRATION_REQUIRED=1``) these tests must run: on SQLite they fail instead of skipping.
"""

from __future__ import annotations

import contextlib
import datetime
import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.chain import chain_extend, chain_verify, event_digest
from audit.constants import Action, Outcome
from audit.database_roles import app_role_grant, grant_after_migrate
from audit.models import AccessEvent, AuditChainHead, RetentionCheckpoint
from audit.services import event_record
from consent.models import ConsentDecision
from retention.erasure import audit_events_purge, consent_evidences_erase
from retention.services import Why
from students.models import Student

from .conftest import aware, years_ago

APP_ROLE = "samen_een_app_test"

if connection.vendor != "postgresql" and os.environ.get("INTEGRATION_REQUIRED") == "1":
    pytest.fail("INTEGRATION_REQUIRED=1 but the tests do not run on PostgreSQL", pytrace=False)

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

EVIDENCE = ("audit_accessevent", "consent_consentdecision")
CHAIN = ("audit_auditchainhead", "retention_retentioncheckpoint")


@pytest.fixture
def app_role(transactional_db):
    """A login role that is not the owner, with the privileges a migration as the owner gives."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOINHERIT")
    app_role_grant(using="default", role=APP_ROLE)
    return APP_ROLE


@contextlib.contextmanager
def connected_as(role: str):
    """Django's default connection, reconnected as ``role`` for the block."""
    settings = connection.settings_dict
    saved = settings["USER"], settings.get("PASSWORD", "")
    connection.close()
    settings["USER"], settings["PASSWORD"] = role, ""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == role
        yield
    finally:
        connection.close()
        settings["USER"], settings["PASSWORD"] = saved


def _execute(statement: str, params=None, *, flag: bool = False) -> None:
    """One statement in a transaction of its own, with the retention flag set if asked."""
    with transaction.atomic(), connection.cursor() as cursor:
        if flag:
            cursor.execute("SELECT set_config('samen_een.retention', 'on', true)")
            cursor.execute(
                "SELECT set_config('samen_een.retention_before', %s, true)",
                [timezone.now().isoformat()],
            )
        cursor.execute(statement, params)


def _event(**fields) -> AccessEvent:
    fields.setdefault("action", Action.VIEW)
    fields.setdefault("outcome", Outcome.ALLOWED)
    return AccessEvent.objects.create(**fields)


# --- refused ---------------------------------------------------------------------------------


@pytest.mark.parametrize("table", EVIDENCE + CHAIN)
@pytest.mark.parametrize("flag", [False, True], ids=["plain", "with-retention-flag"])
def test_app_role_cannot_update_delete_or_truncate_evidence(app_role, ret, table, flag):
    pupil = ret.leaver(left_on=years_ago(3))
    _event(student_id=pupil.pk, school_id=pupil.school_id)
    chain_extend()
    before = {name: _count(name) for name in EVIDENCE + CHAIN}
    column = {
        "audit_accessevent": "path",
        "consent_consentdecision": "channel",
        "audit_auditchainhead": "seal",
        "retention_retentioncheckpoint": "table",
    }[table]

    with connected_as(app_role):
        for statement in (
            f'UPDATE {table} SET "{column}" = %s',  # noqa: S608
            f"DELETE FROM {table}",  # noqa: S608
            f"TRUNCATE {table}",
        ):
            params = ["rewritten"] if statement.startswith("UPDATE") else None
            with pytest.raises(DatabaseError, match="permission denied"):
                _execute(statement, params, flag=flag)

    assert {name: _count(name) for name in EVIDENCE + CHAIN} == before
    assert chain_verify().ok


@pytest.mark.parametrize("table", CHAIN)
def test_app_role_cannot_write_the_chain_head_or_a_checkpoint(app_role, table):
    statement = {
        "audit_auditchainhead": (
            "INSERT INTO audit_auditchainhead (id, seq, seal) VALUES (2, 0, '')"
        ),
        "retention_retentioncheckpoint": (
            "INSERT INTO retention_retentioncheckpoint"
            ' ("table", up_to_id, up_to_created_at, deleted_count, removed_seal_ranges,'
            " created_at) VALUES ('audit_accessevent', 1, now(), 1, '[[1, 99]]', now())"
        ),
    }[table]
    with connected_as(app_role), pytest.raises(DatabaseError, match="permission denied"):
        _execute(statement)


def test_sealing_function_refuses_a_batch_that_does_not_continue_the_chain(app_role):
    first, second = _event(), _event()
    chain_extend()
    third = _event()
    head = AuditChainHead.objects.get(pk=1)
    row = AccessEvent.objects.values().get(pk=third.pk)
    good = event_digest(prev_seal=head.seal, row=row | {"seal_seq": head.seq + 1})
    attempts = {
        "a sealed row again": ([first.pk], [head.seq + 1], [head.seal], [good]),
        "a gap in the numbers": ([third.pk], [head.seq + 2], [head.seal], [good]),
        "not linked to the head": ([third.pk], [head.seq + 1], ["0" * 64], [good]),
        "not a seal": ([third.pk], [head.seq + 1], [head.seal], ["x" * 64]),
    }

    with connected_as(app_role):
        for name, arrays in attempts.items():
            with pytest.raises(DatabaseError, match="audit_seal_batch"):
                _execute(
                    "SELECT audit_seal_batch(%s::bigint[], %s::bigint[], %s::varchar[],"
                    " %s::varchar[])",
                    list(arrays),
                )
            assert AuditChainHead.objects.get(pk=1).seq == head.seq, name

    assert AccessEvent.objects.get(pk=second.pk).seal_seq == head.seq
    assert AccessEvent.objects.get(pk=third.pk).seal_seq is None


def test_purge_function_refuses_events_within_twelve_months_and_of_held_pupils(app_role, ret):
    held = ret.leaver(left_on=years_ago(3))
    ret.hold(held)
    now = _database_now()  # the function judges by the database's clock, not the frozen one
    recent = _event(created_at=now - datetime.timedelta(days=200))
    of_held = _event(created_at=aware(datetime.date(2020, 1, 6)), student_id=held.pk)
    chain_extend()
    within = now - datetime.timedelta(days=300)

    with connected_as(app_role):
        with pytest.raises(DatabaseError, match="within the 12 months"):
            _execute(
                "SELECT retention_purge_access_events(%s::bigint[], %s, NULL)",
                [[recent.pk], within],
            )
        _execute(
            "SELECT retention_purge_access_events(%s::bigint[], %s, NULL)",
            [[of_held.pk], aware(datetime.date(2021, 1, 1))],
        )

    assert AccessEvent.objects.filter(pk__in=[recent.pk, of_held.pk]).count() == 2
    assert not RetentionCheckpoint.objects.exists()


def test_consent_purge_function_refuses_a_pupil_who_left_within_twelve_months(app_role, ret):
    recent = ret.leaver(left_on=years_ago(3))
    # Left 100 days ago by the database's clock (the function's), not the frozen one.
    Student.objects.filter(pk=recent.pk).update(
        withdrawn_on=(_database_now() - datetime.timedelta(days=100)).date()
    )
    long_gone = ret.leaver(left_on=years_ago(3))
    decisions = ConsentDecision.objects.count()

    with connected_as(app_role):
        with pytest.raises(DatabaseError, match="retention_purge_consent_decisions"):
            _execute(
                "SELECT retention_purge_consent_decisions(%s::bigint[])",
                [[long_gone.pk, recent.pk]],
            )

    assert ConsentDecision.objects.count() == decisions


# --- the application still works -------------------------------------------------------------


def test_app_role_writes_ordinary_data_and_appends_events(app_role, ret):
    pupil = ret.world.pupil3
    with connected_as(app_role):
        with transaction.atomic():
            Student.objects.filter(pk=pupil.pk).update(city="Zwolle")
            event_record(user=ret.director, action=Action.VIEW, student_id=pupil.pk)
        assert Student.objects.get(pk=pupil.pk).city == "Zwolle"
        assert AccessEvent.objects.filter(student_id=pupil.pk, actor_id=ret.director.pk).exists()


def test_app_role_seals_the_chain_through_the_owners_function(app_role):
    events = [_event(object_id=str(i)) for i in range(5)]

    with connected_as(app_role):
        assert chain_extend(batch=2) == 5

    assert all(AccessEvent.objects.get(pk=event.pk).seal_seq for event in events)
    assert AuditChainHead.objects.get(pk=1).seq == 5
    assert chain_verify().ok


def test_app_role_purges_events_and_consent_evidence_past_their_period(app_role, ret):
    before = aware(datetime.date(2021, 3, 16))
    old = [_event(created_at=before - datetime.timedelta(days=d)) for d in (1, 2, 3)]
    kept = _event(created_at=before + datetime.timedelta(days=1))
    pupil = ret.leaver(left_on=years_ago(3))
    assert ConsentDecision.objects.filter(student=pupil).exists()

    with connected_as(app_role):
        deleted = audit_events_purge(before=before, held_ids=[], run=None)
        with transaction.atomic():
            locked = list(Student.objects.select_for_update().filter(pk=pupil.pk))
            consent_evidences_erase(students=locked, why=Why(actor=ret.director))

    assert deleted == 3
    assert not AccessEvent.objects.filter(pk__in=[event.pk for event in old]).exists()
    assert AccessEvent.objects.filter(pk=kept.pk).exists()
    (checkpoint,) = RetentionCheckpoint.objects.all()
    assert checkpoint.deleted_count == 3
    assert not ConsentDecision.objects.filter(student=pupil).exists()
    assert chain_verify().ok


# --- the grants themselves -------------------------------------------------------------------


def test_grant_refuses_the_owner_a_superuser_and_an_unknown_role(app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
    for role, reason in (
        (owner, "same role"),
        ("no_such_role_here", "does not exist"),
    ):
        with pytest.raises(ImproperlyConfigured, match=reason):
            app_role_grant(using="default", role=role)


def test_grants_follow_only_a_migration_as_the_owner(app_role, monkeypatch, settings):
    """After a migration with DATABASE_OWNER_URL set, the application role (DATABASE_URL's
    user) gets its privileges; a migration without it (development, tests) grants nothing."""
    calls = []
    monkeypatch.setattr(
        "audit.database_roles.app_role_grant", lambda **kwargs: calls.append(kwargs)
    )
    settings.DATABASE_APP_ROLE = ""
    grant_after_migrate(using="default")
    assert calls == []
    settings.DATABASE_APP_ROLE = APP_ROLE
    grant_after_migrate(using="default")
    assert calls == [{"using": "default", "role": APP_ROLE}]


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def _database_now() -> datetime.datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]
