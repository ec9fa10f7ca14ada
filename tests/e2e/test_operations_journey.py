"""School operations in a real browser, on the demo data.

(a) directeur@ opens "Next school year", sees the preview, keeps one Groep 3 pupil back, saves
    the plan and applies it now; pressing "Apply now" again in a stale tab changes nothing.
    leerkracht3@ then sees their new Groep 3 only: the pupils who came up from Groep 2 and the
    one kept back, none of last year's Groep 3 pupils who moved up.
(b) The guardian with the demo's pending invitation gets a fresh link, chooses a too-short
    password (a clear error), then a good one, and lands on the parent start page with their
    child; the same link afterwards says it is no longer valid.
(c) Password reset answers an unknown address exactly as a known one; the known one gets the
    link, a mismatched new password is refused, a good one works for the next login.

Matches on data, URLs and structure; the few texts it reads are looked up in the Dutch
translation."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import translation

from accounts.models import User
from students.models import (
    Group,
    Guardianship,
    Invitation,
    Placement,
    RolloverPlan,
    School,
    Student,
)
from students.services.invitations import invitation_resend

from .conftest import DEMO_PASSWORD, assert_accessible, login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"
DIRECTOR = f"directeur@{DOMAIN}"
TEACHER = f"leerkracht3@{DOMAIN}"
INVITED = f"uitnodiging@{DOMAIN}"
ROLLOVER = "/rollover/"
MESSAGES = "main ul.messages"
MOVES = "main section[aria-labelledby=moves-heading]"


def _nl(text: str) -> str:
    with translation.override("nl"):
        return translation.gettext(text)


def _path(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def _submit(page, button):
    with page.expect_navigation() as navigation:
        button.click()
    return navigation.value


def _listed_pupils(page, base_url: str) -> dict[int, str]:
    """Every pupil on the staff pupil list, across its pages: id -> group shown."""
    page.goto(f"{base_url}/students/")
    listed: dict[int, str] = {}
    for _page_number in range(1, 20):
        rows = page.locator("main table tbody tr")
        for i in range(rows.count()):
            row = rows.nth(i)
            href = row.locator("td a").first.get_attribute("href") or ""
            match = re.fullmatch(r"/students/(\d+)/", href)
            assert match, f"unexpected pupil link {href!r}"
            listed[int(match.group(1))] = row.locator("td").nth(1).inner_text().strip()
        next_link = page.locator("main a[rel=next]")
        if next_link.count() == 0:
            break
        with page.expect_navigation():
            next_link.click()
    return listed


def _state(school: School):
    return (
        Group.objects.filter(school=school).count(),
        Placement.objects.filter(student__school=school).count(),
        sorted(
            Student.objects.filter(school=school).values_list(
                "pk", "group_id", "year_group", "withdrawn_on"
            )
        ),
    )


# --- (a) the next school year ------------------------------------------------------------------


def test_director_turns_the_year_and_the_teacher_sees_the_new_group(browser, demo_site, page, shot):
    samen = School.objects.get(brin="12AB")
    year = max(
        Group.objects.filter(school=samen, students__withdrawn_on__isnull=True).values_list(
            "school_year", flat=True
        )
    )
    enrolled = Student.objects.filter(school=samen, withdrawn_on__isnull=True)
    groep2 = set(enrolled.filter(group__name="Groep 2").values_list("pk", flat=True))
    groep3 = list(enrolled.filter(group__name="Groep 3").order_by("surname", "given_name", "id"))
    kept = groep3[0]
    assert groep2 and len(groep3) > 1

    login(page, demo_site, DIRECTOR)
    nav = page.locator(f"nav a[href='{ROLLOVER}']")
    assert nav.count() == 1
    assert nav.inner_text().strip() == _nl("Next school year")
    response = _submit(page, nav)
    assert response.status == 200
    assert_accessible(page)
    shot(page, "preview")

    # The preview: one row per enrolled pupil; a Groep 2 pupil goes to Groep 3, nothing applied.
    rows = page.locator(f"{MOVES} tbody tr")
    assert rows.count() == enrolled.count()
    assert str(year + 1) in page.locator("h1").inner_text()
    some_groep2 = Student.objects.get(pk=min(groep2))
    row = rows.filter(has=page.locator(f"#keep-{some_groep2.pk}"))  # names repeat; ids do not
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == some_groep2.display_name
    assert cells[1].startswith("Groep 2") and cells[2].startswith("Groep 3")
    assert not RolloverPlan.objects.filter(school=samen).exists()

    # Keep one Groep 3 pupil back and save the plan.
    page.locator(f"#keep-{kept.pk}").check()
    response = _submit(page, page.get_by_role("button", name=_nl("Save the plan")))
    assert response.status == 200
    assert _path(page) == f"{ROLLOVER}?school={samen.pk}"
    assert _nl("The plan was saved; the preview shows it.") in page.locator(MESSAGES).inner_text()
    assert page.locator(f"#keep-{kept.pk}").is_checked()
    kept_row = page.locator(f"{MOVES} tbody tr").filter(has=page.locator(f"#keep-{kept.pk}"))
    assert kept_row.locator("td").nth(2).inner_text().startswith("Groep 3")
    plan = RolloverPlan.objects.get(school=samen)
    assert plan.kept_back == [kept.pk]
    assert plan.status == RolloverPlan.Status.DRAFT
    assert_accessible(page)
    shot(page, "plan-saved")

    # A second tab keeps the page with the plan open (it is applied from the first one).
    stale = page.context.new_page()
    stale.goto(f"{demo_site}{ROLLOVER}?school={samen.pk}")

    response = _submit(page, page.get_by_role("button", name=_nl("Apply now")))
    assert response.status == 200
    assert _nl("The new school year was applied.") in page.locator(MESSAGES).inner_text()
    plan.refresh_from_db()
    assert plan.status == RolloverPlan.Status.APPLIED
    assert page.get_by_role("button", name=_nl("Apply now")).count() == 0
    assert page.locator("main input[type=checkbox]").count() == 0
    assert_accessible(page)
    shot(page, "applied")

    # One wrong step: "Apply now" again in the stale tab. Nothing changes, and it says so.
    before = _state(samen)
    response = _submit(stale, stale.get_by_role("button", name=_nl("Apply now")))
    assert response.status == 200
    assert _nl("This school year had already been applied: nothing changed.") in (
        stale.locator(MESSAGES).inner_text()
    )
    assert _state(samen) == before
    assert_accessible(stale)
    shot(stale, "applied-again")
    stale.close()

    # The staff page: leerkracht3@ teaches the new Groep 3 from today; last year's has ended.
    response = _submit(page, page.locator("nav a[href='/accounts/staff/']"))
    assert response.status == 200
    teacher_user = User.objects.get(email=TEACHER)
    periods = page.locator("main section[aria-labelledby=groups-heading] tbody tr").filter(
        has_text=teacher_user.full_name
    )
    shown = {" ".join(row.locator("td").first.inner_text().split()) for row in periods.all()}
    assert f"Groep 3 ({year + 1}-{year + 2})" in shown
    assert_accessible(page)
    shot(page, "staff")

    # The new Groep 3: last year's Groep 2 pupils and the one kept back.
    new_groep3 = set(
        Student.objects.filter(
            group__school=samen, group__name="Groep 3", group__school_year=year + 1
        ).values_list("pk", flat=True)
    )
    assert new_groep3 == groep2 | {kept.pk}

    teacher = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    teacher.set_default_timeout(15_000)
    try:
        teacher_page = teacher.new_page()
        response = login(teacher_page, demo_site, TEACHER)
        assert response.status == 200
        assert_accessible(teacher_page)
        shot(teacher_page, "teacher-home")

        listed = _listed_pupils(teacher_page, demo_site)
        assert set(listed) == new_groep3
        assert set(listed.values()) == {"Groep 3"}
        moved_up = {s.pk for s in groep3} - {kept.pk}
        assert not moved_up & set(listed)
        assert_accessible(teacher_page)
        shot(teacher_page, "teacher-pupils")

        # A pupil who moved up out of Groep 3 is out of scope now.
        response = teacher_page.goto(f"{demo_site}/students/{min(moved_up)}/")
        assert response.status == 404
        assert_accessible(teacher_page)
    finally:
        teacher.close()


def test_after_the_turn_the_teachers_start_page_offers_the_new_group(demo_site, page, shot):
    from students.rollover.services import rollover_apply

    samen = School.objects.get(brin="12AB")
    rollover_apply(user=User.objects.get(email=DIRECTOR), school=samen)
    new_group = Group.objects.filter(school=samen, name="Groep 3").latest("school_year")

    login(page, demo_site, TEACHER)
    shot(page, "teacher-home")
    offered = {
        a.get_attribute("href") for a in page.locator("main a[href^='/students/?group=']").all()
    }
    assert offered == {f"/students/?group={new_group.pk}"}
    page.goto(f"{demo_site}/students/")
    options = page.locator("main select[name=group] option").all()
    assert str(new_group.pk) in {o.get_attribute("value") for o in options}


# --- (b) a guardian accepts the invitation -----------------------------------------------------


def test_guardian_accepts_the_invitation_once(demo_site, page, shot):
    pending = Invitation.objects.get(email=INVITED, accepted_at=None, revoked_at=None)
    guardian = pending.guardian
    children = {
        link.student_id: link.student.display_name
        for link in Guardianship.objects.filter(guardian=guardian).select_related("student")
    }
    assert children and guardian.user_id is None
    administration = User.objects.get(email=f"administratie@{DOMAIN}")

    # Only a hash of the first link is stored: the school sends a new one (the old one ends).
    sent = len(mail.outbox)
    invitation_resend(user=administration, invitation=pending, request_base=demo_site)
    (message,) = mail.outbox[sent:]
    assert message.to == [INVITED]
    link = re.search(r"https?://\S+/accounts/invitation/[^/\s]+/", message.body).group(0)
    assert link.startswith(demo_site)
    pending.refresh_from_db()
    assert pending.revoked_at is not None

    response = page.goto(link)
    assert response.status == 200
    assert INVITED in page.locator("main").inner_text()
    assert_accessible(page)
    shot(page, "invitation")

    # One wrong step: a password that is too short.
    page.fill("input[name=password1]", "kort1")
    page.fill("input[name=password2]", "kort1")
    response = _submit(page, page.get_by_role("button", name=_nl("Create my account")))
    assert response.status == 200  # not 4xx: that would log the path, a link that still works
    error = page.locator("main .field-error")
    assert error.count() == 1
    assert error.is_visible()
    assert re.search(r"\d+", error.inner_text()), "the error says how long it must be"
    assert page.locator("input[name=password1]").input_value() == ""
    assert not User.objects.filter(email=INVITED).exists()
    assert_accessible(page)
    shot(page, "too-short")

    good = "Zonnebloem-veld-2026"
    page.fill("input[name=password1]", good)
    page.fill("input[name=password2]", good)
    response = _submit(page, page.get_by_role("button", name=_nl("Create my account")))
    assert response.status == 200
    assert _path(page) == "/"
    # Their start page: every child link (cards, to-do items) is to a page of their own
    # children, and each child has its card.
    shown = {}
    for child_link in page.locator("main a[href^='/children/']").all():
        href = child_link.get_attribute("href") or ""
        match = re.fullmatch(r"/children/(\d+)/(.*)", href)
        assert match, f"unexpected child link {href!r}"
        assert int(match.group(1)) in children, f"link to another child {href!r}"
        if not match.group(2):
            shown[int(match.group(1))] = " ".join(child_link.inner_text().split())
    assert shown == children
    guardian.refresh_from_db()
    assert guardian.user.email == INVITED
    assert_accessible(page)
    shot(page, "parent-home")

    # The same link again: used up.
    response = page.goto(link)
    assert response.status == 404
    alert = page.get_by_role("alert")
    assert alert.count() == 1
    assert alert.inner_text().strip() == _nl(
        "This link is no longer valid: it was used already, replaced by a newer one, or it "
        "expired. Ask the school for a new one."
    )
    assert page.locator("main form input[name=password1]").count() == 0
    assert_accessible(page)
    shot(page, "link-used")


# --- (c) password reset ------------------------------------------------------------------------


def _ask_for_reset(page, base_url: str, email: str):
    page.goto(f"{base_url}/accounts/login/")
    response = _submit(page, page.locator("main a[href='/accounts/password_reset/']"))
    assert response.status == 200
    page.fill("input[name=email]", email)
    return _submit(page, page.get_by_role("button", name=_nl("Send the link")))


def test_password_reset_says_the_same_for_every_address(demo_site, page, shot):
    known = f"ouder3@{DOMAIN}"
    sent = len(mail.outbox)

    page.goto(f"{demo_site}/accounts/login/")
    response = _submit(page, page.locator("main a[href='/accounts/password_reset/']"))
    assert response.status == 200
    assert_accessible(page)
    shot(page, "form")

    response = _ask_for_reset(page, demo_site, f"niemand@{DOMAIN}")
    assert response.status == 200
    unknown_path, unknown_text = _path(page), page.locator("main").inner_text()
    assert unknown_path == "/accounts/password_reset/done/"
    assert len(mail.outbox) == sent
    assert_accessible(page)
    shot(page, "done-unknown")

    response = _ask_for_reset(page, demo_site, known)
    assert response.status == 200
    assert (_path(page), page.locator("main").inner_text()) == (unknown_path, unknown_text)
    (message,) = mail.outbox[sent:]
    assert message.to == [known]
    shot(page, "done-known")

    link = re.search(r"https?://\S+/accounts/reset/\S+/\S+/", message.body).group(0)
    response = page.goto(link)
    assert response.status == 200
    assert page.locator("input[name=new_password1]").count() == 1
    assert_accessible(page)
    shot(page, "choose")

    # One wrong step: the two passwords differ.
    new = "Regenboog-school-2026"
    page.fill("input[name=new_password1]", new)
    page.fill("input[name=new_password2]", new + "x")
    response = _submit(page, page.get_by_role("button", name=_nl("Save the new password")))
    assert response.status == 200
    error = page.locator("main .field-error")
    assert error.count() == 1
    assert error.is_visible()
    user = User.objects.get(email=known)
    assert user.check_password(DEMO_PASSWORD)
    assert_accessible(page)
    shot(page, "mismatch")

    page.fill("input[name=new_password1]", new)
    page.fill("input[name=new_password2]", new)
    response = _submit(page, page.get_by_role("button", name=_nl("Save the new password")))
    assert response.status == 200
    assert _path(page) == "/accounts/reset/done/"
    assert_accessible(page)
    shot(page, "changed")

    response = login(page, demo_site, known, password=new)
    assert response.status == 200
    assert _path(page) == "/"
    # The link worked once.
    response = page.goto(link)
    assert page.locator("input[name=new_password1]").count() == 0
    assert page.get_by_role("alert").count() == 1
