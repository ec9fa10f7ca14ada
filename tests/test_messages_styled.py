"""Messages (django.contrib.messages) as every page shows them: each with its kind in a word
and an icon besides its colour, and announced to screen readers: a success or an information
politely (role=status), a warning or an error at once (role=alert)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import pgettext

# kind -> (role, the word (English source), the icon)
KINDS = {
    "success": ("status", "Done", "✓"),
    "info": ("status", "Information", "i"),
    "warning": ("alert", "Please note", "!"),
    "error": ("alert", "Error", "✕"),
}


class _Messages(HTMLParser):
    """Each li.message of ul.messages: its classes, the role inside it, its visible text and
    the text hidden from screen readers."""

    def __init__(self):
        super().__init__()
        self.items: list[dict] = []
        self.stack: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.stack.append((tag, attrs))
        classes = (attrs.get("class") or "").split()
        if tag == "li" and "message" in classes:
            self.items.append({"classes": classes, "roles": [], "text": "", "hidden": ""})
        elif self.items and self._inside_message() and attrs.get("role"):
            self.items[-1]["roles"].append(attrs["role"])

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self.items or not self._inside_message():
            return
        key = "hidden" if any(a.get("aria-hidden") == "true" for _t, a in self.stack) else "text"
        self.items[-1][key] += data

    def _inside_message(self) -> bool:
        return any(t == "li" and "message" in (a.get("class") or "").split() for t, a in self.stack)


def _page_with(*levels: int, language: str = "nl") -> list[dict]:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]  # as MessageMiddleware
    for level in levels:
        messages.add_message(request, level, f"Bericht {level}.")
    with translation.override(language):
        html = Template('{% extends "base.html" %}').render(RequestContext(request))
    parser = _Messages()
    parser.feed(html)
    return parser.items


@pytest.mark.django_db
def test_each_message_shows_its_kind_and_is_announced():
    levels = [getattr(messages, kind.upper()) for kind in KINDS]
    items = _page_with(*levels)

    assert len(items) == len(KINDS)
    for kind, level, item in zip(KINDS, levels, items, strict=True):
        role, word, icon = KINDS[kind]
        assert f"message-{kind}" in item["classes"], item
        assert item["roles"] == [role], f"{kind}: {item['roles']}"
        text = re.sub(r"\s+", " ", item["text"]).strip()
        # The kind in words in the page's language (not colour alone), then the message.
        with translation.override("nl"):
            dutch = pgettext("message kind", word)
        assert text == f"{dutch}: Bericht {level}.", text
        # The icon is decoration: screen readers hear the word, not the glyph.
        assert item["hidden"].strip() == icon


@pytest.mark.django_db
def test_the_kind_is_in_the_language_of_the_page():
    (success, error) = _page_with(messages.SUCCESS, messages.ERROR, language="en")

    assert re.sub(r"\s+", " ", success["text"]).strip().startswith("Done:")
    assert re.sub(r"\s+", " ", error["text"]).strip().startswith("Error:")


@pytest.mark.django_db
def test_a_message_of_another_level_reads_as_information():
    """A level the portal does not name (a custom one) is shown as information, never bare."""
    (item,) = _page_with(35)  # between warning and error, without a tag of its own

    assert "message-info" in item["classes"]
    assert item["roles"] == ["status"]
    assert item["hidden"].strip() == "i"
