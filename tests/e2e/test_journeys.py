"""End-to-end journeys through the real login form, in a real browser, on the demo data.

Matches on URLs, ids, roles, counts and pupils' names, never on translated text.
"""

from __future__ import annotations

import re

import pytest

from students.models import Guardianship, Student
from students.services import group_school_year_current

from .conftest import LOGIN_PATH, LOGIN_SUBMIT, assert_accessible, login

pytestmark = pytest.mark.e2e

SCHOOL = "OBS Samen Een"
TEACHER = "leerkracht3@samen-een.example"
PARENT = "ouder@samen-een.example"
LANGUAGE_SUBMIT = "form[action$='/i18n/setlang/'] button[type=submit]"


def _path(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def _count_shown(page) -> int:
    """The "N pupils" status line above the pupil table."""
    text = page.locator("main p[role=status]").inner_text()
    match = re.search(r"\d+", text)
    assert match, f"no count in the status line {text!r}"
    return int(match.group())


def _enrolled_in(group_name: str):
    return Student.objects.filter(
        school__name=SCHOOL,
        group__name=group_name,
        group__school_year=group_school_year_current(),
        withdrawn_on__isnull=True,
    )


def test_teacher_sees_only_their_group(page, demo_site, shot):
    response = login(page, demo_site, TEACHER)
    assert response.status == 200
    assert _path(page) == "/"
    assert_accessible(page)
    shot(page, "home")

    response = page.goto(f"{demo_site}/students/")
    assert response.status == 200
    assert_accessible(page)
    shot(page, "pupil-list")

    expected = {s.pk: s.display_name for s in _enrolled_in("Groep 3")}
    assert len(expected) > 0
    assert _count_shown(page) == len(expected)

    listed: dict[int, str] = {}
    for _page_number in range(1, 20):
        rows = page.locator("main table tbody tr")
        assert rows.count() <= 25
        for i in range(rows.count()):
            row = rows.nth(i)
            assert row.locator("td").nth(1).inner_text().strip() == "Groep 3"
            link = row.locator("td a").first
            href = link.get_attribute("href")
            match = re.fullmatch(r"/students/(\d+)/", href or "")
            assert match, f"unexpected pupil link {href!r}"
            listed[int(match.group(1))] = " ".join(link.inner_text().split())
        next_link = page.locator("main a[rel=next]")
        if next_link.count() == 0:
            break
        with page.expect_navigation():
            next_link.click()
    assert listed == expected

    # Open the first pupil on the (first) list page.
    page.goto(f"{demo_site}/students/")
    first = page.locator("main table tbody tr td a").first
    with page.expect_navigation():
        first.click()
    match = re.fullmatch(r"/students/(\d+)/", _path(page))
    assert match
    pupil = Student.objects.get(pk=int(match.group(1)))
    assert pupil.group.name == "Groep 3"
    assert page.locator("h1").inner_text().strip() == pupil.display_name
    assert_accessible(page)
    shot(page, "pupil")

    # A pupil of Groep 5 is out of scope: it does not exist for this teacher.
    other = _enrolled_in("Groep 5").first()
    response = page.goto(f"{demo_site}/students/{other.pk}/")
    assert response.status == 404
    assert other.display_name not in page.content()
    assert_accessible(page)
    shot(page, "other-group-404")


def test_parent_sees_their_children_only(page, demo_site, shot):
    children = {
        link.student.pk: link.student.display_name
        for link in Guardianship.objects.filter(guardian__user__email=PARENT).select_related(
            "student"
        )
    }
    assert len(children) == 2

    response = login(page, demo_site, PARENT)
    assert response.status == 200
    assert _path(page) == "/"
    assert_accessible(page)
    shot(page, "home")

    # Every child link on the page (the children's cards, the to-do list's consent questions)
    # goes to a page of one of their own children; each child's card links to the child.
    links = page.locator("main a[href^='/children/']")
    shown = {}
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href")
        match = re.fullmatch(r"/children/(\d+)/(.*)", href or "")
        assert match, f"unexpected child link {href!r}"
        assert int(match.group(1)) in children, f"link to another child {href!r}"
        if not match.group(2):
            shown[int(match.group(1))] = " ".join(links.nth(i).inner_text().split())
    assert shown == children

    pk, name = sorted(children.items())[0]
    with page.expect_navigation():
        page.locator(f"main a[href='/children/{pk}/']").click()
    assert _path(page) == f"/children/{pk}/"
    assert page.locator("h1").inner_text().strip() == name
    assert_accessible(page)
    shot(page, "child")

    response = page.goto(f"{demo_site}/students/")
    assert response.status == 403
    assert page.locator("main table").count() == 0
    assert_accessible(page)
    shot(page, "staff-page-403")


def test_wrong_password_shows_error_and_keeps_email(page, demo_site, shot):
    response = login(page, demo_site, TEACHER, password="not-the-password")
    assert response.status == 200
    assert _path(page) == LOGIN_PATH
    alert = page.get_by_role("alert")
    assert alert.count() == 1
    assert alert.is_visible()
    assert alert.inner_text().strip()
    assert page.input_value("input[name=email]") == TEACHER
    assert page.input_value("input[name=password]") == ""
    assert page.locator(LOGIN_SUBMIT).count() == 1
    assert_accessible(page)
    shot(page, "login-error")

    # Still anonymous: the start page sends us back to the login form.
    page.goto(f"{demo_site}/")
    assert _path(page).startswith(LOGIN_PATH)


def test_language_switch_to_english_sticks(page, demo_site, shot):
    page.goto(f"{demo_site}{LOGIN_PATH}")
    assert page.get_attribute("html", "lang") == "nl"
    assert_accessible(page)

    login(page, demo_site, TEACHER)
    page.goto(f"{demo_site}/students/")
    assert page.get_attribute("html", "lang") == "nl"
    shot(page, "pupil-list-nl")

    page.select_option("select[name=language]", "en")
    with page.expect_navigation():
        page.click(LANGUAGE_SUBMIT)
    assert _path(page) == "/students/"
    assert page.get_attribute("html", "lang") == "en"
    assert page.input_value("select[name=language]") == "en"
    assert_accessible(page)
    shot(page, "pupil-list-en")

    # The choice sticks on the next page.
    response = page.goto(f"{demo_site}/")
    assert response.status == 200
    assert page.get_attribute("html", "lang") == "en"
    assert_accessible(page)
    shot(page, "home-en")
