"""Password reset: the same answer for every address, a single-use link that expires,
a per-address throttle that answers the same, and an audit trail."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from audit.constants import Outcome
from audit.models import AccessEvent

from .conftest import link_in_mail

LINK = r"/accounts/reset/[^/\s]+/[^/\s]+/"
NEW_PASSWORD = "nieuwe-fiets-op-zolder"


def _ask(client, email: str):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def _requests() -> list[tuple[int | None, str]]:
    return list(
        AccessEvent.objects.filter(object_type="password_reset_request")
        .order_by("id")
        .values_list("actor_id", "outcome")
    )


def _without_csrf(response) -> str:
    """The page as the visitor reads it (the CSRF token is masked anew for every page)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _open_form(client, link: str):
    """Follow the emailed link to the form (Django swaps the token for a session key)."""
    response = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    if response.status_code == 302:
        response = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")
    return response


def test_answer_is_the_same_when_email_is_known_or_unknown(world, client):
    director = world.users["director"]
    done = reverse("accounts:password_reset_done")

    known = _ask(client, director.email)
    unknown = _ask(client, "nobody@t.example")

    assert (known.status_code, known.url) == (302, done)
    assert (unknown.status_code, unknown.url) == (302, done)
    assert _without_csrf(client.get(known.url)) == _without_csrf(client.get(unknown.url))
    # Mail only for the account that exists.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [director.email]
    assert _requests() == [(director.pk, Outcome.ALLOWED), (None, Outcome.ALLOWED)]


def test_link_works_once_when_password_is_changed(world, client):
    director = world.users["director"]
    _ask(client, director.email)
    link = link_in_mail(LINK)

    form = _open_form(client, link)
    assert form.status_code == 200
    assert form.context["validlink"] is True
    changed = client.post(
        form.wsgi_request.path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert changed.status_code == 302
    assert changed.url == reverse("accounts:password_reset_complete")
    director.refresh_from_db()
    assert director.check_password(NEW_PASSWORD)
    event = AccessEvent.objects.get(object_type="password_reset")
    assert (event.actor_id, event.object_id, event.outcome) == (
        director.pk,
        str(director.pk),
        Outcome.ALLOWED,
    )
    # A second use shows the invalid-link page and changes nothing.
    again = _open_form(type(client)(), link)
    assert again.status_code == 200
    assert again.context["validlink"] is False
    assert "This link is no longer valid" in again.content.decode()
    assert AccessEvent.objects.filter(object_type="password_reset").count() == 1


@pytest.mark.parametrize(
    ("after", "valid"),
    [
        (datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60), True),
        (datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1), False),
    ],
)
def test_link_expires_when_the_reset_timeout_has_passed(
    term_world, client, term_clock, after, valid
):
    director = term_world.users["director"]
    asked_at = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    term_clock.move_to(asked_at)
    _ask(client, director.email)
    link = link_in_mail(LINK)

    term_clock.move_to(asked_at + after)
    page = _open_form(type(client)(), link)

    # The mail and the page promise two hours.
    assert settings.PASSWORD_RESET_TIMEOUT == 2 * 60 * 60
    assert page.status_code == 200
    assert page.context["validlink"] is valid
    assert ("This link is no longer valid" in page.content.decode()) is not valid


def test_no_more_mail_but_the_same_answer_when_asked_more_than_three_times_an_hour(world, client):
    director = world.users["director"]
    done = reverse("accounts:password_reset_done")

    answers = [_ask(client, email) for email in [director.email] * 3 + ["  DIRECTOR@t.example"]]

    assert [(a.status_code, a.url) for a in answers] == [(302, done)] * 4
    assert len(mail.outbox) == 3
    assert _requests() == [(director.pk, Outcome.ALLOWED)] * 3 + [(director.pk, Outcome.DENIED)]
    # Another address is not held back by it.
    _ask(client, world.users["teacher"].email)
    assert len(mail.outbox) == 4
    assert mail.outbox[-1].to == [world.users["teacher"].email]


def test_mail_is_sent_again_when_the_hour_has_passed(term_world, client, term_clock):
    director = term_world.users["director"]
    for _ in range(4):
        _ask(client, director.email)
    assert len(mail.outbox) == 3

    term_clock.tick(datetime.timedelta(hours=1, minutes=1))
    _ask(client, director.email)

    assert len(mail.outbox) == 4
