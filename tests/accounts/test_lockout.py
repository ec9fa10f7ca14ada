"""Login lockout (django-axes): keyed on account and address, 429 with a calm message on the
page and the API, audited, and over after the cool-off."""

import datetime

from django.urls import reverse
from freezegun import freeze_time

from audit.models import AccessEvent
from tests.students.factories import PASSWORD

SCHOOL = "192.0.2.10"
ELSEWHERE = "198.51.100.7"


def fail(client, email, times, address=SCHOOL):
    return [
        client.post(
            reverse("accounts:login"),
            {"email": email, "password": f"wrong-{i}"},
            REMOTE_ADDR=address,
        ).status_code
        for i in range(times)
    ]


def login(client, email, address=SCHOOL):
    return client.post(
        reverse("accounts:login"), {"email": email, "password": PASSWORD}, REMOTE_ADDR=address
    )


def test_browser_login_locks_after_ten_failures_with_a_calm_page(world, client, settings):
    email = world.users["guardian"].email
    statuses = fail(client, email, 10)
    assert statuses == [200] * 9 + [429]
    locked = login(client, email)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    page = locked.content.decode()
    assert "15" in page
    assert 'role="alert"' in page
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_and_address(world, client):
    parent = world.users["guardian"].email
    start = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)
    with freeze_time(start):
        fail(client, parent, 10, address=ELSEWHERE)
    # The parent at home (another address) is not locked out by someone elsewhere: only the
    # email's limit of failures per minute (accounts.login_limits) held them up meanwhile.
    with freeze_time(start + datetime.timedelta(minutes=2)):
        assert login(client, parent, address=ELSEWHERE).status_code == 429
        assert login(client, parent, address=SCHOOL).status_code == 302
    client.logout()
    # Colleagues behind the school's one address are not locked out by one account.
    fail(client, world.users["teacher"].email, 10, address=SCHOOL)
    assert login(client, world.users["director"].email, address=SCHOOL).status_code == 302


def test_api_token_login_shares_the_lockout_and_answers_json(world, client, api):
    email = world.users["director"].email
    fail(client, email, 10)
    response = api.post(
        reverse("api:auth-token"),
        {"email": email, "password": PASSWORD},
        format="json",
        REMOTE_ADDR=SCHOOL,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 429
    assert "locked" in response.json()["detail"]
    assert "token" not in response.json()


def test_lockout_is_audited(world, client):
    director = world.users["director"]
    fail(client, director.email, 10)
    event = AccessEvent.objects.get(object_type="lockout")
    assert event.outcome == "denied"
    assert event.actor_id == director.pk


def test_lockout_ends_after_the_cool_off(world, client):
    email = world.users["guardian"].email
    start = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)
    with freeze_time(start):
        fail(client, email, 10)
        assert login(client, email).status_code == 429
    with freeze_time(start + datetime.timedelta(minutes=14)):
        assert login(client, email).status_code == 429
    with freeze_time(start + datetime.timedelta(minutes=16)):
        assert login(client, email).status_code == 302


def test_a_successful_login_resets_the_count(world, client):
    email = world.users["guardian"].email
    fail(client, email, 9)
    assert login(client, email).status_code == 302
    client.logout()
    assert fail(client, email, 9) == [200] * 9
