"""Response headers and markup of real pages under the strict Content-Security-Policy.

Every page and API answer, for every kind of caller, carries a CSP without inline script or
style, refuses framing, sniffing and outside referrers, and (where it shows personal data, and
on the login page) tells browsers and proxies to keep no copy. No template or rendered page
holds inline script, a style element, a style attribute or an inline event handler: the CSP
would block them, so they would be broken code, or, with the CSP relaxed, an XSS foothold.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import token_issue


@dataclass(frozen=True)
class Page:
    role: str  # "anonymous" or a key of world.users
    url: Callable  # (world) -> str
    api: bool = False
    token: bool = False  # the API called with a token instead of a session
    personal: bool = True  # holds personal data (or is the login page): no-store


PAGES = {
    "staff pupil page": Page("teacher", lambda w: reverse("student-detail", args=[w.pupil3.pk])),
    "care file (care coordinator)": Page(
        "care_coordinator", lambda w: reverse("student-care", args=[w.pupil3.pk])
    ),
    "parent start page": Page("guardian", lambda w: reverse("home")),
    "parent child page": Page("guardian", lambda w: reverse("child-detail", args=[w.pupil3.pk])),
    "staff start page": Page("director", lambda w: reverse("home")),
    "login page": Page("anonymous", lambda w: reverse("accounts:login")),
    "privacy request form": Page(
        "guardian", lambda w: f"{reverse('request-create')}?child={w.pupil3.pk}"
    ),
    "privacy request page": Page(
        "guardian", lambda w: reverse("request-detail", args=[w.requests["access"].pk])
    ),
    "privacy request list (staff)": Page("director", lambda w: reverse("request-list")),
    "consent photo list": Page(
        "teacher", lambda w: reverse("consent-photo-list", args=[w.group3.pk])
    ),
    "second factor set-up": Page("director", lambda w: reverse("accounts:mfa-setup")),
    "API pupil list": Page("teacher", lambda w: reverse("api:student-list"), api=True),
    "API pupil list (token)": Page(
        "teacher", lambda w: reverse("api:student-list"), api=True, token=True
    ),
    "API pupil (parent)": Page(
        "guardian", lambda w: reverse("api:student-detail", args=[w.pupil3.pk]), api=True
    ),
    "API docs": Page("director", lambda w: reverse("api-docs"), personal=False),
    "API docs set-up script": Page(
        "director", lambda w: f"{reverse('api-docs')}?script", personal=False
    ),
}
HTML_PAGES = sorted(
    name for name, page in PAGES.items() if not page.api and not name.endswith("script")
)


def _get(world, page: Page):
    client = APIClient() if page.api else Client()
    if page.role != "anonymous":
        user = world.users[page.role]
        if page.token:
            assert isinstance(client, APIClient), "a token is sent to the API"
            client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user)}")
        else:
            client.force_login(user)
    response = client.get(page.url(world))
    assert response.status_code == 200, f"{page.url(world)}: {response.status_code}"
    return response


def _csp(response) -> dict[str, list[str]]:
    assert "Content-Security-Policy" in response, "no Content-Security-Policy header"
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name.lower()] = sources
    return directives


@pytest.mark.parametrize("name", sorted(PAGES))
def test_strict_security_headers_when_page_served(request_world, name):
    response = _get(request_world, PAGES[name])

    policy = _csp(response)
    header = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    assert "'unsafe-hashes'" not in header
    assert policy["default-src"] in (["'none'"], ["'self'"])
    assert policy["frame-ancestors"] == ["'none'"]
    for directive in ("script-src", "style-src"):
        # Present (not left to default-src) and same origin only: no inline, no CDN, no data:.
        assert policy.get(directive) == ["'self'"], f"{directive}: {policy.get(directive)}"
    assert "Content-Security-Policy-Report-Only" not in response  # enforced, not just reported
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    if PAGES[name].personal:
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert "no-store" in directives, response["Cache-Control"]


class _InlineCode(HTMLParser):
    """Collects what the CSP forbids: inline <script>, <style>, style="", on…="" and
    javascript: links; and the addresses of scripts and style sheets."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            if attributes.get("src"):
                self.assets.append(attributes["src"])
            else:
                self.problems.append(f"<script> without src at line {self.getpos()[0]}")
        if tag == "style":
            self.problems.append(f"<style> element at line {self.getpos()[0]}")
        if tag == "link" and "stylesheet" in (attributes.get("rel") or "").split():
            self.assets.append(attributes.get("href") or "")
        for attribute, value in attrs:
            if attribute == "style":
                self.problems.append(f"style attribute on <{tag}> at line {self.getpos()[0]}")
            elif re.fullmatch(r"on[a-z]+", attribute):
                self.problems.append(f"{attribute}= on <{tag}> at line {self.getpos()[0]}")
            elif (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}> at line {self.getpos()[0]}")

    handle_startendtag = handle_starttag


def _inline_code(html: str) -> _InlineCode:
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return parser


# Template language out of the way before parsing the HTML: comments go, tags become a
# space (``<option {% if x %}selected{% endif %}>``), variables a placeholder.
_TEMPLATE_COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.DOTALL)
_TEMPLATE_TAG = re.compile(r"{%.*?%}", re.DOTALL)
_TEMPLATE_VARIABLE = re.compile(r"{{.*?}}", re.DOTALL)


def _without_template_language(source: str) -> str:
    source = _TEMPLATE_COMMENT.sub("", source)
    return _TEMPLATE_VARIABLE.sub("x", _TEMPLATE_TAG.sub(" ", source))


def _own_template_dirs() -> list[Path]:
    """templates/ and every app's templates folder of the project itself (not .venv)."""
    base = Path(settings.BASE_DIR).resolve()
    dirs = [Path(d).resolve() for engine in settings.TEMPLATES for d in engine["DIRS"]]  # type: ignore[attr-defined]  # DIRS is a list
    dirs += [Path(app.path).resolve() / "templates" for app in apps.get_app_configs()]
    return sorted(
        {d for d in dirs if d.is_dir() and d.is_relative_to(base) and ".venv" not in d.parts}
    )


def _own_templates() -> list[Path]:
    return sorted(path for d in _own_template_dirs() for path in d.rglob("*.html"))


def test_project_templates_found_when_scan_collects_them():
    """The scan below is not vacuous: it reads the project's own templates."""
    templates = _own_templates()
    names = {path.relative_to(settings.BASE_DIR).as_posix() for path in templates}
    assert "templates/base.html" in names
    assert "templates/consent/photo_list.html" in names
    assert "templates/drf_spectacular/swagger_ui.html" in names
    assert len(templates) >= 50


def test_no_inline_code_found_when_templates_are_scanned():
    problems = {
        path.relative_to(settings.BASE_DIR).as_posix(): found
        for path in _own_templates()
        if (found := _inline_code(_without_template_language(path.read_text())).problems)
    }
    assert not problems, problems


@pytest.mark.parametrize("name", HTML_PAGES)
def test_no_inline_code_and_only_own_files_when_page_rendered(request_world, name):
    response = _get(request_world, PAGES[name])
    assert response["Content-Type"].startswith("text/html")

    found = _inline_code(response.content.decode())

    assert not found.problems, found.problems
    assert found.assets, "a page without its style sheet"
    for asset in found.assets:
        # Same origin only (the CSP allows nothing else), and the file is really there.
        assert asset.startswith("/") and not asset.startswith("//"), asset
        if asset.startswith(f"/{settings.STATIC_URL.strip('/')}/"):
            path = asset.split("?")[0].removeprefix(f"/{settings.STATIC_URL.strip('/')}/")
            assert finders.find(path), f"{asset} is not among the static files"


def test_print_button_uses_a_script_file_when_photo_list_rendered(world, client):
    client.force_login(world.users["teacher"])

    html = client.get(reverse("consent-photo-list", args=[world.group3.pk])).content.decode()

    assert 'data-action="print"' in html
    assert f"{settings.STATIC_URL}js/print.js".lstrip("/") in html
    assert "window.print" in Path(finders.find("js/print.js")).read_text()


def test_set_up_script_loaded_from_a_url_when_api_docs_opened(world, client):
    client.force_login(world.users["director"])

    html = client.get(reverse("api-docs")).content.decode()
    found = _inline_code(html)
    setup = [src for src in found.assets if src.startswith(reverse("api-docs"))]

    assert not found.problems, found.problems
    assert len(setup) == 1, found.assets
    assert "?script" in setup[0]
    script = client.get(setup[0])
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    body = script.content.decode()
    assert "SwaggerUIBundle" in body
    assert reverse("schema") in body
