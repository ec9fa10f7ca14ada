"""The finish: friendly 404/403/500 pages in both languages, also under ``make run`` (DEBUG on,
samen_een/dev_errors.py), Django's technical pages one setting away; the favicon; start-up
lines and links on the real port."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client, override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
# As samen_een/settings/dev.py orders them: the technical-page guard outermost, the view
# errors' handler innermost.
DEV_MIDDLEWARE = [
    "samen_een.dev_errors.TechnicalPagesMiddleware",
    *settings.MIDDLEWARE,
    "samen_een.dev_errors.FriendlyErrorsMiddleware",
]
# What Django's technical pages show and a person must never see: the route list, the code.
TECHNICAL = ("URLconf", "urlpatterns", "Traceback", "api/v1/", "DEBUG = True", "Request Method")

make_run = override_settings(DEBUG=True, MIDDLEWARE=DEV_MIDDLEWARE, SHOW_TECHNICAL_ERRORS=False)


def _friendly(body: str) -> None:
    for text in TECHNICAL:
        assert text not in body, text
    assert 'href="/"' in body  # a way back to the start page


@pytest.fixture
def nl(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    return client


@make_run
@pytest.mark.django_db
def test_unknown_address_gets_the_friendly_page_not_the_route_list_under_make_run(nl):
    response = nl.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    _friendly(body)
    assert "Niet gevonden" in body and "Terug naar de startpagina" in body


@make_run
@pytest.mark.django_db
def test_404_raised_by_a_view_is_friendly_under_make_run_in_english(world, client):
    client.force_login(world.users["director"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("student-detail", args=[world.other_pupil.pk]))
    assert response.status_code == 404
    body = response.content.decode()
    _friendly(body)
    assert "Not found" in body and "Back to the start page" in body


@make_run
@pytest.mark.django_db
def test_403_is_friendly_under_make_run(world, nl):
    nl.force_login(world.users["care_coordinator"])
    response = nl.get(reverse("student-religion", args=[world.pupil3.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    _friendly(body)
    assert "Geen toegang" in body


@make_run
@override_settings(ROOT_URLCONF="tests.dev_error_urls")
@pytest.mark.django_db
def test_crash_gets_the_friendly_500_in_both_languages_and_is_logged(caplog):
    response = Client(raise_request_exception=False).get("/crash-for-test/")
    assert response.status_code == 500
    body = response.content.decode()
    _friendly(body)
    assert "Er ging iets mis" in body and "Something went wrong" in body
    assert "RuntimeError: a bug in a view" in caplog.text  # the developer's console has it


@make_run
@pytest.mark.django_db
def test_unknown_host_refused_in_a_middleware_gets_the_friendly_400_under_make_run():
    """DisallowedHost is raised in a middleware outside the view's handler: Django's technical
    page (traceback, settings) must still not reach the person."""
    response = Client(HTTP_HOST="evil.example").get("/")
    assert response.status_code == 400
    body = response.content.decode()
    _friendly(body)
    assert "DisallowedHost" not in body and "ALLOWED_HOSTS" not in body
    assert "Dit verzoek kunnen we niet verwerken" in body


@make_run
@override_settings(ROOT_URLCONF="tests.dev_error_urls")
@pytest.mark.django_db
def test_suspicious_request_in_a_view_gets_the_friendly_400_under_make_run():
    response = Client(raise_request_exception=False).get("/suspicious-for-test/")
    assert response.status_code == 400
    body = response.content.decode()
    _friendly(body)
    assert "SuspiciousOperation" not in body


@override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"])
@pytest.mark.django_db
def test_without_debug_an_unknown_host_gets_the_friendly_400():
    response = Client(HTTP_HOST="evil.example").get("/")
    assert response.status_code == 400
    assert "Dit verzoek kunnen we niet verwerken" in response.content.decode()


@override_settings(
    DEBUG=True, MIDDLEWARE=DEV_MIDDLEWARE, SHOW_TECHNICAL_ERRORS=True, ROOT_URLCONF="samen_een.urls"
)
@pytest.mark.django_db
def test_show_technical_errors_gives_developers_djangos_technical_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "URLconf" in response.content.decode()


@override_settings(DEBUG=False, MIDDLEWARE=DEV_MIDDLEWARE)
@pytest.mark.django_db
def test_without_debug_django_itself_renders_the_friendly_templates(nl):
    response = nl.get("/no-such-page/")
    assert response.status_code == 404
    _friendly(response.content.decode())


def test_500_page_stands_alone_with_a_way_back_in_both_languages():
    page = (ROOT / "templates" / "500.html").read_text()
    assert "{%" not in page and "{{" not in page  # renders even when templates fail
    assert page.count('href="/"') >= 2
    assert 'lang="en"' in page and "opnieuw" in page


# --- favicon --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_favicon_ico_is_served_by_redirect_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.ico")
    assert response["Location"].startswith("/static/")
    assert finders.find("favicon.ico") and finders.find("favicon.svg")
    assert client.head("/favicon.ico").status_code == 302  # browsers and monitors ask HEAD too


@pytest.mark.django_db
def test_every_page_links_the_icon(client):
    body = client.get(reverse("accounts:login")).content.decode()
    assert re.search(r'<link rel="icon" href="/static/favicon\.svg"', body)


# --- the real port --------------------------------------------------------------------------


def _dev_setting(name: str, tmp_path, **env: str) -> str:
    clean = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        **env,
    }
    result = subprocess.run(  # noqa: S603 - this interpreter, our own code and fixed arguments
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            f"from django.conf import settings; print(repr(settings.{name}))",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_links_of_a_development_run_use_the_port_it_serves_on(tmp_path):
    assert _dev_setting("SITE_URL", tmp_path, PORT="8123") == "'http://127.0.0.1:8123'"
    assert _dev_setting("SITE_URL", tmp_path) == "'http://127.0.0.1:8000'"


def test_make_run_gives_demo_data_and_bin_run_the_same_port():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "PORT=$(PORT) $(PY) manage.py demo_data" in run
    assert "PORT=$(PORT) bin/run" in run
    script = (ROOT / "bin" / "run").read_text()
    assert "8000/" not in script.replace('PORT="${PORT:-8000}"', "")
    assert 'runserver "127.0.0.1:${PORT}"' in script


def test_development_settings_serve_friendly_errors_unless_asked_for_technical_ones(tmp_path):
    middleware = _dev_setting("MIDDLEWARE", tmp_path)
    assert middleware.endswith("'samen_een.dev_errors.FriendlyErrorsMiddleware']")
    assert _dev_setting("SHOW_TECHNICAL_ERRORS", tmp_path) == "False"
    assert _dev_setting("SHOW_TECHNICAL_ERRORS", tmp_path, SHOW_TECHNICAL_ERRORS="1") == "True"
