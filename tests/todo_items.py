"""Reading the start page's to-do list as a person sees it (``templates/start/staff_home.html``):
each item's urgency, title, link and the line under it, in the order shown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

from django.urls import reverse

_ITEM = re.compile(
    r'<li class="todo-item todo-(?P<urgency>[a-z-]+)">\s*'
    r'<span class="todo-urgency">(?P<label>.*?)</span>\s*'
    r'<a class="todo-title" href="(?P<link>[^"]*)">(?P<title>.*?)</a>\s*'
    r'<span class="todo-meta">(?P<meta>.*?)</span>',
    re.S,
)
_TAG = re.compile(r"<[^>]+>")

ALL_DONE = 'class="todo-done"'


@dataclass(frozen=True)
class Shown:
    urgency: str  # overdue, due-soon, normal
    title: str
    link: str
    meta: str


def todo_items_in(html: str) -> list[Shown]:
    return [
        Shown(
            urgency=m["urgency"],
            title=unescape(m["title"]).strip(),
            link=unescape(m["link"]),
            meta=unescape(_TAG.sub("", m["meta"])).strip(),
        )
        for m in _ITEM.finditer(html)
    ]


def start_page(client, user) -> str:
    """The start page in English, the language the tests' expected texts are written in (the
    permission matrix reads every page in Dutch)."""
    client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def todo_items(client, user) -> list[Shown]:
    return todo_items_in(start_page(client, user))


def links(client, user) -> list[str]:
    return [item.link for item in todo_items(client, user)]
