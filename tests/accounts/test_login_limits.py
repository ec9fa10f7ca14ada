"""The login page's limits (accounts.login_limits): failed logins per email, shared with the
token endpoint, and a high ceiling per address. A successful login never counts.

Each guess comes from another address where the test is about the email's limit, so the
account lockout (django-axes, per account *and* address) never starts and cannot be what
refuses.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from tests.students.factories import PASSWORD

SCHOOL = "192.0.2.10"


@pytest.fixture
def clock():
    """Frozen at the start of a minute (the limits' window), not ticking."""
    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    with freeze_time(start, tick=False) as frozen:
        yield frozen


def _page(email: str, password: str, address: str, client: Client | None = None):
    client = client or Client(HTTP_ACCEPT_LANGUAGE="en")
    return client.post(
        reverse("accounts:login"), {"email": email, "password": password}, REMOTE_ADDR=address
    )


def _token(email: str, password: str, address: str):
    return APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        reverse("api:auth-token"),
        {"email": email, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def _guess(email: str, times: int, door=_page) -> list[int]:
    return [door(email, f"guess-{n}", f"198.51.100.{n}").status_code for n in range(times)]


def test_fifty_logins_in_a_minute_pass_when_they_succeed(world, clock):
    email = world.users["teacher"].email
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    statuses = []
    for _ in range(50):
        statuses.append(_page(email, PASSWORD, SCHOOL, client).status_code)
        client.post(reverse("accounts:logout"))
    assert statuses == [302] * 50


def test_eleventh_login_is_refused_with_the_right_password_when_email_failed_ten_times(
    world, clock
):
    email = world.users["guardian"].email
    assert _guess(email, 10) == [200] * 10

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    refused = _page(email.upper(), PASSWORD, "203.0.113.7", client)

    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert 1 <= int(refused["Retry-After"]) <= 60
    page = refused.content.decode()
    assert "Too many unsuccessful attempts to log in to this account" in page
    assert 'role="alert"' in page
    assert f'value="{email.upper()}"' in page  # the email stays as typed
    assert PASSWORD not in page
    # Another email from that same address logs in.
    assert _page(world.users["teacher"].email, PASSWORD, "203.0.113.7").status_code == 302


def test_email_logs_in_again_when_the_minute_has_passed(world, clock):
    email = world.users["guardian"].email
    _guess(email, 10)
    assert _page(email, PASSWORD, SCHOOL).status_code == 429

    clock.tick(datetime.timedelta(seconds=61))

    assert _page(email, PASSWORD, SCHOOL).status_code == 302


def test_failures_before_a_success_do_not_count_after_it(world, clock):
    email = world.users["guardian"].email
    assert _guess(email, 9) == [200] * 9
    assert _page(email, PASSWORD, SCHOOL).status_code == 302
    assert _guess(email, 9) == [200] * 9


def test_page_refuses_when_the_email_failed_ten_times_at_the_token_endpoint(world, clock):
    email = world.users["director"].email
    assert _guess(email, 10, door=_token) == [400] * 10
    assert _page(email, PASSWORD, "203.0.113.7").status_code == 429


def test_token_endpoint_refuses_when_the_email_failed_ten_times_on_the_page(world, clock):
    email = world.users["director"].email
    assert _guess(email, 10) == [200] * 10

    refused = _token(email, PASSWORD, "203.0.113.7")

    assert refused.status_code == 429
    assert "Too many unsuccessful attempts" in refused.json()["detail"]
    assert "token" not in refused.json()


def test_school_address_is_not_limited_when_300_page_logins_of_different_emails_come_in_a_minute(
    world, clock
):
    statuses = {
        _page(f"person{n}@school.example", f"wrong-{n}", SCHOOL).status_code for n in range(300)
    }
    assert statuses == {200}
    assert _page(world.users["teacher"].email, PASSWORD, SCHOOL).status_code == 302


def test_page_refuses_an_address_above_its_ceiling(world, clock, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_address": "3/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    # The page and the token endpoint share the address's count.
    assert _token("a@school.example", "wrong", SCHOOL).status_code == 400
    assert _page("b@school.example", "wrong", SCHOOL).status_code == 200
    assert _page("c@school.example", "wrong", SCHOOL).status_code == 200
    assert _page(world.users["teacher"].email, PASSWORD, SCHOOL).status_code == 429
    assert _page(world.users["teacher"].email, PASSWORD, "203.0.113.7").status_code == 302
