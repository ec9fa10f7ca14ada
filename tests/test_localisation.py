"""Dates and numbers read the way the reader's language writes them ("2 december 2026", "3,5"
in Dutch; "Dec. 2, 2026", "3.5" in English), and the language switch stays switched."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from consent.models import ConsentCampaign
from consent.selectors.status import current_school_year
from privacy_requests.document import display
from privacy_requests.models import PrivacyRequest

from .students.factories import PASSWORD

HTML_LANG = re.compile(r'<html lang="([^"]+)"')
# Received on Monday 2 November 2026; a request is answered within a month.
RECEIVED = "2026-11-02 10:00"
DUE = {"nl": "2 december 2026", "en": "Dec. 2, 2026"}


def _client(language: str | None = None) -> Client:
    client = Client()
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _lang(response) -> str:
    match = HTML_LANG.search(response.content.decode())
    assert match, "no <html lang> on the page"
    return match[1]


def _submit(client: Client, world, django_capture_on_commit_callbacks):
    client.force_login(world.users["guardian"])
    with freeze_time(RECEIVED), django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("request-create"),
            {
                "student": world.pupil3.pk,
                "kind": "access",
                "description": "Graag inzage in alle gegevens over mijn kind.",
            },
            follow=True,
        )


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "Uw verzoek is ontvangen. De school antwoordt uiterlijk op 2 december 2026."),
        ("en", "Your request was received. The school answers by Dec. 2, 2026."),
    ],
)
def test_request_receipt_names_the_due_date_in_the_readers_format_when_submitted(
    world, django_capture_on_commit_callbacks, language, message
):
    response = _submit(_client(language), world, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    req = PrivacyRequest.objects.get(student=world.pupil3)
    assert req.due_date == datetime.date(2026, 12, 2)
    assert [str(m) for m in response.context["messages"]] == [message]
    # The detail page shows the same date in the same format.
    assert DUE[language] in response.content.decode()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_receipt_email_dates_follow_the_requesters_language_when_submitted(
    world, django_capture_on_commit_callbacks, language
):
    _submit(_client(language), world, django_capture_on_commit_callbacks)

    (receipt,) = [m for m in mail.outbox if "parent@t.example" in m.to]
    received = {"nl": "2 november 2026", "en": "Nov. 2, 2026"}[language]
    assert received in receipt.body
    assert DUE[language] in receipt.body
    assert "2026-12-02" not in receipt.body


@pytest.mark.parametrize(("language", "born"), [("nl", "2 december 2018"), ("en", "Dec. 2, 2018")])
def test_parent_start_page_shows_the_date_of_birth_in_the_readers_format_when_logged_in(
    world, language, born
):
    world.pupil3.date_of_birth = datetime.date(2018, 12, 2)
    world.pupil3.save(update_fields=["date_of_birth"])
    client = _client(language)
    client.force_login(world.users["guardian"])

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert _lang(response) == language
    assert born in response.content.decode()


@pytest.mark.parametrize(
    ("language", "date"), [("nl", "1 september 2026"), ("en", "Sept. 1, 2026")]
)
def test_consent_after_the_lock_date_is_refused_naming_the_date_in_the_readers_format(
    world, api, language, date
):
    ConsentCampaign.objects.create(
        school=world.school,
        school_year=current_school_year(),
        lock_after=datetime.date(2026, 9, 1),
        started_by=world.users["director"],
    )
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    api.force_login(world.users["guardian"])

    with freeze_time("2026-10-01 10:00"):
        response = api.post(
            reverse("api:student-consents", args=[world.pupil3.pk]),
            {"purpose": "newsletter", "decision": "granted"},
            format="json",
        )

    assert response.status_code == 409
    assert date in response.json()["detail"]


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("nl", "2 december 2026", "2 december 2026 10:30"),
        ("en", "Dec. 2, 2026", "Dec. 2, 2026, 10:30 a.m."),
    ],
)
def test_access_package_shows_its_iso_dates_in_the_readers_format_when_read(language, day, moment):
    with translation.override(language):
        assert display("2026-12-02") == day
        # Stored in UTC, read in Amsterdam.
        assert display("2026-12-02T09:30:00+00:00") == moment
        # Not dates: left as they are.
        assert display("2026-13-45") == "2026-13-45"
        assert display("Groep 3") == "Groep 3"


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "rate"), [("nl", "50,0%"), ("en", "50.0%")])
def test_consent_dashboard_writes_the_response_rate_with_the_languages_decimal_separator(
    world, language, rate
):
    client = _client(language)
    client.force_login(world.users["director"])

    response = client.get("/consent/")

    assert response.status_code == 200
    assert response.context["response_rate"] == 50.0
    assert rate in response.content.decode()


# --- the language switch ----------------------------------------------------------------------


def _switch(client: Client, language: str, next_url: str):
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    return response


def test_language_switch_sticks_for_an_anonymous_visitor_when_english_is_chosen(db):
    client = Client()
    login = reverse("accounts:login")
    assert _lang(client.get(login)) == "nl"

    _switch(client, "en", login)

    assert _lang(client.get(login)) == "en"
    assert _lang(client.get(reverse("accounts:password_reset"))) == "en"


def test_language_switch_sticks_for_a_parent_on_every_next_page_when_english_is_chosen(world):
    client = Client()
    client.force_login(world.users["guardian"])
    home = reverse("home")
    assert _lang(client.get(home)) == "nl"

    _switch(client, "en", home)

    assert _lang(client.get(home)) == "en"
    child = client.get(reverse("child-detail", args=[world.pupil3.pk]))
    assert child.status_code == 200
    assert _lang(child) == "en"
    _switch(client, "nl", home)
    assert _lang(client.get(home)) == "nl"


def test_language_choice_survives_logging_out_and_in_again_when_made_in_the_same_browser(world):
    client = Client()
    user = world.users["guardian"]
    assert (
        client.post(
            reverse("accounts:login"), {"email": user.email, "password": PASSWORD}
        ).status_code
        == 302
    )
    _switch(client, "en", reverse("home"))

    client.post(reverse("accounts:logout"))  # the page's form; Client.logout() drops cookies
    assert "_auth_user_id" not in client.session
    assert _lang(client.get(reverse("accounts:login"))) == "en"
    assert (
        client.post(
            reverse("accounts:login"), {"email": user.email, "password": PASSWORD}
        ).status_code
        == 302
    )

    assert _lang(client.get(reverse("home"))) == "en"
