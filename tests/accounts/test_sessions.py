"""Sessions: a new id at login, ended server-side at logout, timed out when idle and after an
absolute maximum (shorter for staff than for parents), and a cookie scripts cannot read.

The timeouts run on ``time.time()``; freezegun moves it (a frozen clock, moved by hand). The
test settings switch the timeouts off for the rest of the suite; here the real ones of base.py
apply.
"""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from audit.constants import Action
from audit.models import AccessEvent
from samen_een.settings import base
from tests.students.factories import PASSWORD

IDLE = base.SESSION_IDLE_TIMEOUT
ABSOLUTE = base.SESSION_ABSOLUTE_TIMEOUT
IDLE_MESSAGE = "You were logged out because you were inactive for a while."
MAXIMUM_MESSAGE = "Your session has reached its maximum length."


@pytest.fixture(autouse=True)
def real_timeouts(settings):
    settings.SESSION_IDLE_TIMEOUT = base.SESSION_IDLE_TIMEOUT
    settings.SESSION_ABSOLUTE_TIMEOUT = base.SESSION_ABSOLUTE_TIMEOUT
    settings.SESSION_COOKIE_AGE = base.SESSION_COOKIE_AGE


@pytest.fixture
def clock():
    with freeze_time(timezone.now(), tick=False) as frozen:
        yield frozen


def _client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _log_in(client: Client, user) -> str:
    """Log in through the login page; the session id."""
    response = client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _with_cookie(key: str) -> Client:
    client = _client()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def _to_login(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def _timeout_events(user) -> int:
    return AccessEvent.objects.filter(
        actor_id=user.pk, action=Action.LOGOUT, object_type="session_timeout"
    ).count()


# --- Login and logout -------------------------------------------------------------------------


def test_session_id_changes_when_user_logs_in(world):
    # An id the attacker knows: a real (anonymous) session, planted in the victim's browser.
    planted = SessionStore()
    planted["django_language"] = "nl"
    planted.create()
    client = _client()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert client.get(reverse("accounts:login")).status_code == 200

    key = _log_in(client, world.users["director"])

    assert key != planted.session_key
    assert not Session.objects.filter(session_key=planted.session_key).exists()
    # The planted id gives the attacker nothing.
    assert _to_login(_with_cookie(planted.session_key).get(reverse("student-list")))
    assert client.get(reverse("student-list")).status_code == 200


def test_session_is_deleted_server_side_when_user_logs_out(world):
    client = _client()
    key = _log_in(client, world.users["guardian"])
    assert Session.objects.filter(session_key=key).exists()

    assert client.post(reverse("accounts:logout")).status_code == 302

    assert not Session.objects.filter(session_key=key).exists()
    # A copy of the old cookie (another tab, a stolen cookie) no longer logs anyone in.
    replay = _with_cookie(key)
    assert _to_login(replay.get(reverse("home")))
    assert replay.get(reverse("api:student-list")).status_code == 401


def test_session_cookie_is_http_only_and_same_site_lax_when_user_logs_in(world):
    client = _client()

    response = client.post(
        reverse("accounts:login"), {"email": world.users["teacher"].email, "password": PASSWORD}
    )

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]


# --- Timeouts ---------------------------------------------------------------------------------


def test_staff_is_logged_out_with_message_and_event_when_idle_too_long(world, clock):
    teacher = world.users["teacher"]
    client = _client()
    key = _log_in(client, teacher)
    assert client.get(reverse("student-list")).status_code == 200

    clock.tick(datetime.timedelta(seconds=IDLE["staff"] + 1))
    response = client.get(reverse("student-list"))

    assert _to_login(response)
    assert not Session.objects.filter(session_key=key).exists()
    assert _timeout_events(teacher) == 1
    login_page = client.get(response.url)
    assert login_page.status_code == 200
    assert IDLE_MESSAGE in login_page.content.decode()
    # Nor does the old session reach the API.
    assert _with_cookie(key).get(reverse("api:student-list")).status_code == 401


def test_staff_api_session_is_refused_when_idle_too_long(world, clock):
    client = _client()
    _log_in(client, world.users["teacher"])
    assert client.get(reverse("api:student-list")).status_code == 200

    clock.tick(datetime.timedelta(seconds=IDLE["staff"] + 1))

    assert client.get(reverse("api:student-list")).status_code == 401
    assert _timeout_events(world.users["teacher"]) == 1


def test_guardian_stays_logged_in_when_idle_as_long_as_ends_a_staff_session(world, clock):
    assert IDLE["guardian"] > IDLE["staff"]
    guardian = world.users["guardian"]
    client = _client()
    _log_in(client, guardian)

    clock.tick(datetime.timedelta(seconds=IDLE["staff"] + 1))
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("child-detail", args=[world.pupil3.pk])).status_code == 200

    # Their own, longer, limit holds as well.
    clock.tick(datetime.timedelta(seconds=IDLE["guardian"] + 1))
    assert _to_login(client.get(reverse("home")))
    assert _timeout_events(guardian) == 1


def test_staff_stays_logged_in_when_active_within_the_idle_time(world, clock):
    client = _client()
    _log_in(client, world.users["teacher"])
    step = datetime.timedelta(seconds=IDLE["staff"] - 60)

    for _ in range(4):  # well past one idle time in all
        clock.tick(step)
        assert client.get(reverse("student-list")).status_code == 200

    assert _timeout_events(world.users["teacher"]) == 0


def test_staff_is_logged_out_when_session_reaches_its_maximum_length(world, clock):
    director = world.users["director"]
    client = _client()
    _log_in(client, director)
    step = IDLE["staff"] - 60
    elapsed = 0
    # Busy all day, never idle for long ...
    while elapsed + step < ABSOLUTE["staff"]:
        clock.tick(datetime.timedelta(seconds=step))
        elapsed += step
        assert client.get(reverse("home")).status_code == 200, f"after {elapsed} s"
    # ... and still the session ends at its maximum.
    clock.tick(datetime.timedelta(seconds=ABSOLUTE["staff"] - elapsed + 1))
    response = client.get(reverse("home"))

    assert _to_login(response)
    assert _timeout_events(director) == 1
    assert MAXIMUM_MESSAGE in client.get(response.url).content.decode()
