"""API tokens: stored only as a digest, expire (staff sooner than guardians), end with the
password, the second factor and the account, and their owner lists and revokes them."""

from __future__ import annotations

import datetime
import importlib
import io
from types import SimpleNamespace

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from freezegun import freeze_time
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_issue
from accounts.tokens import MAX_LIVE_PER_USER, live_for
from audit.constants import Outcome
from audit.models import AccessEvent
from students.services.staff import staff_deactivate
from tests.students.factories import PASSWORD

BROWSER = "Mozilla/5.0 (X11; Linux) Rooster-app/2.1"


def _login(user, *, agent: str = BROWSER):
    return APIClient().post(
        reverse("api:auth-token"),
        {"email": user.email, "password": PASSWORD},
        format="json",
        HTTP_USER_AGENT=agent,
    )


def _api(key: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")  # details are checked in English
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _works(key: str) -> int:
    return _api(key).get(reverse("api:auth-token-list")).status_code


# --- The endpoint and the header -------------------------------------------------------------


def test_endpoint_answers_only_a_token_and_the_header_works_when_logged_in(world):
    response = _login(world.users["teacher"])

    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    key = response.json()["token"]
    assert _api(key).get(reverse("api:student-list")).status_code == 200


def test_each_login_gives_a_new_token_and_the_earlier_one_keeps_working_when_logged_in_twice(
    world,
):
    first = _login(world.users["guardian"]).json()["token"]
    second = _login(world.users["guardian"]).json()["token"]

    assert first != second
    assert (_works(first), _works(second)) == (200, 200)


def test_the_key_is_nowhere_in_the_database_when_issued(world):
    key = _login(world.users["director"]).json()["token"]

    row = ApiToken.objects.get(user=world.users["director"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608 - model table
        stored = [str(value) for line in cursor.fetchall() for value in line]
    assert stored
    assert not any(key in value or value == key for value in stored)
    # Only the short prefix is stored as it is; the rest of the key is not in it.
    assert key.startswith(row.key_prefix)
    assert len(row.key_prefix) <= 12 < len(key)
    assert row.label == BROWSER


def test_refused_with_401_and_readable_detail_when_token_unknown(world):
    key = api_token_issue(user=world.users["teacher"])
    wrong = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")

    response = _api(wrong).get(reverse("api:student-list"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"]


# --- Expiry ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "still", "ended"),
    [
        ("teacher", datetime.timedelta(hours=7, minutes=59), datetime.timedelta(hours=8)),
        ("director", datetime.timedelta(hours=7, minutes=59), datetime.timedelta(hours=8)),
        ("guardian", datetime.timedelta(days=29, hours=23), datetime.timedelta(days=30)),
    ],
)
def test_token_expires_after_its_kinds_lifetime_when_time_passes(world, role, still, ended):
    start = timezone.now()
    with freeze_time(start):
        key = api_token_issue(user=world.users[role])
    with freeze_time(start + still):
        assert _works(key) == 200
    with freeze_time(start + ended):
        response = _api(key).get(reverse("api:auth-token-list"))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_staff_who_is_also_a_guardian_gets_the_staff_lifetime_when_logged_in(world):
    from accounts.constants import Role
    from students.services import role_grant

    teacher = world.users["teacher"]
    role_grant(user=teacher, role=Role.GUARDIAN)
    api_token_issue(user=teacher)

    token = ApiToken.objects.get(user=teacher)
    assert token.expires_at - token.created_at == datetime.timedelta(hours=8)


@override_settings(
    API_TOKEN_TTL_STAFF=datetime.timedelta(minutes=30),
    API_TOKEN_TTL_GUARDIAN=datetime.timedelta(days=2),
)
def test_lifetimes_come_from_the_settings_when_configured(world):
    api_token_issue(user=world.users["administration"])
    api_token_issue(user=world.users["guardian"])

    lifetimes = {
        t.user_id: t.expires_at - t.created_at for t in ApiToken.objects.filter(user__isnull=False)
    }
    assert lifetimes == {
        world.users["administration"].pk: datetime.timedelta(minutes=30),
        world.users["guardian"].pk: datetime.timedelta(days=2),
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("8h", datetime.timedelta(hours=8)), ("30d", datetime.timedelta(days=30)), ("45m", None)],
)
def test_duration_setting_reads_minutes_hours_and_days_when_given(monkeypatch, raw, expected):
    from samen_een.settings.base import _duration

    monkeypatch.setenv("SOME_TTL", raw)
    assert _duration("SOME_TTL", "1h") == (expected or datetime.timedelta(minutes=45))


@pytest.mark.parametrize("raw", ["8", "0h", "h", "8 hours", "-1d"])
def test_duration_setting_refuses_to_start_when_malformed(monkeypatch, raw):
    from samen_een.settings.base import _duration

    monkeypatch.setenv("SOME_TTL", raw)
    with pytest.raises(ValueError, match="SOME_TTL"):
        _duration("SOME_TTL", "1h")


def test_last_used_is_recorded_when_token_used(world):
    key = api_token_issue(user=world.users["teacher"])
    assert ApiToken.objects.get().last_used_at is None

    with freeze_time("2026-03-02 10:00"):
        _works(key)
    assert ApiToken.objects.get().last_used_at == datetime.datetime(
        2026, 3, 2, 10, 0, tzinfo=datetime.UTC
    )


def test_oldest_token_ends_when_too_many_logins_pile_up(world):
    guardian = world.users["guardian"]
    keys = [api_token_issue(user=guardian) for _ in range(MAX_LIVE_PER_USER + 1)]

    assert _works(keys[0]) == 401
    assert all(_works(key) == 200 for key in keys[1:3] + keys[-2:])


# --- Revocation --------------------------------------------------------------------------------


def _revoked(user) -> bool:
    tokens = ApiToken.objects.filter(user=user)
    return tokens.exists() and not tokens.filter(revoked_at__isnull=True).exists()


def test_tokens_end_when_password_reset_by_link(world, client):
    director = world.users["director"]
    key = api_token_issue(user=director)
    link = reverse(
        "accounts:password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(director.pk)),
            default_token_generator.make_token(director),
        ],
    )
    form = client.get(link)
    new = "nieuwe-fiets-op-zolder"
    done = client.post(form.url, {"new_password1": new, "new_password2": new})

    assert done.status_code == 302
    assert _revoked(director)
    response = _api(key).get(reverse("api:student-list"))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_tokens_end_when_password_changed_any_other_way(world):
    guardian = world.users["guardian"]
    key = api_token_issue(user=guardian)
    assert _works(key) == 200

    guardian.set_password("een-heel-ander-wachtwoord")
    guardian.save(update_fields=["password"])

    response = _api(key).get(reverse("api:auth-token-list"))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert not live_for(guardian).exists()


def test_tokens_end_when_password_changed_with_the_management_command(world, monkeypatch):
    teacher = world.users["teacher"]
    key = api_token_issue(user=teacher)
    monkeypatch.setattr("getpass.getpass", lambda *a, **k: "een-heel-ander-wachtwoord")

    call_command("changepassword", teacher.email, stdout=io.StringIO())

    assert _works(key) == 401


def test_tokens_end_when_second_factor_reset(world):
    director = world.users["director"]
    key = api_token_issue(user=director)

    call_command(
        "mfa_reset", director.email, by=world.users["administration"].email, stdout=io.StringIO()
    )

    assert _revoked(director)
    assert _works(key) == 401


def test_tokens_end_when_staff_deactivated(world):
    teacher = world.users["teacher"]
    key = api_token_issue(user=teacher)

    staff_deactivate(user=world.users["director"], staff=teacher, school=world.school)

    assert _revoked(teacher)
    assert _works(key) == 401


def test_inactive_account_is_refused_when_its_token_still_exists(world):
    guardian = world.users["guardian"]
    key = api_token_issue(user=guardian)
    guardian.is_active = False
    guardian.save(update_fields=["is_active"])

    response = _api(key).get(reverse("api:auth-token-list"))
    assert response.status_code == 401
    assert response.json()["detail"]


# --- The owner's list and revoke ---------------------------------------------------------------


def test_owner_lists_only_their_own_working_tokens_when_asking(world):
    teacher, guardian = world.users["teacher"], world.users["guardian"]
    mine = _login(teacher, agent="Rooster-app").json()["token"]
    _login(teacher, agent="Oud-script")
    ApiToken.objects.filter(label="Oud-script").update(revoked_at=timezone.now())
    api_token_issue(user=guardian, label="Ouder-app")

    listed = _api(mine).get(reverse("api:auth-token-list")).json()

    assert [(t["label"], t["current"]) for t in listed] == [("Rooster-app", True)]
    assert set(listed[0]) == {
        "id",
        "label",
        "client",
        "created_at",
        "expires_at",
        "last_used_at",
        "current",
    }
    assert listed[0]["client"] == "Rooster-app"


def test_owner_revokes_own_token_and_gets_404_for_someone_elses_when_deleting(world):
    teacher, guardian = world.users["teacher"], world.users["guardian"]
    mine = api_token_issue(user=teacher)
    other = api_token_issue(user=guardian)
    spare = api_token_issue(user=teacher)
    ids = dict(ApiToken.objects.values_list("user_id", "pk").order_by("pk"))
    other_id = ids[guardian.pk]
    mine_id = ApiToken.objects.filter(user=teacher).order_by("pk").first().pk
    api = _api(spare)

    refused = api.delete(reverse("api:auth-token-revoke", args=[other_id]))
    assert refused.status_code == 404
    assert _works(other) == 200
    assert AccessEvent.objects.filter(
        actor_id=teacher.pk, object_type="api_token", outcome=Outcome.DENIED
    ).exists()

    assert api.delete(reverse("api:auth-token-revoke", args=[mine_id])).status_code == 204
    assert _works(mine) == 401
    assert _works(spare) == 200
    assert api.delete(reverse("api:auth-token-revoke", args=[mine_id])).status_code == 404


def test_page_lists_own_tokens_and_revokes_only_own_when_posting(world, client):
    teacher, guardian = world.users["teacher"], world.users["guardian"]
    mine = api_token_issue(user=teacher, label="Rooster-app")
    other = api_token_issue(user=guardian, label="Ouder-app")
    client.force_login(teacher)

    page = client.get(reverse("accounts:api-tokens"))
    assert page.status_code == 200
    assert "Rooster-app" in page.content.decode()
    assert "Ouder-app" not in page.content.decode()

    other_id = ApiToken.objects.get(user=guardian).pk
    assert client.post(reverse("accounts:api-token-revoke", args=[other_id])).status_code == 404
    assert _works(other) == 200
    mine_id = ApiToken.objects.get(user=teacher).pk
    done = client.post(reverse("accounts:api-token-revoke", args=[mine_id]))
    assert (done.status_code, done.url) == (302, reverse("accounts:api-tokens"))
    assert _works(mine) == 401
    assert "Rooster-app" not in client.get(reverse("accounts:api-tokens")).content.decode()


@pytest.mark.parametrize("count", [1, 50])
def test_list_takes_constant_queries_when_many_tokens(
    world, client, django_assert_max_num_queries, count
):
    teacher = world.users["teacher"]
    keys = [api_token_issue(user=teacher, label=f"app {n}") for n in range(count)]
    api = _api(keys[-1])
    client.force_login(teacher)
    api.get(reverse("api:auth-token-list"))  # last_used_at written once
    with django_assert_max_num_queries(4):
        listed = api.get(reverse("api:auth-token-list"))
    assert len(listed.json()) == min(count, MAX_LIVE_PER_USER)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:api-tokens")).status_code == 200


# --- Old plain tokens ----------------------------------------------------------------------


def test_plain_tokens_of_the_old_table_are_removed_when_migrating(db):
    migration = importlib.import_module("accounts.migrations.0004_api_tokens")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id int)")
        cursor.execute("INSERT INTO authtoken_token VALUES ('0123456789abcdef', 1)")
    try:
        migration.drop_plain_tokens(None, SimpleNamespace(connection=connection))
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM authtoken_token")
            assert cursor.fetchone() == (0,)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")


def test_page_names_the_program_in_words_not_its_header_when_listed(world, client):
    teacher = world.users["teacher"]
    header = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"
    api_token_issue(user=teacher, label=header)
    client.force_login(teacher)

    page = client.get(reverse("accounts:api-tokens")).content.decode()

    assert "Firefox op Windows" in page
    assert "Gecko" not in page
