"""Staff MFA: enrolment, the second step of the login, backup codes, the token endpoint, and
that a code works only once. MFA is off in the test settings; these tests turn it on."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from freezegun import freeze_time
from rest_framework.test import APIClient

from accounts import mfa
from accounts.models import ApiToken, AuthenticatorDevice, BackupCode, backup_code_digest
from accounts.services import api_token_issue
from audit.models import AccessEvent
from tests.students.factories import PASSWORD

mfa_on = override_settings(MFA_REQUIRED=True)


def code_for(device: AuthenticatorDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrolled(user) -> AuthenticatorDevice:
    """A confirmed authenticator; the backup codes handed out are on ``device.backup_codes``
    (the database keeps only their digests)."""
    device = AuthenticatorDevice.objects.create(user=user, name=mfa.APP_DEVICE, confirmed=True)
    device.backup_codes = mfa.backup_codes_new(user)
    return device


def password_login(client, user, next_url="/"):
    return client.post(
        reverse("accounts:login"), {"email": user.email, "password": PASSWORD, "next": next_url}
    )


def pupil_url(world):
    return f"/students/{world.pupil3.pk}/"


@mfa_on
def test_staff_without_app_must_set_it_up_before_any_pupil_page(world, client):
    teacher = world.users["teacher"]
    password_login(client, teacher)
    page = client.get(pupil_url(world))
    assert page.status_code == 302
    assert page.url.startswith(reverse("accounts:mfa-setup"))
    assert client.get("/api/v1/students/").status_code == 403

    setup = client.get(page.url)
    assert setup.status_code == 200
    assert b"<svg" in setup.content
    device = AuthenticatorDevice.objects.get(user=teacher, confirmed=False)

    with freeze_time("2026-12-02 10:00:00") as clock:
        wrong = client.post(reverse("accounts:mfa-setup"), {"code": "000000"})
        assert wrong.status_code == 400
        assert 'class="field-error"' in wrong.content.decode()
        assert client.get(pupil_url(world)).status_code == 302
        # After a wrong code django-otp makes the next try wait a moment.
        clock.tick(5)
        device.refresh_from_db()
        done = client.post(
            reverse("accounts:mfa-setup"), {"code": code_for(device), "next": pupil_url(world)}
        )
    assert done.status_code == 302
    codes_page = client.get(done.url)
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", codes_page.content.decode())
    assert len(codes) == 10
    assert {backup_code_digest(code) for code in codes} == set(
        BackupCode.objects.filter(device__user=teacher).values_list("digest", flat=True)
    )
    # Shown once: a reload no longer lists them.
    assert "<li><code>" not in client.get(done.url).content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(pupil_url(world)).status_code == 200
    assert AccessEvent.objects.filter(
        actor_id=teacher.pk, object_type="second_factor", action="create"
    ).exists()


@mfa_on
def test_enrolled_staff_confirm_login_with_a_code_that_works_once(world, client):
    director = world.users["director"]
    device = enrolled(director)
    with freeze_time("2026-12-02 10:00:00"):
        response = password_login(client, director, next_url=pupil_url(world))
        assert client.get(pupil_url(world)).url.startswith(reverse("accounts:mfa-verify"))
        code = code_for(device)
        wrong = client.post(reverse("accounts:mfa-verify"), {"code": "123456"})
        assert wrong.status_code == 400
    with freeze_time("2026-12-02 10:00:05"):
        code = code_for(device)
        session_before = client.session.session_key
        ok = client.post(reverse("accounts:mfa-verify"), {"code": code, "next": pupil_url(world)})
        assert ok.status_code == 302
        assert ok.url == pupil_url(world)
        assert client.session.session_key != session_before
        assert client.get(pupil_url(world)).status_code == 200

        # The same code in another session (someone who saw it) is refused.
        client.logout()
        password_login(client, director)
        again = client.post(reverse("accounts:mfa-verify"), {"code": code})
        assert again.status_code == 400
        assert client.get(pupil_url(world)).status_code == 302
    assert response.status_code == 302
    assert AccessEvent.objects.filter(
        actor_id=director.pk, object_type="second_factor", outcome="denied"
    ).exists()


@mfa_on
def test_backup_code_works_once(world, client):
    director = world.users["director"]
    code = enrolled(director).backup_codes[0]
    password_login(client, director)
    assert client.post(reverse("accounts:mfa-verify"), {"code": code}).status_code == 302
    assert mfa.backup_codes_left(director) == 9
    client.logout()
    password_login(client, director)
    assert client.post(reverse("accounts:mfa-verify"), {"code": code}).status_code == 400


@mfa_on
def test_new_backup_codes_replace_the_old(world, client):
    director = world.users["director"]
    old = set(enrolled(director).backup_codes)
    password_login(client, director)
    client.post(reverse("accounts:mfa-verify"), {"code": old.pop()})
    response = client.post(reverse("accounts:mfa-backup-codes"))
    page = client.get(response.url).content.decode()
    new = set(re.findall(r"<li><code>([a-z0-9]+)</code></li>", page))
    assert len(new) == 10
    assert not new & old
    assert mfa.backup_codes_left(director) == 10


@mfa_on
def test_guardians_log_in_without_a_second_factor(world, client):
    guardian = world.users["guardian"]
    password_login(client, guardian)
    assert client.get("/").status_code == 200
    assert client.get(reverse("accounts:mfa-setup")).status_code == 403


def test_without_the_setting_staff_log_in_with_password_only(world, client):
    password_login(client, world.users["teacher"])
    assert client.get(pupil_url(world)).status_code == 200


def test_without_the_setting_an_enrolled_staff_member_is_still_asked(world, client):
    director = world.users["director"]
    enrolled(director)
    password_login(client, director)
    assert client.get(pupil_url(world)).url.startswith(reverse("accounts:mfa-verify"))


@mfa_on
def test_token_endpoint_needs_a_fresh_code_for_staff(world, api):
    director = world.users["director"]
    url = reverse("api:auth-token")
    without = api.post(
        url,
        {"email": director.email, "password": PASSWORD},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert without.status_code == 400
    assert "authenticator app" in without.json()["detail"]

    device = enrolled(director)
    with freeze_time("2026-12-02 10:00:00"):
        body = {"email": director.email, "password": PASSWORD}
        missing = api.post(url, body, format="json")
        assert missing.status_code == 400
        code = code_for(device)
        ok = api.post(url, {**body, "otp": code}, format="json")
        assert ok.status_code == 200
        assert ok.json()["token"]
        reused = api.post(url, {**body, "otp": code}, format="json")
        assert reused.status_code == 400
        # A wrong password with a right code is the same answer: nothing is given away.
        wrong_password = api.post(
            url, {**body, "password": "not-the-password", "otp": code}, format="json"
        )
        assert wrong_password.json()["detail"] == reused.json()["detail"]
    guardian = api.post(
        url, {"email": world.users["guardian"].email, "password": PASSWORD}, format="json"
    )
    assert guardian.status_code == 200


@mfa_on
def test_setup_of_an_enrolled_account_needs_a_verified_session(world, client):
    director = world.users["director"]
    enrolled(director)
    password_login(client, director)
    response = client.get(reverse("accounts:mfa-setup"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:mfa-verify"))


@pytest.mark.parametrize("email_case", ["lower", "upper"])
def test_mfa_reset_command_removes_the_devices_sessions_and_token(world, client, email_case):
    director = world.users["director"]
    enrolled(director)
    key = api_token_issue(user=director)
    client.force_login(director)
    email = director.email if email_case == "lower" else director.email.upper()
    call_command("mfa_reset", email, by=world.users["administration"].email, stdout=io.StringIO())
    assert not AuthenticatorDevice.objects.filter(user=director).exists()
    assert mfa.backup_codes_left(director) == 0
    assert not ApiToken.objects.filter(user=director, revoked_at__isnull=True).exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(reverse("api:student-list")).status_code == 401
    # The session that was logged in is gone: it cannot set up a new app.
    assert client.get(reverse("accounts:mfa-setup")).status_code == 302
    assert "_auth_user_id" not in client.session
    event = AccessEvent.objects.get(object_type="second_factor", action="delete")
    assert event.actor_id == world.users["administration"].pk


def test_mfa_reset_needs_a_staff_member_who_does_it(world):
    with pytest.raises(CommandError):
        call_command("mfa_reset", world.users["director"].email, by="nobody@t.example")
