"""Abuse limits: privacy requests and exports per account (page and API share one count), the
token login per submitted email with a high ceiling per network address.

The request and export limits count per window of the portal's clock (kernel.throttling),
so a frozen clock moved past the window shows the limit lifting. The limits are lowered to
2 an hour here, so a test needs three submissions, not eleven.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from freezegun import freeze_time
from rest_framework.test import APIClient

from accounts.services import token_issue
from kernel import throttling
from privacy_requests.models import PrivacyRequest
from suppliers.models import Export

from .students.factories import PASSWORD, make_guardian_user

LIMIT = 2


def _message(scope: str, language: str = "en") -> str:
    """What a person is told at the limit; the tests send Accept-Language: en."""
    with translation.override(language):
        return str(throttling.MESSAGES[scope])


REQUEST_MESSAGE = _message("request_submit")
EXPORT_MESSAGE = _message("export")


@pytest.fixture
def low_limits(settings):
    rates = {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "request_submit": f"{LIMIT}/hour",
        "export": f"{LIMIT}/hour",
    }
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    # DRF reloads its settings on the change; the portal's limits read them from there.
    assert throttling.rate_of("request_submit") == (LIMIT, 3600)
    assert throttling.rate_of("export") == (LIMIT, 3600)


@pytest.fixture
def clock():
    """Frozen one minute into the next clock hour (the limits' window), not ticking."""
    start = timezone.now().replace(minute=1, second=0, microsecond=0) + datetime.timedelta(hours=1)
    with freeze_time(start, tick=False) as frozen:
        yield frozen


def _next_window(clock) -> None:
    clock.tick(datetime.timedelta(hours=1))


def _page(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user)}")
    return client


# --- Privacy requests ----------------------------------------------------------------------


def _request_form(student, n: int) -> dict:
    return {
        "student": student.pk,
        "kind": "access",
        "description": f"Graag inzage in alle gegevens over mijn kind, verzoek {n}",
    }


def _submit_page(client: Client, student, n: int):
    return client.post(reverse("request-create"), _request_form(student, n))


def _submit_api(client: APIClient, student, n: int):
    return client.post(
        reverse("api:privacy-request-list"), _request_form(student, n), format="json"
    )


def test_request_page_redirects_to_the_kept_form_when_limit_reached(world, low_limits, clock):
    parent = world.users["guardian"]
    client = _page(parent)

    statuses = [_submit_page(client, world.pupil3, n).status_code for n in range(LIMIT)]
    refused = _submit_page(client, world.pupil3, 99)

    assert statuses == [302] * LIMIT
    # Post/redirect/get (kernel.prg): a refresh of the page does not send it again.
    assert refused.status_code == 303
    shown = client.get(refused["Location"])
    html = shown.content.decode()
    assert REQUEST_MESSAGE in html
    assert 'role="alert"' in html
    # What the parent typed is still there, to send again later.
    form = shown.context["form"]
    assert form["description"].value() == _request_form(world.pupil3, 99)["description"]
    assert _request_form(world.pupil3, 99)["description"] in html
    assert form["kind"].value() == "access"
    assert PrivacyRequest.objects.filter(student=world.pupil3).count() == LIMIT


def test_parent_reads_the_limit_in_dutch_when_the_page_is_in_dutch(world, low_limits, clock):
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(world.users["guardian"])
    for n in range(LIMIT):
        _submit_page(client, world.pupil3, n)

    refused = _submit_page(client, world.pupil3, 99)

    assert refused.status_code == 303
    assert _message("request_submit", "nl") != REQUEST_MESSAGE, "not translated"
    assert _message("request_submit", "nl") in client.get(refused["Location"]).content.decode()


def test_request_api_answers_429_with_detail_when_limit_reached(world, low_limits, clock):
    client = _api(world.users["guardian"])

    statuses = [_submit_api(client, world.pupil3, n).status_code for n in range(LIMIT)]
    refused = _submit_api(client, world.pupil3, 99)

    assert statuses == [201] * LIMIT
    assert refused.status_code == 429
    assert REQUEST_MESSAGE in refused.json()["detail"]
    assert int(refused["Retry-After"]) > 0
    assert PrivacyRequest.objects.filter(student=world.pupil3).count() == LIMIT


def test_page_and_api_share_one_count_when_parent_submits_requests(world, low_limits, clock):
    parent = world.users["guardian"]

    assert _submit_page(_page(parent), world.pupil3, 1).status_code == 302
    assert _submit_api(_api(parent), world.pupil3, 2).status_code == 201

    assert _submit_page(_page(parent), world.pupil3, 3).status_code == 303
    assert _submit_api(_api(parent), world.pupil3, 4).status_code == 429


def test_other_parent_submits_when_one_parent_reached_the_limit(world, low_limits, clock):
    parent = world.users["guardian"]
    other = make_guardian_user(world.pupil5, email="parent5@t.example")
    for n in range(LIMIT + 1):
        _submit_page(_page(parent), world.pupil3, n)
    assert _submit_api(_api(parent), world.pupil3, 9).status_code == 429

    assert _submit_page(_page(other), world.pupil5, 1).status_code == 302
    assert _submit_api(_api(other), world.pupil5, 2).status_code == 201


def test_requests_are_read_when_submitting_is_limited(world, low_limits, clock):
    parent = world.users["guardian"]
    page, api = _page(parent), _api(parent)
    for n in range(LIMIT + 1):
        _submit_api(api, world.pupil3, n)

    for _ in range(LIMIT * 3):
        assert page.get(reverse("request-list")).status_code == 200
        assert page.get(reverse("request-create"), {"child": world.pupil3.pk}).status_code == 200
        listed = api.get(reverse("api:privacy-request-list"))
        assert listed.status_code == 200
        assert listed.json()["count"] == LIMIT


def test_parent_submits_again_when_the_window_has_passed(world, low_limits, clock):
    parent = world.users["guardian"]
    for n in range(LIMIT):
        _submit_api(_api(parent), world.pupil3, n)
    assert _submit_page(_page(parent), world.pupil3, 8).status_code == 303
    assert _submit_api(_api(parent), world.pupil3, 9).status_code == 429

    _next_window(clock)

    assert _submit_page(_page(parent), world.pupil3, 10).status_code == 302
    assert _submit_api(_api(parent), world.pupil3, 11).status_code == 201


# --- Exports --------------------------------------------------------------------------------


def _export_form(world) -> dict:
    target = f"a{world.suppliers['agreement'].pk}:p{world.suppliers['product'].pk}"
    return {"school": world.school.pk, "target": target, "format": "json"}


def _export_page(client: Client, world):
    return client.post(reverse("export-list"), _export_form(world))


def _export_api(client: APIClient, world):
    body = {
        "agreement": world.suppliers["agreement"].pk,
        "product": world.suppliers["product"].pk,
        "format": "csv",
    }
    return client.post(reverse("api:export-create"), body, format="json")


def _exports_of(user) -> int:
    return Export.objects.filter(requested_by=user).count()


def test_export_page_redirects_to_the_kept_form_when_limit_reached(world, low_limits, clock):
    director = world.users["director"]
    client = _page(director)
    before = _exports_of(director)

    statuses = [_export_page(client, world).status_code for _ in range(LIMIT)]
    refused = _export_page(client, world)

    assert statuses == [302] * LIMIT
    # Post/redirect/get (kernel.prg): a refresh of the page does not send it again.
    assert refused.status_code == 303
    shown = client.get(refused["Location"])
    html = shown.content.decode()
    assert EXPORT_MESSAGE in html
    form = shown.context["form"]
    assert form["target"].value() == _export_form(world)["target"]
    assert form["format"].value() == "json"
    assert f'<option value="{_export_form(world)["target"]}" selected>' in html
    assert '<option value="json" selected>' in html
    assert _exports_of(director) == before + LIMIT


def test_export_api_answers_429_with_detail_when_limit_reached(world, low_limits, clock):
    director = world.users["director"]
    client = _api(director)
    before = _exports_of(director)

    statuses = [_export_api(client, world).status_code for _ in range(LIMIT)]
    refused = _export_api(client, world)

    assert statuses == [202] * LIMIT
    assert refused.status_code == 429
    assert EXPORT_MESSAGE in refused.json()["detail"]
    assert int(refused["Retry-After"]) > 0
    assert _exports_of(director) == before + LIMIT


def test_colleague_exports_when_director_reached_the_limit(world, low_limits, clock):
    director, colleague = world.users["director"], world.users["administration"]
    assert _export_page(_page(director), world).status_code == 302
    assert _export_api(_api(director), world).status_code == 202
    assert _export_page(_page(director), world).status_code == 303
    assert _export_api(_api(director), world).status_code == 429

    assert _export_page(_page(colleague), world).status_code == 302
    assert _export_api(_api(colleague), world).status_code == 202


def test_exports_are_read_when_exporting_is_limited(world, low_limits, clock):
    director = world.users["director"]
    page, api = _page(director), _api(director)
    for _ in range(LIMIT + 1):
        _export_api(api, world)
    export = Export.objects.filter(requested_by=director).latest("pk")

    for _ in range(LIMIT * 3):
        assert page.get(reverse("export-list"), {"school": world.school.pk}).status_code == 200
        assert page.get(reverse("export-detail", args=[export.pk])).status_code == 200
        assert api.get(reverse("api:export-detail", args=[export.pk])).status_code == 200


def test_director_exports_again_when_the_window_has_passed(world, low_limits, clock):
    director = world.users["director"]
    for _ in range(LIMIT):
        _export_api(_api(director), world)
    assert _export_page(_page(director), world).status_code == 303

    _next_window(clock)

    assert _export_page(_page(director), world).status_code == 302
    assert _export_api(_api(director), world).status_code == 202


# --- Token login ----------------------------------------------------------------------------


@pytest.fixture
def login_clock():
    """A frozen clock: the login limits count per window of the portal's clock."""
    with freeze_time(timezone.now(), tick=False) as frozen:
        yield frozen


def _token(email: str, password: str, address: str):
    return APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        reverse("api:auth-token"),
        {"email": email, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def test_token_login_limited_per_email_when_guesses_come_from_many_addresses(world, login_clock):
    email = world.users["director"].email
    # Each guess from another address: the account lockout (per account and address) never
    # starts, so what stops the eleventh is the limit on the email itself.
    guesses = [_token(email, f"guess-{n}", f"198.51.100.{n}").status_code for n in range(10)]
    eleventh = _token(email.upper(), PASSWORD, "203.0.113.7")

    assert guesses == [400] * 10
    assert eleventh.status_code == 429
    assert eleventh.json()["detail"]
    assert "token" not in eleventh.json()
    # From that same address another account logs in.
    assert _token(world.users["teacher"].email, PASSWORD, "203.0.113.7").status_code == 200


def test_token_login_for_the_email_works_again_when_the_minute_has_passed(world, login_clock):
    email = world.users["director"].email
    for n in range(10):
        _token(email, f"guess-{n}", f"198.51.100.{n}")
    assert _token(email, PASSWORD, "203.0.113.7").status_code == 429

    login_clock.tick(datetime.timedelta(seconds=61))

    assert _token(email, PASSWORD, "203.0.113.7").status_code == 200


def test_school_address_is_not_limited_when_300_logins_of_different_emails_come_in_a_minute(
    world, login_clock
):
    """A school's staff and parents share one address: 300 attempts a minute from it, each
    for another email, all reach the login (DESIGN: the ceiling per address is 300 or more)."""
    statuses = {
        _token(f"person{n}@school.example", f"wrong-{n}", "192.0.2.10").status_code
        for n in range(300)
    }

    assert statuses == {400}
    assert _token(world.users["teacher"].email, PASSWORD, "192.0.2.10").status_code == 200
