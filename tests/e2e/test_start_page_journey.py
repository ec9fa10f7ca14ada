"""The start page as a to-do list, in a real browser on the demo data, per role: each staff
member logs in through the real form, lands on the start page, and reaches every item on their
list in one click (the page it links to opens, with the place it points at). The director and
the privacy officer also have a data breach whose clock runs, and the director an open takedown;
the teacher has nothing to do and is told so. The menu is a "Menu" disclosure on a phone (opened
with the keyboard) and a row of groups on a wide screen. Matches on links, ids and data, never on
translated text."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import User
from consent.models import ConsentDecision, Publication, Takedown
from registers.services import breach_record
from students.models import School

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"
ITEMS = "main ol.todo-list > li.todo-item"
ITEM_LINKS = f"{ITEMS} a.todo-title"
ALL_DONE = "main p.todo-done"
SUMMARY = "header nav.main-menu details.menu > summary"
MENU_LINK = "header nav.main-menu .menu-group a"


def _path(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def _user(local: str) -> User:
    return User.objects.get(email=f"{local}@{DOMAIN}")


def _breach_and_takedown() -> dict:
    """A data breach of OBS Samen Een that became known two hours ago, and a published item
    showing a pupil whose consent was withdrawn (an open takedown)."""
    school = School.objects.get(name="OBS Samen Een")
    director = _user("directeur")
    now = timezone.now()
    breach = breach_record(
        user=director,
        board_id=school.board_id,
        school=school,
        occurred_at=now - datetime.timedelta(hours=3),
        aware_at=now - datetime.timedelta(hours=2),
        description="Een klassenlijst is naar de verkeerde ouder gemaild.",
        categories=["identity"],
    )
    decision = ConsentDecision.objects.filter(student__school=school).select_related("student")[0]
    publication = Publication.objects.create(
        school=school,
        title="Schoolreisje",
        purpose=decision.purpose,
        publish_on=timezone.localdate() - datetime.timedelta(days=10),
        created_by=director,
    )
    publication.pupils.set([decision.student])
    Takedown.objects.create(publication=publication, student=decision.student, decision=decision)
    return {"breach": breach, "publication": publication}


def _hrefs(page) -> list[str]:
    return [a.get_attribute("href") or "" for a in page.locator(ITEM_LINKS).all()]


def _each_item_in_one_click(page, base: str) -> list[str]:
    """From the start page, click each item's link: the page opens, and the place the link
    points at (#anchor) is on it. Returns the links."""
    hrefs = _hrefs(page)
    for href in hrefs:
        page.goto(f"{base}/")
        with page.expect_navigation() as navigation:
            page.locator(f"{ITEM_LINKS}[href='{href}']").first.click()
        response = navigation.value
        assert response is not None and response.status == 200, (href, response)
        assert _path(page) == href, (href, _path(page))
        if "#" in href:
            anchor = href.split("#", 1)[1]
            assert page.locator(f"[id='{anchor}']").count() == 1, f"{href}: no #{anchor}"
    return hrefs


@pytest.mark.parametrize(
    ("local", "expects"),
    [
        ("directeur", {"breach", "takedown", "withholding", "request", "retention"}),
        ("privacy", {"breach", "request"}),
        ("administratie", {"request"}),
        ("ib", set()),
        ("leerkracht3", set()),
    ],
)
def test_each_role_reaches_every_to_do_item_in_one_click(demo_site, page, shot, local, expects):
    made = _breach_and_takedown()
    login(page, demo_site, f"{local}@{DOMAIN}")
    page.goto(f"{demo_site}/")
    assert_accessible(page)
    hrefs = _hrefs(page)
    kinds = {
        "breach": f"/registers/breaches/{made['breach'].pk}/#",
        "takedown": f"/consent/publications/{made['publication'].pk}/",
        "withholding": "/care/withholdings/#w-",
        "request": "/requests/",
        "retention": "/retention/?school=",
    }
    for kind, start in kinds.items():
        assert any(h.startswith(start) for h in hrefs) is (kind in expects), (local, kind, hrefs)
    if not hrefs:
        assert page.locator(ALL_DONE).count() == 1
    # Most urgent first: no item after a less urgent one.
    order = {"todo-overdue": 0, "todo-due-soon": 1, "todo-normal": 2}
    ranks = [
        next(order[c] for c in (li.get_attribute("class") or "").split() if c in order)
        for li in page.locator(ITEMS).all()
    ]
    assert ranks == sorted(ranks)
    if local in ("directeur", "privacy"):
        shot(page, f"{local}-start-1280")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{demo_site}/")
        assert_accessible(page)
        shot(page, f"{local}-start-390")
        page.set_viewport_size({"width": 1280, "height": 900})
    assert _each_item_in_one_click(page, demo_site) == hrefs


def test_the_menu_is_a_disclosure_on_a_phone_and_a_row_on_a_wide_screen(demo_site, page, shot):
    login(page, demo_site, f"directeur@{DOMAIN}")
    page.goto(f"{demo_site}/")
    links = page.locator(MENU_LINK)
    assert page.locator(SUMMARY).is_hidden()
    assert links.first.is_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    summary = page.locator(SUMMARY)
    assert summary.is_visible()
    assert links.first.is_hidden()
    # The menu and the start of the page fit on the first screen of a phone.
    heading = page.locator("main h1").bounding_box()
    assert heading is not None and heading["y"] < 300
    summary.focus()
    page.keyboard.press("Enter")
    assert links.first.is_visible()
    assert_accessible(page)
    shot(page, "menu-open-390")
    # Every link of the menu is there and reachable with the keyboard.
    # with Aanmeldingen, Bekostigingsmeldingen and Verhuizingen te bevestigen
    assert links.count() == 17
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('nav') !== null")
    page.keyboard.press("Escape")
    summary.focus()
    page.keyboard.press("Enter")
    assert links.first.is_hidden()


def _request_waiting_for_ouder3():
    """The Bakker family's open objection (the demo's), on which the school now waits for
    ouder3@ (ouder4@, the other parent, has no parental authority)."""
    from privacy_requests.constants import OPEN_STATUSES
    from privacy_requests.models import PrivacyRequest
    from privacy_requests.services import request_wait

    request = PrivacyRequest.objects.get(
        guardian__email=f"ouder3@{DOMAIN}", status__in=OPEN_STATUSES
    )
    request_wait(user=_user("administratie"), request=request, question="Welke nieuwsbrieven?")
    return request


@pytest.mark.parametrize(
    ("local", "expects", "only"),
    [
        # Both children of ouder@ have questions of this year's consent round unanswered.
        ("ouder", {"consent"}, True),
        # Their co-parent answered none of the shared child's questions herself.
        ("ouder2", {"consent"}, True),
        # The school waits for ouder3@'s answer on the objection (consent depends on the demo).
        ("ouder3", {"request"}, False),
        # Without parental authority: neither consent nor requests are theirs; all done.
        ("ouder4", set(), True),
    ],
)
def test_each_parent_reaches_every_to_do_item_in_one_click(
    demo_site, page, shot, local, expects, only
):
    waiting = _request_waiting_for_ouder3()
    login(page, demo_site, f"{local}@{DOMAIN}")
    page.goto(f"{demo_site}/")
    assert_accessible(page)
    hrefs = _hrefs(page)
    kinds = {
        "consent": re.compile(r"^/children/\d+/consent/$"),
        "request": re.compile(rf"^/requests/{waiting.pk}/$"),
    }
    for kind, pattern in kinds.items():
        present = any(pattern.match(h) for h in hrefs)
        if kind in expects:
            assert present, (local, kind, hrefs)
        elif only:
            assert not present, (local, kind, hrefs)
    if local == "ouder":
        assert len(hrefs) == 2  # one item per child
    if not hrefs:
        assert page.locator(ALL_DONE).count() == 1
    # What the page showed before is still there: a card per child.
    assert page.locator("main ul.cards > li").count() >= 1
    order = {"todo-overdue": 0, "todo-due-soon": 1, "todo-normal": 2}
    ranks = [
        next(order[c] for c in (li.get_attribute("class") or "").split() if c in order)
        for li in page.locator(ITEMS).all()
    ]
    assert ranks == sorted(ranks)
    if local in ("ouder", "ouder3"):
        shot(page, f"{local}-start-1280")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{demo_site}/")
        assert_accessible(page)
        shot(page, f"{local}-start-390")
        page.set_viewport_size({"width": 1280, "height": 900})
    assert _each_item_in_one_click(page, demo_site) == hrefs
