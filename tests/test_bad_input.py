"""Bad input gets a clear error and never a 500."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.students.factories import PASSWORD

HUGE = "9" * 30


def test_wrong_password_gets_a_clear_error_and_keeps_the_email(world, client):
    email = world.users["director"].email
    response = client.post(reverse("accounts:login"), {"email": email, "password": "wrong!"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert f'value="{email}"' in html
    assert "_auth_user_id" not in client.session


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(world, client):
    known = client.post(
        reverse("accounts:login"),
        {"email": world.users["director"].email, "password": "wrong!"},
    )
    unknown = client.post(
        reverse("accounts:login"), {"email": "nobody@t.example", "password": "wrong!"}
    )
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_malformed_email_is_refused_with_a_field_error(world, client):
    response = client.post(reverse("accounts:login"), {"email": "not-an-email", "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]


def test_token_login_answers_400_when_credentials_are_wrong(world, api):
    response = api.post(
        reverse("api:auth-token"),
        {"email": world.users["teacher"].email, "password": "wrong!"},
        format="json",
    )
    assert response.status_code == 400
    assert "token" not in response.json()
    assert response.json()["detail"]


def test_token_login_answers_400_with_field_errors_when_fields_missing(db, api):
    response = api.post(reverse("api:auth-token"), {"email": "x"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_token_login_answers_400_when_body_is_not_json(db, api):
    response = api.post(reverse("api:auth-token"), "{not json", content_type="application/json")
    assert response.status_code == 400


def test_token_login_returns_a_token_that_the_api_accepts(world, api):
    response = api.post(
        reverse("api:auth-token"),
        {"email": world.users["teacher"].email.upper(), "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(reverse("api:student-list")).json()["count"] == 1


@pytest.mark.parametrize(
    "header", ["Token not-a-real-token", "Token", "Token a b", "Bearer abc", "Token \u00e9\u00e9"]
)
def test_malformed_token_answers_401(world, api, header):
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get(reverse("api:student-list"))
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize("bad_id", ["abc", "-1", "0", HUGE, "1e3", "%20"])
def test_non_numeric_and_huge_ids_answer_404(world, client, api, bad_id):
    client.force_login(world.users["director"])
    assert client.get(f"/students/{bad_id}/").status_code == 404
    api.force_login(world.users["director"])
    for route in ("api:student-detail", "api:group-detail", "api:school-detail"):
        response = api.get(reverse(route, args=[bad_id]))
        assert response.status_code == 404, route
        assert response.json()["detail"]


def test_bad_filters_get_clear_errors(world, client, api):
    api.force_login(world.users["director"])
    response = api.get(reverse("api:student-list"), {"group": "x"})
    assert response.status_code == 400
    assert "group" in response.json()
    response = api.get(reverse("api:audit-event-list"), {"since": "yesterday"})
    assert response.status_code == 400
    assert "since" in response.json()
    client.force_login(world.users["director"])
    page = client.get(reverse("audit-event-list"), {"since": "2026-12-01", "until": "2026-01-01"})
    assert page.status_code == 200
    assert page.context["form"].non_field_errors()
    page = client.get(reverse("student-list"), {"group": "x", "page": "zzz"})
    assert page.status_code == 200


def test_form_posted_without_csrf_gets_a_clear_403(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:login"),
        {"email": world.users["director"].email, "password": PASSWORD},
    )
    assert response.status_code == 403
    assert "security token" in response.content.decode() or "beveiligings" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_logout_by_get_is_refused(world, client):
    client.force_login(world.users["director"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_login_redirect_ignores_foreign_next(world, client):
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/",
        {"email": world.users["director"].email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
