"""Logging in by email, sessions, tokens and the login throttles."""

from django.urls import reverse

from accounts.models import User
from tests.students.factories import PASSWORD


def test_user_logs_in_by_email_case_insensitively(world, client):
    response = client.post(
        reverse("accounts:login"),
        {"email": "  Director@T.example ", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.users["director"].pk)


def test_logout_ends_the_session(world, client):
    client.force_login(world.users["director"])
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("student-list")).status_code == 302


def test_inactive_account_cannot_log_in(world, client):
    user = world.users["teacher"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_token_login_is_throttled_per_email_when_guessing(world, api):
    url = reverse("api:auth-token")
    target = world.users["director"].email
    statuses = [
        api.post(url, {"email": target, "password": f"guess-{i}"}, format="json").status_code
        for i in range(11)
    ]
    # The tenth failure locks the account from this address (django-axes); the eleventh
    # attempt is also over the per-email throttle.
    assert statuses[:9] == [400] * 9
    assert statuses[9:] == [429, 429]
    locked = api.post(url, {"email": target, "password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert locked.json()["detail"]
    # Another account behind the same school address is not locked out.
    other = api.post(
        url, {"email": world.users["teacher"].email, "password": PASSWORD}, format="json"
    )
    assert other.status_code == 200


def test_email_is_stored_lower_case_when_user_created(db):
    user = User.objects.create_user("Someone@School.Example", "x" * 12)
    assert user.email == "someone@school.example"
