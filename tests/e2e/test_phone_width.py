"""Every HTML page of the permission matrix, for every role, on a phone (390 px wide): the page
never scrolls sideways. A table either fits or turns into a list of cards.

The pages are those of ``tests/test_permission_matrix.py``: each GET route (not the API) that
answers 200 to the role in scope, in the same small world. One browser context per role, so
the whole run stays quick; a failure names the page and the element that sticks out furthest.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client

from ..test_permission_matrix import (  # noqa: F401 (the matrix worlds are fixtures)
    MATRIX,
    ROLES,
    Entry,
    address_world,
    decisions_world,
    funding_world,
    leaving_world,
    markers,
    mfa_world,
    okr_world,
)

# Worlds whose pages change the shared one: a pupil who left (leaving, education report), the
# authenticator apps of every staff login. Their pages come last, in this order.
CHANGING_WORLDS = ("leaving_world", "okr_world", "mfa_world")

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
# Pages that fetch their content after loading (the API documentation reads the schema), with
# the path they fetch: the test waits for its answer, so the page is measured whole and no
# request is still running against the test database when the next page (or the end) comes.
FETCHING = {"api-docs": "/api/schema/"}

# The element that reaches furthest past the right edge of the viewport, leaving out what sits
# inside a container that scrolls or clips on its own (it does not make the page scroll).
_OVERFLOW_JS = r"""
() => {
  const root = document.documentElement;
  const limit = root.clientWidth;
  // A table in a box of its own that scrolls sideways does not fit either.
  const squeezed = [];
  for (const table of document.querySelectorAll("main table")) {
    for (let node = table.parentElement; node !== document.body; node = node.parentElement) {
      const scrolls = getComputedStyle(node).overflowX !== "visible";
      if (scrolls && node.scrollWidth > node.clientWidth + 1) {
        const caption = table.caption ? table.caption.textContent.trim() : "";
        squeezed.push(`table ${caption ? JSON.stringify(caption) + " " : ""}needs ` +
          `${node.scrollWidth}px in a box of ${node.clientWidth}px`);
        break;
      }
    }
  }
  if (root.scrollWidth <= limit) return squeezed.length ? { squeezed } : null;
  const clipped = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.overflowX !== "visible") return true;
    }
    return false;
  };
  const describe = (el) => {
    const parts = [];
    for (let node = el; node !== document.body && parts.length < 4; node = node.parentElement) {
      let s = node.tagName.toLowerCase();
      if (node.id) s += "#" + node.id;
      if (typeof node.className === "string" && node.className.trim())
        s += "." + node.className.trim().split(/\s+/).join(".");
      parts.unshift(s);
    }
    return parts.join(" > ");
  };
  let widest = null, right = limit;
  for (const el of document.body.querySelectorAll("*")) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.right <= right + 0.5 || clipped(el)) continue;
    widest = el;
    right = rect.right;
  }
  return {
    squeezed,
    scrollWidth: root.scrollWidth,
    clientWidth: limit,
    element: widest ? describe(widest) : "(no element sticks out: a margin or ::after?)",
    right: Math.round(right),
    text: widest ? widest.textContent.trim().replace(/\s+/g, " ").slice(0, 60) : "",
  };
}
"""


@pytest.fixture
def filled(world):
    """The world with rows in the tables it leaves empty: results on the pupil's progress page
    (one with a long note) and an API token for every account."""
    from accounts.services import api_token_issue
    from students.constants import Subject
    from students.models import ProgressRecord

    teacher = world.users["teacher"]
    for subject, period, result, note in (
        (Subject.READING, "Midden groep 3", "7,5", ""),
        (
            Subject.SPELLING,
            "Eind groep 3 (na de zomer opnieuw getoetst)",
            "B",
            "Goede vooruitgang na de extra oefeningen; de woorden met ei en ij gaan nog niet "
            "altijd goed, daar oefenen we de komende weken thuis en in de klas mee.",
        ),
    ):
        ProgressRecord.objects.create(
            student=world.pupil3,
            group=world.group3,
            subject=subject,
            period=period,
            result=result,
            note=note,
            recorded_by=teacher,
        )
    for user in world.users.values():
        api_token_issue(user=user, label="Rooster-app van de school (Android)")
    return world


def _pages(role: str) -> list[tuple[str, Entry]]:
    """(route, entry) of every HTML page the role opens in scope; pages of the worlds that
    change the shared one (``CHANGING_WORLDS``) come last."""
    pages = [
        (name, entry)
        for name, entry in sorted(MATRIX.items())
        if entry.method == "get" and not entry.api and entry.expect[role][0] == 200
    ]
    order = {fixture: rank for rank, fixture in enumerate(CHANGING_WORLDS, start=1)}
    return sorted(pages, key=lambda item: order.get(item[1].fixture, 0))


@pytest.mark.usefixtures("markers", "filled")  # long names and addresses; rows in every table
@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_phone(role, world, request, live_server, browser):
    started = time.monotonic()
    context = browser.new_context(locale="nl-NL", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    # The browser asks for the icon after each page, on its own time: answered here, it cannot
    # reach the live server while the test's database is being emptied at the end.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    if role != "anonymous":
        client = Client()
        client.force_login(world.users[role])
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
    page = context.new_page()
    problems, visited = [], 0
    try:
        for route, entry in _pages(role):
            current = request.getfixturevalue(entry.fixture) if entry.fixture != "world" else world
            url = entry.url(current, role, True)
            data = entry.data(current, role, True) if callable(entry.data) else entry.data
            if data:
                url += ("&" if "?" in url else "?") + urlencode(data, doseq=True)
            answer = context.request.get(f"{live_server.url}{url}", max_redirects=0)
            kind = answer.headers.get("content-type", "")
            if answer.status != 200 or not kind.startswith("text/html"):
                continue  # a download (CSV, PDF) or JSON is no page to scroll
            if route in FETCHING:
                fetched = re.compile(re.escape(f"{live_server.url}{FETCHING[route]}"))
                with page.expect_response(fetched):
                    page.goto(f"{live_server.url}{url}")
                page.wait_for_load_state("networkidle")
            else:
                page.goto(f"{live_server.url}{url}")
            visited += 1
            overflow = page.evaluate(_OVERFLOW_JS)
            if overflow:
                problems += [f"{route} ({url}): {each}" for each in overflow["squeezed"]]
            if overflow and "scrollWidth" in overflow:
                problems.append(
                    f"{route} ({url}): the page is {overflow['scrollWidth']}px wide in "
                    f"{overflow['clientWidth']}px; widest: {overflow['element']} reaches "
                    f"{overflow['right']}px ({overflow['text']!r})"
                )
        page.goto("about:blank")
    finally:
        context.close()
    elapsed = time.monotonic() - started
    assert visited, f"no HTML page opened for {role}"
    assert not problems, (
        f"{role}: of {visited} pages (measured in {elapsed:.0f} s), these scroll sideways "
        f"or hold a table that does not fit at {PHONE['width']} px:\n- " + "\n- ".join(problems)
    )
