"""Key rotation: every sealed value moves to the newest key, and the old key can then go."""

import logging
from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from kernel.crypto import SealedDataError, SealedTextField
from kernel.key_rotation import keys_rotate, keys_verify_primary_only, sealed_fields
from students.models import SealCanary, Student
from students.sealed_data import CANARY, sealed_data_verify

from .factories import StudentFactory

BSNS = ["111222333", "123456782", "100000009", "200000008", "300000007"]


@pytest.fixture
def old_key() -> str:
    return settings.FIELD_ENCRYPTION_KEYS[0]


@pytest.fixture
def new_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def pupils(db) -> list[Student]:
    return [StudentFactory.create(bsn=bsn) for bsn in BSNS[:3]]


def _raw_bsns() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, bsn FROM students_student ORDER BY id")
        return dict(cursor.fetchall())


def _raw_canary() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM students_sealcanary")
        return cursor.fetchone()[0]


def _opens(key: str, token: str) -> str:
    return Fernet(key.encode()).decrypt(token.encode()).decode()


def _rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out)
    return out.getvalue()


def test_sealed_fields_lists_every_sealed_column_when_discovered(db):
    found = sealed_fields()
    labels = [f"{model._meta.label}.{field.name}" for model, field in found]
    assert "students.Student.bsn" in labels
    assert "students.SealCanary.token" in labels
    assert all(isinstance(field, SealedTextField) for _, field in found)
    assert len(labels) == len(set(labels))


def test_every_token_opens_with_new_key_alone_when_rotated_after_new_key_added(
    pupils, old_key, new_key
):
    SealCanary.objects.create(token=CANARY)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        _rotate()

    raw = _raw_bsns()
    assert {_opens(new_key, token) for token in raw.values()} == set(BSNS[:3])
    assert _opens(new_key, _raw_canary()) == CANARY
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):  # the old key removed
        assert {p.pk: p.bsn for p in Student.objects.all()} == {p.pk: p.bsn for p in pupils}
        assert SealCanary.objects.get().token == CANARY
        sealed_data_verify()
    with pytest.raises(InvalidToken):
        _opens(old_key, next(iter(raw.values())))


def test_values_unchanged_when_rotation_runs_twice(pupils, old_key, new_key):
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        first = keys_rotate()
        after_first = _raw_bsns()
        second = keys_rotate()
        _rotate()

    assert first["students.Student.bsn"] == 3
    assert second["students.Student.bsn"] == 0
    assert _raw_bsns() == after_first
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        assert sorted(Student.objects.values_list("bsn", flat=True)) == sorted(BSNS[:3])


def test_check_fails_when_values_still_need_old_key(pupils, old_key, new_key):
    before = _raw_bsns()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        with pytest.raises(CommandError, match="may NOT be removed"):
            _rotate("--check")
        assert keys_verify_primary_only()["students.Student.bsn"] == 3
    assert _raw_bsns() == before  # --check changes nothing


def test_check_passes_when_rotation_has_run(pupils, old_key, new_key):
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        _rotate()
        output = _rotate("--check")
        counts = keys_verify_primary_only()
    assert "old keys may now be removed" in output
    assert set(counts.values()) == {0}


def test_command_reports_counts_and_old_keys_removable_when_rotation_completes(
    pupils, old_key, new_key
):
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        output = _rotate()
    assert "students.Student.bsn: 3 re-encrypted, 0 already on the newest key" in output
    assert "students.Student.bsn: 0" in output
    # Sealed files are rotated and verified by the same command (tests/test_sealed_files.py).
    assert "suppliers.Export.file: 0 re-encrypted, 0 already on the newest key" in output
    assert "Values and files that still need an old key (or are missing):" in output
    assert (
        output.strip()
        .splitlines()[-1]
        .endswith("old keys may now be removed from FIELD_ENCRYPTION_KEYS.")
    )
    for bsn in BSNS:
        assert bsn not in output


def test_command_fails_loudly_when_token_sealed_with_unknown_key(pupils, old_key, new_key, caplog):
    stranger = pupils[1]
    foreign = Fernet(Fernet.generate_key()).encrypt(b"999888777").decode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE students_student SET bsn = %s WHERE id = %s", [foreign, stranger.pk])

    caplog.set_level(logging.DEBUG)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        with pytest.raises(SealedDataError, match=rf"students\.Student\.bsn \(pk={stranger.pk}\)"):
            _rotate()
    assert _raw_bsns()[stranger.pk] == foreign  # left as it was, never overwritten
    for secret in [*BSNS, "999888777"]:
        assert secret not in caplog.text


def test_raw_column_holds_no_plaintext_when_rotated(pupils, old_key, new_key):
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        _rotate()
    plaintext = {pupil.pk: pupil.bsn for pupil in pupils}
    for pk, token in _raw_bsns().items():
        assert token.startswith("gAAAA")
        assert not any(bsn in token for bsn in BSNS)
        # Sealed once, not twice: the new key opens straight to the plaintext.
        assert _opens(new_key, token) == plaintext[pk]


def test_all_rows_rotated_when_batches_are_smaller_than_table(db, old_key, new_key):
    for bsn in BSNS:
        StudentFactory.create(bsn=bsn)

    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        with CaptureQueriesContext(connection) as queries:
            counts = keys_rotate(batch_size=2)
        assert keys_verify_primary_only(batch_size=2)["students.Student.bsn"] == 0

    assert counts["students.Student.bsn"] == 5
    assert sorted(_opens(new_key, t) for t in _raw_bsns().values()) == sorted(BSNS)
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT")
        and "students_student" in q["sql"]
        and "ORDER BY" in q["sql"]
    ]
    assert len(reads) == 3  # 2 + 2 + 1 rows, keyset paginated


def test_empty_values_stay_empty_when_rotated(db, old_key, new_key):
    blank = StudentFactory.create(bsn="")
    StudentFactory.create(bsn="111222333")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        counts = keys_rotate(batch_size=1)
    assert counts["students.Student.bsn"] == 1
    assert _raw_bsns()[blank.pk] == ""


def test_command_refuses_when_batch_size_is_not_positive(db):
    with pytest.raises(CommandError, match="batch-size"):
        _rotate("--batch-size", "0")


def test_command_refuses_when_sealed_column_is_missing(db, monkeypatch):
    introspection = connections["default"].introspection
    existing = introspection.table_names
    monkeypatch.setattr(
        introspection,
        "table_names",
        lambda *args, **kwargs: [t for t in existing(*args, **kwargs) if t != "students_student"],
    )
    for args in [(), ("--check",)]:
        with pytest.raises(ImproperlyConfigured, match=r"students\.Student\.bsn.*migrate"):
            _rotate(*args)
