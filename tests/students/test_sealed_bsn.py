"""The BSN is sealed at rest from the first migration; wrong keys fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from kernel.crypto import SealedDataError, check_keys, lookup_hash, reseal
from students.models import Student
from students.sealed_data import sealed_data_verify
from students.validators import validate_bsn

from .factories import StudentFactory

ROOT = Path(__file__).resolve().parents[2]


def _raw_bsn(student_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT bsn FROM students_student WHERE id = %s", [student_id])
        return cursor.fetchone()[0]


def test_raw_column_holds_no_plaintext_when_bsn_is_saved(db):
    student = StudentFactory.create(bsn="111222333")
    raw = _raw_bsn(student.pk)
    assert "111222333" not in raw
    assert raw.startswith("gAAAA")  # a Fernet token
    assert Student.objects.get(pk=student.pk).bsn == "111222333"


def test_bsn_is_found_by_keyed_hash_when_looked_up(db):
    from students.services import student_enrol

    group = StudentFactory.create().group
    student = student_enrol(
        actor=None,
        school=group.school,
        group=group,
        first_names="An",
        given_name="An",
        surname="Berg",
        date_of_birth=group.students.first().date_of_birth,
        sex="F",
        year_group=group.year_group_low,
        enrolled_on=group.students.first().enrolled_on,
        bsn="123456782",
    )
    assert Student.objects.get(bsn_hash=lookup_hash("123456782")) == student
    assert "123456782" not in student.bsn_hash


def test_value_sealed_with_old_key_opens_after_rotation_when_old_key_kept(db, settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    student = StudentFactory.create(bsn="111222333")
    new = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        assert Student.objects.get(pk=student.pk).bsn == "111222333"
        rotated = reseal(_raw_bsn(student.pk))
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        assert Fernet(new.encode()).decrypt(rotated.encode()) == b"111222333"


def test_reading_fails_loudly_when_key_is_wrong(db):
    student = StudentFactory.create(bsn="111222333")
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        with pytest.raises(SealedDataError, match="FIELD_ENCRYPTION_KEYS"):
            Student.objects.get(pk=student.pk)


def test_sealed_data_verify_refuses_when_canary_was_sealed_with_other_key(db):
    sealed_data_verify()  # seals the canary with the configured key
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        with pytest.raises(SealedDataError):
            sealed_data_verify()


@pytest.mark.parametrize("keys", [[], [""], ["not-a-fernet-key"]])
def test_start_up_check_refuses_when_keys_missing_or_malformed(keys):
    with override_settings(FIELD_ENCRYPTION_KEYS=keys):
        with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
            check_keys()


def _manage(*args: str, keys: str, db_path: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "samen_een.settings.test",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "FIELD_ENCRYPTION_KEYS": keys,
    }
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_process_refuses_to_start_when_key_cannot_open_stored_data(tmp_path):
    db_path = tmp_path / "seal.sqlite3"
    key_a = Fernet.generate_key().decode()
    assert _manage("migrate", "-v0", keys=key_a, db_path=db_path).returncode == 0
    assert _manage("check", keys=key_a, db_path=db_path).returncode == 0  # seals the canary

    wrong = _manage("check", keys=Fernet.generate_key().decode(), db_path=db_path)
    assert wrong.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in wrong.stderr

    garbage = _manage("check", keys="garbage", db_path=db_path)
    assert garbage.returncode != 0
    assert "not a valid Fernet key" in garbage.stderr


@pytest.mark.parametrize("value", ["111222333", "123456782"])
def test_valid_bsn_is_accepted(value):
    validate_bsn(value)


@pytest.mark.parametrize("value", ["123456789", "12345678", "abcdefghi", "000000000"])
def test_invalid_bsn_is_refused(value):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_bsn(value)
