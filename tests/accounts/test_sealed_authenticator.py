"""The authenticator app's secret is sealed at rest (accounts.AuthenticatorDevice): the column
holds a Fernet token, codes are still checked, key rotation re-seals it, and the migration
seals the secrets django-otp's TOTPDevice kept in plain hex."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from accounts import mfa
from accounts.models import AuthenticatorDevice

BEFORE = [("accounts", "0004_api_tokens"), ("otp_totp", "0003_add_timestamps")]
SECRET = "3132333435363738393031323334353637383930"  # the RFC 6238 test key, in hex


def _raw_key(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_authenticatordevice WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _code(key_hex: str) -> str:
    return f"{totp(bytes.fromhex(key_hex), step=30, t0=0, digits=6, drift=0):06d}"


def test_the_column_holds_no_secret_when_staff_set_up_an_app(world):
    device = mfa.pending_device(world.users["teacher"])
    key = AuthenticatorDevice.objects.get(pk=device.pk).key

    raw = _raw_key(device.pk)

    assert len(key) == 40
    assert key not in raw
    assert key.upper() not in raw
    assert mfa.secret_of(device).replace(" ", "") not in raw
    opened = Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode()).decrypt(raw.encode())
    assert opened.decode() == key


@freeze_time("2026-12-02 09:00:10")
def test_a_code_is_accepted_once_when_the_secret_is_sealed(world):
    director = world.users["director"]
    device = AuthenticatorDevice.objects.create(user=director, name=mfa.APP_DEVICE, key=SECRET)
    code = _code(SECRET)

    assert mfa.code_check(user=director, code=code) == device
    assert mfa.code_check(user=director, code=code) is None  # the time step is used
    device.refresh_from_db()
    assert device.last_t == int(time.time()) // 30
    assert device.throttling_failure_count == 1
    assert device.key == SECRET


def test_rotation_reseals_the_secret_with_the_new_key(world):
    director = world.users["director"]
    device = AuthenticatorDevice.objects.create(user=director, name=mfa.APP_DEVICE, key=SECRET)
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()

    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        call_command("rotate_encryption_keys", stdout=StringIO())
        assert Fernet(new_key.encode()).decrypt(_raw_key(device.pk).encode()).decode() == SECRET
        out = StringIO()
        call_command("rotate_encryption_keys", "--check", stdout=out)
        assert "accounts.AuthenticatorDevice.key: 0" in out.getvalue()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        assert mfa.code_check(user=director, code=_code(SECRET)) == device


@pytest.mark.django_db(transaction=True)
def test_migration_seals_the_secrets_of_existing_totp_devices():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("accounts", "User").objects.create(email="juf@school.example")
    old.get_model("otp_totp", "TOTPDevice").objects.create(
        user=user,
        name="app",
        confirmed=True,
        key=SECRET,
        last_t=12345,
        drift=-1,
        throttling_failure_count=3,
    )
    old.get_model("otp_totp", "TOTPDevice").objects.create(
        user=user, name="app", confirmed=False, key="ab" * 20
    )

    executor.loader.build_graph()
    executor.migrate(latest)

    assert not TOTPDevice.objects.exists()  # no plain secret is left
    confirmed, pending = AuthenticatorDevice.objects.filter(user_id=user.pk).order_by("pk")
    assert (confirmed.key, confirmed.confirmed, confirmed.last_t, confirmed.drift) == (
        SECRET,
        True,
        12345,
        -1,
    )
    assert confirmed.throttling_failure_count == 3
    assert (pending.key, pending.confirmed) == ("ab" * 20, False)
    assert SECRET not in _raw_key(confirmed.pk)
    assert "ab" * 20 not in _raw_key(pending.pk)
