"""Backup codes are kept only as keyed digests (accounts.BackupCode): the database never holds
a code, a code still works once, and the migration turns django-otp's plain static tokens into
digests without invalidating codes already handed out."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts import mfa
from accounts.models import BackupCode, BackupCodeDevice

BEFORE = [("accounts", "0005_sealed_authenticator_device"), ("otp_static", "0003_add_timestamps")]


def _database_text() -> str:
    """Every value of the backup-code tables as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest FROM accounts_backupcode")
        return " ".join(row[0] for row in cursor.fetchall())


def test_the_database_holds_no_code_when_codes_are_handed_out(world):
    codes = mfa.backup_codes_new(world.users["director"])

    stored = _database_text()

    assert len(codes) == len(set(codes)) == 10
    assert BackupCode.objects.count() == 10
    assert not any(code in stored or code.upper() in stored for code in codes)
    assert not StaticToken.objects.exists()


def test_a_code_works_once_and_a_wrong_one_slows_down(world):
    director = world.users["director"]
    first, second, *_rest = mfa.backup_codes_new(director)

    assert isinstance(mfa.code_check(user=director, code=first), BackupCodeDevice)
    assert mfa.code_check(user=director, code=first) is None
    assert mfa.backup_codes_left(director) == 9
    assert BackupCodeDevice.objects.get(user=director).throttling_failure_count == 1
    # Someone else's code is no code of this account.
    other = mfa.backup_codes_new(world.users["teacher"])[0]
    assert mfa.code_check(user=director, code=other) is None
    assert mfa.backup_codes_left(director) == 9
    assert second  # still usable after the throttle has passed (tests/accounts/test_mfa.py)


@pytest.mark.django_db(transaction=True)
def test_migration_turns_plain_codes_into_digests_that_still_work():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("accounts", "User").objects.create(email="meester@school.example")
    device = old.get_model("otp_static", "StaticDevice").objects.create(
        user=user, name="backup", confirmed=True, throttling_failure_count=2
    )
    token = old.get_model("otp_static", "StaticToken")
    token.objects.bulk_create(
        [token(device=device, token=code) for code in ("abcd2345", "wxyz6789")]
    )

    executor.loader.build_graph()
    executor.migrate(latest)

    assert not StaticDevice.objects.exists()
    assert not StaticToken.objects.exists()
    (moved,) = BackupCodeDevice.objects.filter(user_id=user.pk)
    assert (moved.name, moved.confirmed, moved.throttling_failure_count) == ("backup", True, 2)
    assert moved.codes.count() == 2
    assert "abcd2345" not in _database_text()
    moved.throttling_failure_count = 0
    moved.save(update_fields=["throttling_failure_count"])
    from accounts.models import User

    account = User.objects.get(pk=user.pk)
    assert isinstance(mfa.code_check(user=account, code="abcd2345"), BackupCodeDevice)
    assert mfa.code_check(user=account, code="abcd2345") is None
