"""A download link works for the client that received it: the API hands out links to
exports and access packages, and the requester opens them with either login, the browser
session or the API token. Anyone else who is logged in gets 404 whichever way; without a login
a browser goes to the login page and an API client gets 401 (also with a token that is
revoked or expired). Every existing check stays: the signed link, its expiry, an access event
per download, ``Cache-Control: no-store``, and the file comes back decrypted (sealed at rest).
"""

from __future__ import annotations

import datetime
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import ApiToken
from accounts.services import token_issue
from accounts.tokens import api_tokens_revoke
from audit.models import AccessEvent
from kernel.sealed_files import MAGIC
from suppliers.constants import ExportStatus
from suppliers.services import export_build, export_request


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _token_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token_issue(user=user)}")


def _session_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _body(response) -> bytes:
    # Read, never closed here (on PostgreSQL closing ends the test's connection).
    return b"".join(response.streaming_content)


def _events(object_type: str, user) -> int:
    return AccessEvent.objects.filter(
        object_type=object_type, actor_id=user.pk, outcome="allowed"
    ).count()


# -- what is downloaded: an export and an access package, built by the real services -------


@pytest.fixture
def export_link(world):
    """The director's CSV for Rekenwijs, built through the gate, and the link the API gives
    the director when asked with their token."""
    director = world.users["director"]
    export = export_request(
        user=director,
        school=world.school,
        format="csv",
        agreement=world.suppliers["agreement"],
        product=world.suppliers["product"],
    )
    export = export_build(export_id=export.pk)
    assert export.status == ExportStatus.DONE
    answer = _token_client(director).get(reverse("api:export-detail", args=[export.pk]))
    assert answer.status_code == 200
    link = answer.json()["download_url"]
    assert link and link.startswith("/")
    with export.file.open("rb") as handle:
        content = handle.read()
    return {
        "link": link,
        "requester": director,
        "other": world.users["administration"],  # a colleague who also runs exports
        "content": content,
        "checksum": export.disclosure.file_checksum,
        "event": "export_download",
        "expires_at": export.expires_at,
        "raw_name": export.file.name,
    }


@pytest.fixture
def package_link(request_world):
    """The released access package of pupil3, and the PDF link the API gives the guardian who
    asked when asked with their token."""
    world = request_world
    guardian = world.users["guardian"]
    request = world.requests["released"]
    package = request.package
    answer = _token_client(guardian).get(reverse("api:privacy-request-detail", args=[request.pk]))
    assert answer.status_code == 200
    link = answer.json()["package"]["pdf_url"]
    assert link and link.startswith("/")
    with package.pdf_file.open("rb") as handle:
        content = handle.read()
    return {
        "link": link,
        "requester": guardian,
        "other": world.requests["other_parent"],  # a parent of another family
        "staff": world.users["director"],
        "content": content,
        "checksum": hashlib.sha256(content).hexdigest(),
        "event": "access_package",
        "expires_at": package.expires_at,
        "raw_name": package.pdf_file.name,
    }


@pytest.fixture(params=["export", "package"])
def download(request, db):
    return request.getfixturevalue(f"{request.param}_link")


# -- the requester ---------------------------------------------------------------------------


def test_requester_gets_the_decrypted_file_when_opening_the_link_by_session(download, settings):
    requester = download["requester"]
    before = _events(download["event"], requester)

    response = _session_client(requester).get(download["link"])

    assert response.status_code == 200
    body = _body(response)
    assert body == download["content"]
    assert not body.startswith(MAGIC)  # the plaintext, not the sealed file
    assert (settings.MEDIA_ROOT / download["raw_name"]).read_bytes().startswith(MAGIC)
    assert hashlib.sha256(body).hexdigest() == download["checksum"]
    assert "no-store" in response["Cache-Control"]
    assert _events(download["event"], requester) == before + 1


def test_requester_gets_the_same_bytes_when_opening_the_link_with_the_api_token(download):
    requester = download["requester"]
    by_session = _body(_session_client(requester).get(download["link"]))
    before = _events(download["event"], requester)

    response = _token_client(requester).get(download["link"], HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert _body(response) == by_session == download["content"]
    assert "no-store" in response["Cache-Control"]
    assert _events(download["event"], requester) == before + 1  # each download on the record


# -- anyone else ----------------------------------------------------------------------------


def test_other_logged_in_person_gets_404_by_session_and_by_token(download):
    other = download["other"]

    by_session = _session_client(other).get(download["link"])
    by_token = _token_client(other).get(download["link"])

    assert by_session.status_code == by_token.status_code == 404
    assert _events(download["event"], other) == 0
    # The refused look is on the record, whichever login was used.
    for response in (by_session, by_token):
        assert AccessEvent.objects.filter(
            request_id=response["X-Request-ID"], actor_id=other.pk, outcome="denied"
        ).exists()


def test_staff_of_the_school_get_404_for_a_guardians_package_by_session_and_by_token(
    package_link,
):
    staff = package_link["staff"]

    assert _session_client(staff).get(package_link["link"]).status_code == 404
    assert _token_client(staff).get(package_link["link"]).status_code == 404


def test_requesters_token_wins_over_another_persons_session_as_in_the_api(download):
    """The token is read first, as the API reads it: the requester's token in a browser that
    is logged in as someone else still opens the requester's file."""
    client = _session_client(download["other"])
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token_issue(user=download['requester'])}"

    response = client.get(download["link"])

    assert response.status_code == 200
    assert _body(response) == download["content"]


# -- no login ---------------------------------------------------------------------------------


def test_browser_without_login_is_sent_to_the_login_page_and_back(download):
    response = Client().get(download["link"], HTTP_ACCEPT="text/html,application/xhtml+xml")

    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("accounts:login")
    assert parse_qs(target.query)["next"] == [download["link"]]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_AUTHORIZATION": "Token not-a-token-of-anyone"},
        {"HTTP_ACCEPT": "application/json"},
        {"HTTP_AUTHORIZATION": "Basic c29tZW9uZTpzZWNyZXQ="},
    ],
    ids=["bad token", "asks for json", "other scheme"],
)
def test_api_client_without_login_gets_401_with_detail(download, headers):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(download["link"], **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"]
    assert "no-store" in response["Cache-Control"]


def test_api_client_reads_why_in_dutch_when_it_asks_in_dutch(download):
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        download["link"], HTTP_ACCEPT="application/json"
    )
    dutch = Client(HTTP_ACCEPT_LANGUAGE="nl").get(download["link"], HTTP_ACCEPT="application/json")

    assert english.status_code == dutch.status_code == 401
    assert english.json()["detail"] == "Authentication credentials were not provided."
    assert dutch.json()["detail"] != english.json()["detail"]


def test_revoked_token_is_no_login_even_with_a_session(download):
    requester = download["requester"]
    client = _token_client(requester)
    assert client.get(download["link"]).status_code == 200
    api_tokens_revoke(user=requester)

    revoked = client.get(download["link"])
    client.force_login(requester)  # a session as well: the revoked token still answers 401
    with_session = client.get(download["link"])

    assert revoked.status_code == with_session.status_code == 401
    assert revoked["WWW-Authenticate"] == "Token"
    assert revoked.json()["detail"]


def test_expired_token_is_no_login(download):
    requester = download["requester"]
    client = _token_client(requester)
    ApiToken.objects.filter(user=requester).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = client.get(download["link"])

    assert response.status_code == 401
    assert response.json()["detail"]


# -- the link itself --------------------------------------------------------------------------


def test_expired_link_answers_404_to_the_requester_as_before(download):
    requester = download["requester"]
    client = _session_client(requester)

    with freeze_time(download["expires_at"] + datetime.timedelta(minutes=1)):
        response = client.get(download["link"])

    assert response.status_code == 404
    assert _events(download["event"], requester) == 0


def test_guardians_token_meets_the_expired_package_link_with_404(package_link):
    """A guardian's token outlives the package's download period: the link still ends."""
    client = _token_client(package_link["requester"])

    with freeze_time(package_link["expires_at"] + datetime.timedelta(minutes=1)):
        response = client.get(package_link["link"])

    assert response.status_code == 404


def test_changed_link_answers_404_with_the_requesters_token(download):
    link = download["link"].rstrip("/")
    forged = f"{link[:-2]}xx/"

    response = _token_client(download["requester"]).get(forged)

    assert response.status_code == 404
