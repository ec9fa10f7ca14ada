"""The three journeys in a real browser, on the demo data.

- Staff: the Groep 3 teacher logs in (with and without MFA), finds a pupil, records a progress
  result after a first try without a result, and gets the 404 page for a Groep 5 pupil; the
  care coordinator opens a care record and is told the view is recorded.
- Parent: reads the child's data, withdraws a consent, asks for a correction (after a first try
  without a description) and for access, downloads the package the school released, and sees
  who looked; another family's child is a 404. The core of it again with the keyboard only,
  and on a phone (390 px wide: no sideways scrolling of the page).
- Director: the consent dashboard, the objection due soon (a rejection without a reason is
  refused at the field; then accepted before the deadline), an export to Rekenwijs and its line
  in the disclosure register.

Matches on URLs, ids, roles, counts and data; the few texts it reads are looked up in the Dutch
translation.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import formats, timezone, translation
from django_otp.oath import totp

from accounts.models import User
from consent.models import ConsentDecision, ConsentPurpose
from privacy_requests import services as request_services
from privacy_requests.constants import Kind, PackageStatus, Status
from privacy_requests.models import PrivacyRequest
from students.constants import Subject
from students.models import CareRecord, Guardianship, ProgressRecord, Student
from students.services import group_school_year_current
from suppliers.constants import ExportStatus
from suppliers.models import Agreement, Disclosure, Export

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"
TEACHER = f"leerkracht3@{DOMAIN}"
CARE_COORDINATOR = f"ib@{DOMAIN}"
PARENT = f"ouder@{DOMAIN}"
DIRECTOR = f"directeur@{DOMAIN}"
ADMINISTRATION = f"administratie@{DOMAIN}"
SCHOOL = "OBS Samen Een"
REQUESTS = "/requests/"
REQUEST_FORM = "main form#request-form"
KIND_CHOICE = "main form#kind-choice"  # the first step: what the parent wants
PACKAGE = "main section[aria-labelledby=package-heading]"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """The live server writes packages and exports to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


# --- helpers ------------------------------------------------------------------------------


def _fresh(browser, **options):
    settings = {
        "locale": "nl-NL",
        "viewport": {"width": 1280, "height": 900},
        "accept_downloads": True,
        **options,
    }
    context = browser.new_context(**settings)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _path(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def _nl(text) -> str:
    """A lazy label, or a msgid, as the Dutch page shows it."""
    with translation.override("nl"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def _nl_date(day) -> str:
    with translation.override("nl"):
        return formats.date_format(day, "DATE_FORMAT")


def _submit(page, selector: str):
    with page.expect_navigation() as navigation:
        page.click(selector)
    return navigation.value


def _follow(page, selector: str):
    link = page.locator(selector)
    assert link.count() == 1, f"expected one {selector!r} on {page.url}"
    with page.expect_navigation() as navigation:
        link.click()
    return navigation.value


def _field(page, form: str, control: str):
    """The .field wrapper of a control, marked as having an error."""
    return page.locator(f"{form} .field.has-error", has=page.locator(control))


def _code_from_key(key: str) -> str:
    secret = key.replace(" ", "")
    secret += "=" * (-len(secret) % 8)
    return f"{totp(base64.b32decode(secret)):06d}"


def _staff_login(page, base_url: str, email: str, *, mfa: bool, shot=None) -> None:
    """Log in; with MFA on, first set up the authenticator app as a phone would (reading the
    key off the page) and pass the backup codes."""
    response = login(page, base_url, email)
    assert response.status == 200
    if not mfa:
        assert _path(page) == "/"
        return
    assert _path(page).startswith("/accounts/mfa/setup/")
    assert page.locator("figure.qr svg[role=img]").count() == 1
    assert_accessible(page)
    if shot:
        shot(page, "mfa-setup")
    key = page.locator("code.secret").inner_text()
    page.fill("input[name=code]", _code_from_key(key))
    _submit(page, "main form button[type=submit]")
    assert _path(page).startswith("/accounts/mfa/backup-codes/")
    assert page.locator("ul.backup-codes code").count() == 10
    assert_accessible(page)
    _follow(page, "main a.button")
    assert _path(page) == "/"


def _groep3_child() -> Student:
    return (
        Guardianship.objects.filter(guardian__user__email=PARENT, student__group__name="Groep 3")
        .select_related("student__group", "student__school")
        .get()
        .student
    )


def _enrolled_in(group_name: str):
    return Student.objects.filter(
        school__name=SCHOOL,
        group__name=group_name,
        group__school_year=group_school_year_current(),
        withdrawn_on__isnull=True,
    )


def _website(child: Student) -> ConsentPurpose:
    return ConsentPurpose.objects.get(school=child.school, code="website")


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = PHONE["width"]
    assert width <= viewport, f"{page.url} scrolls sideways: {width}px wide in {viewport}px"


def _within_screen(page, selector: str) -> None:
    """The control is shown, whole, inside the phone's width; a button or field is at least
    24 px high (WCAG 2.2 target size; links in running text are exempt)."""
    control = page.locator(selector)
    assert control.count() >= 1, f"no {selector!r} on {page.url}"
    control = control.first
    control.scroll_into_view_if_needed()
    assert control.is_visible()
    box = control.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"] + 0.5, f"{selector!r} sticks out: {box}"
    if control.evaluate("el => el.tagName") != "A":
        assert box["height"] >= 24, f"{selector!r} is too small to tap: {box}"


# --- 1. staff -------------------------------------------------------------------------------


@pytest.mark.parametrize("mfa", [False, True], ids=["password", "mfa"])
def test_teacher_records_progress_and_care_coordinator_read_is_recorded(
    browser, demo_site, shot, mfa
):
    child = _groep3_child()
    other_group = _enrolled_in("Groep 5").first()
    dyslexia = CareRecord.objects.get(student=child, kind="diagnosis")
    with override_settings(MFA_REQUIRED=mfa):
        context, page = _fresh(browser)
        _staff_login(page, demo_site, TEACHER, mfa=mfa, shot=shot)
        assert_accessible(page)

        # The pupil list holds exactly Groep 3; a search by name finds the child.
        _follow(page, "nav a[href='/students/']")
        assert _path(page) == "/students/"
        assert page.locator("main table tbody tr").count() == min(
            _enrolled_in("Groep 3").count(), 25
        )
        assert_accessible(page)
        shot(page, "teacher-pupil-list")
        page.fill("main form[role=search] input[name=q]", child.given_name)
        _submit(page, "main form[role=search] button[type=submit]")
        assert page.input_value("main form[role=search] input[name=q]") == child.given_name
        link = page.locator(f"main table tbody tr td a[href='/students/{child.pk}/']")
        assert link.count() == 1
        for cell in page.locator("main table tbody tr td:nth-child(2)").all_inner_texts():
            assert cell.strip() == "Groep 3"
        assert_accessible(page)
        with page.expect_navigation():
            link.click()
        assert _path(page) == f"/students/{child.pk}/"
        assert page.locator("h1").inner_text().strip() == child.display_name
        assert page.locator("main p.notice[role=note]").count() == 1
        assert_accessible(page)
        shot(page, "teacher-pupil")

        # The progress form: first without a result (refused at the field, input kept).
        _follow(page, f"main nav a[href='/students/{child.pk}/progress/']")
        form = "main section[aria-labelledby=add-heading] form"
        assert page.locator(form).count() == 1
        before = ProgressRecord.objects.filter(student=child).count()
        period, note = "Midden groep 3 (e2e)", "Leest vlot, let op de hoofdletters."
        page.select_option(f"{form} select[name=subject]", Subject.SPELLING)
        page.fill(f"{form} input[name=period]", period)
        page.fill(f"{form} input[name=result]", "   ")
        page.fill(f"{form} textarea[name=note]", note)
        response = _submit(page, f"{form} button[type=submit]")
        assert response.status == 400
        assert ProgressRecord.objects.filter(student=child).count() == before
        field = _field(page, form, "input[name=result]")
        assert field.count() == 1
        assert field.locator(".field-error").inner_text().strip()
        assert page.locator(f"{form} .field-error").count() == 1  # only the result
        assert page.locator(f"{form} input[name=result]").get_attribute("aria-invalid") == "true"
        assert page.input_value(f"{form} select[name=subject]") == Subject.SPELLING
        assert page.input_value(f"{form} input[name=period]") == period
        assert page.input_value(f"{form} textarea[name=note]") == note
        assert_accessible(page)
        shot(page, "teacher-progress-error")

        page.fill(f"{form} input[name=result]", "7,5")
        _submit(page, f"{form} button[type=submit]")
        assert _path(page) == f"/students/{child.pk}/progress/"
        record = ProgressRecord.objects.filter(student=child, period=period).get()
        assert (record.subject, record.result, record.note) == (Subject.SPELLING, "7,5", note)
        assert record.recorded_by.email == TEACHER
        assert page.locator("main ul.messages li.message-success [role=status]").count() == 1
        row = page.locator("main table tbody tr", has_text=period)
        assert row.count() == 1
        assert row.locator("td").nth(2).inner_text().strip() == "7,5"
        assert row.locator("td").nth(0).inner_text().strip() == _nl(Subject.SPELLING.label)
        assert_accessible(page)
        shot(page, "teacher-progress-recorded")

        # Wrong step: a Groep 5 pupil by URL does not exist for this teacher.
        response = page.goto(f"{demo_site}/students/{other_group.pk}/")
        assert response.status == 404
        assert page.locator("h1").inner_text().strip() == _nl("Not found")
        assert page.locator("main p").first.inner_text().strip() == _nl(
            "This page does not exist, or it is not available to you."
        )
        assert other_group.display_name not in page.content()
        assert_accessible(page)
        shot(page, "teacher-other-group-404")
        context.close()

        # The care coordinator opens the dyslexia record: the page says the view is recorded.
        context, page = _fresh(browser)
        _staff_login(page, demo_site, CARE_COORDINATOR, mfa=mfa)
        page.goto(f"{demo_site}/students/{child.pk}/")
        assert_accessible(page)
        _follow(page, f"main nav a[href='/students/{child.pk}/care/']")
        assert_accessible(page)
        _follow(page, f"main a[href='/students/{child.pk}/care/{dyslexia.pk}/']")
        assert _path(page) == f"/students/{child.pk}/care/{dyslexia.pk}/"
        notice = page.locator("main p.notice[role=note]")
        assert notice.count() == 1
        assert notice.inner_text().strip() == _nl(
            "Special-category data. This view is recorded in the audit trail."
        )
        assert dyslexia.content in page.locator("main").inner_text()
        assert_accessible(page)
        shot(page, "care-coordinator-record")
        context.close()


# --- 2. parent ------------------------------------------------------------------------------


def test_parent_reads_withdraws_requests_downloads_and_sees_who_looked(browser, demo_site, shot):
    child = _groep3_child()
    website = _website(child)
    other_family = (
        Guardianship.objects.filter(guardian__user__email=f"ouder3@{DOMAIN}")
        .select_related("student")
        .first()
        .student
    )
    before = set(PrivacyRequest.objects.values_list("pk", flat=True))

    context, page = _fresh(browser)
    login(page, demo_site, PARENT)
    assert _path(page) == "/"
    # One card per child (the to-do list above them may link to the children's pages too).
    assert page.locator("main ul.cards > li").count() == 2
    assert page.locator("main ul.cards a[href^='/children/']").count() == 2
    assert_accessible(page)
    shot(page, "parent-home")

    # The child's data.
    _follow(page, f"main a[href='/children/{child.pk}/']")
    assert page.locator("h1").inner_text().strip() == child.display_name
    facts = page.locator("main section[aria-labelledby=basics-heading] dl.facts").inner_text()
    assert child.first_names in facts
    assert _nl_date(child.date_of_birth) in facts
    assert "Groep 3" in facts
    assert page.locator("main section[aria-labelledby=progress-heading]").count() == 1
    assert_accessible(page)
    shot(page, "parent-child")

    # Wrong step: another family's child by URL.
    response = page.goto(f"{demo_site}/children/{other_family.pk}/")
    assert response.status == 404
    assert page.locator("h1").inner_text().strip() == _nl("Not found")
    assert other_family.display_name not in page.content()
    assert_accessible(page)
    shot(page, "parent-other-child-404")

    # Withdraw the website consent.
    page.goto(f"{demo_site}/children/{child.pk}/")
    _follow(page, f"main a[href='/children/{child.pk}/consent/']")
    card = page.locator(f"article[aria-labelledby=purpose-{website.pk}]")
    assert card.locator(".status-granted").count() == 1
    assert_accessible(page)
    with page.expect_navigation():
        card.locator("button[value=withdrawn]").click()
    card = page.locator(f"article[aria-labelledby=purpose-{website.pk}]")
    assert card.locator(".status-refused").count() == 1
    assert card.locator("button[value=withdrawn]").count() == 0
    assert (
        ConsentDecision.objects.filter(student=child, purpose=website).latest("pk").decision
        == "withdrawn"
    )
    assert_accessible(page)
    shot(page, "parent-consent-withdrawn")

    # A correction request, first without a description.
    _follow(page, f"nav a[href='{REQUESTS}']")
    assert_accessible(page)
    _follow(page, f"main a[href='{REQUESTS}new/']")
    assert_accessible(page)
    page.check(f"{KIND_CHOICE} input[name=kind][value={Kind.CORRECTION}]")
    page.select_option(f"{REQUEST_FORM} select[name=student]", str(child.pk))
    page.select_option(f"{REQUEST_FORM} select[name=correction_field]", "given_name")
    page.fill(f"{REQUEST_FORM} input[name=correction_value]", "Mila-Rose")
    response = _submit(page, f"{REQUEST_FORM} button[type=submit]")
    # Post/redirect/get: the refusal comes back as the page's GET, so a refresh sends nothing.
    assert response.status == 200
    assert response.request.redirected_from.method == "POST"
    assert set(PrivacyRequest.objects.values_list("pk", flat=True)) == before
    assert page.locator("main [role=alert]").count() == 1
    field = _field(page, REQUEST_FORM, "textarea[name=description]")
    assert field.count() == 1
    assert field.locator(".field-error").inner_text().strip()
    assert page.locator(f"{REQUEST_FORM} .field-error").count() == 1
    description = page.locator(f"{REQUEST_FORM} textarea[name=description]")
    assert description.get_attribute("aria-invalid") == "true"
    assert page.input_value(f"{REQUEST_FORM} select[name=student]") == str(child.pk)
    assert page.locator(f"{KIND_CHOICE} input[name=kind][value={Kind.CORRECTION}]").is_checked()
    assert page.input_value(f"{REQUEST_FORM} select[name=correction_field]") == "given_name"
    assert page.input_value(f"{REQUEST_FORM} input[name=correction_value]") == "Mila-Rose"
    assert_accessible(page)
    shot(page, "parent-request-error")

    description.fill("De roepnaam van ons kind is verkeerd gespeld.")
    _submit(page, f"{REQUEST_FORM} button[type=submit]")
    correction = PrivacyRequest.objects.exclude(pk__in=before).get()
    assert (correction.student_id, correction.kind, correction.status) == (
        child.pk,
        Kind.CORRECTION,
        Status.RECEIVED,
    )
    assert (correction.correction_field, correction.correction_value) == (
        "given_name",
        "Mila-Rose",
    )
    assert _path(page) == f"{REQUESTS}{correction.pk}/"
    assert_accessible(page)
    shot(page, "parent-correction-receipt")

    # An access request.
    page.goto(f"{demo_site}{REQUESTS}new/")
    page.check(f"{KIND_CHOICE} input[name=kind][value={Kind.ACCESS}]")
    page.select_option(f"{REQUEST_FORM} select[name=student]", str(child.pk))
    page.fill(f"{REQUEST_FORM} textarea[name=description]", "Graag inzage in alle gegevens.")
    _submit(page, f"{REQUEST_FORM} button[type=submit]")
    access = PrivacyRequest.objects.exclude(pk__in={*before, correction.pk}).get()
    assert (access.kind, access.student_id) == (Kind.ACCESS, child.pk)
    assert _path(page) == f"{REQUESTS}{access.pk}/"
    assert page.locator(f"{PACKAGE} a[href*='/package/']").count() == 0

    # The school: administration builds the package, the director releases it (the browser
    # side of this is in test_requests_journey.py).
    request_services.package_start(user=User.objects.get(email=ADMINISTRATION), request=access)
    access.refresh_from_db()
    assert access.package.status == PackageStatus.BUILT, access.package.error
    request_services.package_release(user=User.objects.get(email=DIRECTOR), package=access.package)
    access.refresh_from_db()
    assert access.status == Status.COMPLETED

    # The parent downloads it.
    page.goto(f"{demo_site}{REQUESTS}{access.pk}/")
    assert (
        page.locator("main p.status").inner_text().strip().startswith(_nl(Status.COMPLETED.label))
    )
    pdf_link = page.locator(f"{PACKAGE} a[href*='/requests/{access.pk}/package/pdf/']")
    assert pdf_link.count() == 1
    assert_accessible(page)
    shot(page, "parent-package-ready")
    with page.expect_download() as info:
        pdf_link.click()
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")

    # Who looked at the child's data: roles and dates, never names.
    page.goto(f"{demo_site}/children/{child.pk}/")
    _follow(page, f"main a[href='/children/{child.pk}/access-log/']")
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 1
    log = page.locator("main table").inner_text()
    for staff in User.objects.filter(email__in=[ADMINISTRATION, DIRECTOR]):
        assert staff.email not in log
        if staff.full_name:
            assert staff.full_name not in log
    assert_accessible(page)
    shot(page, "parent-access-log")
    context.close()


_FOCUS_JS = r"""
(selector) => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return { described: null, visible: false, matches: false };
  }
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = !!style.boxShadow && style.boxShadow !== "none";
  let described = el.tagName.toLowerCase();
  if (el.name) described += `[name=${el.name}]`;
  if (el.getAttribute("href")) described += `[href=${el.getAttribute("href")}]`;
  return { described, visible: outline || shadow, matches: el.matches(selector) };
}
"""


def _tab_to(page, selector: str, *, backwards: bool = False, limit: int = 80) -> None:
    """Tab (or Shift+Tab) until the focus is on the control; every control passed on the way
    must show that it has the focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        state = page.evaluate(_FOCUS_JS, selector)
        if state["described"] is not None:
            assert state["visible"], f"no visible focus on {state['described']} at {page.url}"
        if state["matches"]:
            return
    pytest.fail(f"{selector!r} not reached with {key} on {page.url}")


def _arrow_until(page, selector: str, value: str) -> None:
    """Change a focused select or radio group with the arrow keys until it has the value."""
    for _ in range(30):
        if page.evaluate(
            "([s, v]) => { const el = document.activeElement;"
            " return el.matches(s) && (el.type === 'radio' ? el.checked && el.value === v"
            " : el.value === v); }",
            [selector, value],
        ):
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"{selector!r} never got the value {value!r}")


def _press_and_wait(page, key: str):
    with page.expect_navigation() as navigation:
        page.keyboard.press(key)
    return navigation.value


def test_parent_core_journey_with_the_keyboard_only(browser, demo_site, shot):
    child = _groep3_child()
    website = _website(child)
    before = set(PrivacyRequest.objects.values_list("pk", flat=True))
    context, page = _fresh(browser)
    page.goto(f"{demo_site}/accounts/login/")

    _tab_to(page, "main input[name=email]")
    page.keyboard.type(PARENT)
    _tab_to(page, "main input[name=password]")
    page.keyboard.type("samen-een-demo")
    _tab_to(page, "main input[name=email]", backwards=True)  # a look back: still there
    assert page.input_value("main input[name=email]") == PARENT
    _tab_to(page, "main input[name=password]")
    _press_and_wait(page, "Enter")
    assert _path(page) == "/"
    assert_accessible(page)

    _tab_to(page, f"main a[href='/children/{child.pk}/']")
    _press_and_wait(page, "Enter")
    assert _path(page) == f"/children/{child.pk}/"
    assert_accessible(page)

    _tab_to(page, f"main a[href='/children/{child.pk}/consent/']")
    _press_and_wait(page, "Enter")
    assert_accessible(page)
    withdraw = f"article[aria-labelledby=purpose-{website.pk}] button[value=withdrawn]"
    _tab_to(page, withdraw)
    shot(page, "keyboard-focus-on-withdraw")
    _press_and_wait(page, "Space")
    card = page.locator(f"article[aria-labelledby=purpose-{website.pk}]")
    assert card.locator(".status-refused").count() == 1
    assert (
        ConsentDecision.objects.filter(student=child, purpose=website).latest("pk").decision
        == "withdrawn"
    )
    assert_accessible(page)

    _tab_to(page, f"nav a[href='{REQUESTS}']")
    _press_and_wait(page, "Enter")
    _tab_to(page, f"main a[href='{REQUESTS}new/']")
    _press_and_wait(page, "Enter")
    assert _path(page) == f"{REQUESTS}new/"
    assert_accessible(page)

    form = REQUEST_FORM
    # First what the parent wants; choosing it shows that part of the form.
    _tab_to(page, f"{KIND_CHOICE} input[name=kind]")
    _arrow_until(page, f"{KIND_CHOICE} input[name=kind]", Kind.CORRECTION)
    _tab_to(page, f"{form} select[name=student]")
    _arrow_until(page, f"{form} select[name=student]", str(child.pk))
    _tab_to(page, f"{form} select[name=correction_field]")
    _arrow_until(page, f"{form} select[name=correction_field]", "given_name")
    _tab_to(page, f"{form} input[name=correction_value]")
    page.keyboard.type("Mila-Rose")
    _tab_to(page, f"{form} textarea[name=description]")
    page.keyboard.type("De roepnaam is verkeerd gespeld.")
    _tab_to(page, f"{form} button[type=submit]")
    shot(page, "keyboard-request-form")
    _press_and_wait(page, "Enter")

    made = PrivacyRequest.objects.exclude(pk__in=before).get()
    assert (made.student_id, made.kind, made.correction_field, made.correction_value) == (
        child.pk,
        Kind.CORRECTION,
        "given_name",
        "Mila-Rose",
    )
    assert made.description == "De roepnaam is verkeerd gespeld."
    assert _path(page) == f"{REQUESTS}{made.pk}/"
    assert_accessible(page)
    shot(page, "keyboard-receipt")
    context.close()


def test_parent_on_a_phone(browser, demo_site, shot):
    child = _groep3_child()
    website = _website(child)
    before = set(PrivacyRequest.objects.values_list("pk", flat=True))
    context, page = _fresh(
        browser, viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=False
    )

    page.goto(f"{demo_site}/accounts/login/")
    _no_sideways_scroll(page)
    _within_screen(page, "main input[name=email]")
    _within_screen(page, "main form button[type=submit]")
    assert_accessible(page)
    login(page, demo_site, PARENT)
    assert _path(page) == "/"
    _no_sideways_scroll(page)
    _within_screen(page, f"main a[href='/children/{child.pk}/']")
    assert_accessible(page)
    shot(page, "phone-home")

    with page.expect_navigation():
        page.locator(f"main a[href='/children/{child.pk}/']").tap()
    assert page.locator("h1").inner_text().strip() == child.display_name
    _no_sideways_scroll(page)
    _within_screen(page, f"main a[href='/children/{child.pk}/consent/']")
    assert_accessible(page)
    shot(page, "phone-child")

    with page.expect_navigation():
        page.locator(f"main a[href='/children/{child.pk}/consent/']").tap()
    _no_sideways_scroll(page)
    withdraw = f"article[aria-labelledby=purpose-{website.pk}] button[value=withdrawn]"
    _within_screen(page, withdraw)
    assert_accessible(page)
    shot(page, "phone-consent")
    with page.expect_navigation():
        page.locator(withdraw).tap()
    assert (
        page.locator(f"article[aria-labelledby=purpose-{website.pk}] .status-refused").count() == 1
    )
    _no_sideways_scroll(page)

    # On a phone the main menu is a "Menu" disclosure: open it, then the link is there.
    _within_screen(page, "nav details.menu > summary")
    page.locator("nav details.menu > summary").tap()
    _within_screen(page, f"nav a[href='{REQUESTS}']")
    with page.expect_navigation():
        page.locator(f"nav a[href='{REQUESTS}']").tap()
    _no_sideways_scroll(page)
    assert_accessible(page)
    with page.expect_navigation():
        page.locator(f"main a[href='{REQUESTS}new/']").tap()
    _no_sideways_scroll(page)
    kind = f"{KIND_CHOICE} input[name=kind][value={Kind.ACCESS}]"
    _within_screen(page, kind)
    page.locator(kind).tap()  # the first step shows the rest of the form
    for control in (
        "select[name=student]",
        "textarea[name=description]",
        "button[type=submit]",
    ):
        _within_screen(page, f"{REQUEST_FORM} {control}")
    assert_accessible(page)
    shot(page, "phone-request-form")
    page.select_option(f"{REQUEST_FORM} select[name=student]", str(child.pk))
    page.locator(f"{REQUEST_FORM} textarea[name=description]").fill("Graag inzage.")
    with page.expect_navigation():
        page.locator(f"{REQUEST_FORM} button[type=submit]").tap()
    made = PrivacyRequest.objects.exclude(pk__in=before).get()
    assert (made.student_id, made.kind) == (child.pk, Kind.ACCESS)
    assert _path(page) == f"{REQUESTS}{made.pk}/"
    _no_sideways_scroll(page)
    assert_accessible(page)
    shot(page, "phone-receipt")

    # The child's other pages a parent opens on a phone.
    for path in ("access-log", "recipients", "care"):
        assert page.goto(f"{demo_site}/children/{child.pk}/{path}/").status == 200
        _no_sideways_scroll(page)
        assert_accessible(page)
    context.close()


# --- 3. director ----------------------------------------------------------------------------


def test_director_dashboard_objection_on_time_and_export_in_register(browser, demo_site, shot):
    objection = PrivacyRequest.objects.get(kind=Kind.OBJECTION, status=Status.RECEIVED)
    assert objection.urgency() == "due_soon"
    rekenwijs = Agreement.objects.get(products__name="Rekenwijs Online")

    context, page = _fresh(browser)
    login(page, demo_site, DIRECTOR)
    assert_accessible(page)

    # The consent dashboard.
    _follow(page, "nav a[href='/consent/']")
    assert _path(page) == "/consent/"
    assert page.locator("svg.chart rect").count() > 0
    rows = page.locator("main table.compact tbody tr")
    assert rows.count() > 0
    assert page.locator("main table.compact tbody tr", has_text="Groep 3").count() == 1
    assert_accessible(page)
    shot(page, "director-consent-dashboard")

    # The inbox: the objection is highlighted as due soon.
    _follow(page, f"nav a[href='{REQUESTS}']")
    row = page.locator(
        "main table tbody tr", has=page.locator(f"a[href='{REQUESTS}{objection.pk}/']")
    )
    assert row.count() == 1
    assert "row-due_soon" in (row.get_attribute("class") or "")
    assert _nl_date(objection.due_date) in row.inner_text()
    assert_accessible(page)
    shot(page, "director-inbox")
    with page.expect_navigation():
        row.locator(f"a[href='{REQUESTS}{objection.pk}/']").click()

    # Wrong step: a rejection without a reason.
    # Rejecting is one of the other steps: folded until the director opens it.
    reject_form = f"form[action$='/requests/{objection.pk}/actions/reject/']"
    reject = f"main {reject_form}"
    fold = page.locator("main details.step-other", has=page.locator(reject_form))
    assert fold.count() == 1
    assert not page.locator(f"{reject} button[type=submit]").is_visible()
    fold.locator("summary").click()
    response = _submit(page, f"{reject} button[type=submit]")
    # Post/redirect/get: the refusal comes back as the request's page.
    assert response.status == 200
    assert response.request.redirected_from.method == "POST"
    field = _field(page, reject, "textarea[name=reason]")
    assert field.count() == 1
    assert field.locator(".field-error").inner_text().strip()
    assert page.locator(f"{reject} textarea[name=reason]").get_attribute("aria-invalid") == "true"
    # Refused, the step comes back unfolded: the error and the field are in sight.
    assert field.locator(".field-error").is_visible()
    objection.refresh_from_db()
    assert objection.status == Status.RECEIVED
    assert_accessible(page)
    shot(page, "director-reject-error")

    # Accept the objection before its deadline.
    accept = f"main form[action$='/requests/{objection.pk}/actions/limit/']"
    note = "Niet meer in de nieuwsbrief; de leerkracht is ingelicht."
    page.fill(f"{accept} textarea[name=note]", note)
    _submit(page, f"{accept} button[type=submit]")
    assert _path(page) == f"{REQUESTS}{objection.pk}/"
    objection.refresh_from_db()
    assert objection.status == Status.COMPLETED
    assert objection.closed_at is not None
    assert timezone.localdate(objection.closed_at) <= objection.due_date
    assert (
        page.locator("main p.status").inner_text().strip().startswith(_nl(Status.COMPLETED.label))
    )
    assert page.locator("main section[aria-labelledby=limits-heading] li").count() == 1
    assert page.locator(f"{accept}").count() == 0
    assert_accessible(page)
    shot(page, "director-objection-accepted")

    # An export to Rekenwijs, then its line in the disclosure register.
    _follow(page, "nav a[href='/data/exports/']")
    assert_accessible(page)
    option = page.locator("main select[name=target] option", has_text="Rekenwijs")
    assert option.count() == 1
    page.select_option("main select[name=target]", option.get_attribute("value"))
    page.select_option("main select[name=format]", "csv")
    _submit(page, "main form[method=post] button[type=submit]")
    export = Export.objects.get(agreement=rekenwijs, requested_by__email=DIRECTOR)
    assert export.status == ExportStatus.DONE, export.error
    assert _path(page) == f"/data/exports/{export.pk}/"
    assert page.locator("main a[href*='/download/']").count() == 1
    assert_accessible(page)
    shot(page, "director-export-done")

    disclosure = Disclosure.objects.get(export=export)
    _follow(page, "nav a[href='/data/disclosures/']")
    row = page.locator("main table tbody tr").filter(
        has=page.locator("td:first-child", has_text=re.compile(rf"^{disclosure.pk}$"))
    )
    assert row.count() == 1
    assert "Rekenwijs" in row.inner_text()
    assert str(disclosure.pupil_count) in row.inner_text()
    assert_accessible(page)
    shot(page, "director-disclosures")
    context.close()
