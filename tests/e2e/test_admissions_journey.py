"""Admissions in a real browser, from the application to the leaving (issue 23, "Done when").

1. A parent (not logged in) applies at OBS Samen Een: without the desired start date the form
   comes back with the reason at that field and everything typed; then "check your e-mail".
   Unconfirmed, the application is shown to no one (not in the administration's inbox); the
   confirmation mail names no child; the parent confirms with the button.
2. The administration sees the application without the support answer, the director with it.
   The director extends once with a reason (a second extension is not offered and refused),
   then enrols the child from the application; the guardian is invited by e-mail.
3. The parent accepts the invitation and sees the child on their start page.
4. The administration records the leaving for another school that confirmed the enrolment,
   prepares and sends the education report (OKR); the OKR is in the disclosure register and
   the DUO registrations (enrolment and leaving) in the funding registrations.
5. The parent downloads the proof of withdrawal and the copy of the OKR (PDFs).

Each main page is checked with axe and photographed at 1280 px; the form and the inbox at
390 px too.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from admissions.constants import ApplicationStatus
from admissions.models import Application, Departure, FundingRegistration
from students.models import Group, Guardian, Invitation, Student

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"
ADMINISTRATION = f"administratie@{DOMAIN}"
DIRECTOR = f"directeur@{DOMAIN}"
SCHOOL = "OBS Samen Een"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

PARENT_EMAIL = "lotte.bakker@t.example"
FIRST_NAMES = "Noor Elisabeth"
GIVEN_NAME = "Noor"
SURNAME = "Bakker"
CHILD = f"{GIVEN_NAME} {SURNAME}"
SUPPORT = "Noor heeft een lichte gehoorbeperking en draagt een hoortoestel."
EXTENSION_REASON = "We bespreken eerst met het samenwerkingsverband welke ondersteuning past."
BSN = "123456708"  # passes the eleven test; not in the demo
PASSWORD = "Zonnebloem-veld-2026"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """The live server writes the education report and the DUO files to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _nl(text: str) -> str:
    with translation.override("nl"):
        return translation.gettext(text)


def _context(browser):
    context = browser.new_context(locale="nl-NL", viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _path(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def _submit(page, button):
    with page.expect_navigation() as navigation:
        button.click()
    return navigation.value


def _main(page) -> str:
    return page.locator("main").inner_text()


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{_path(page)} scrolls sideways on a phone ({width} px)"


def _at_phone_width(page, shot, name: str) -> None:
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page)
    assert_accessible(page)
    shot(page, name)
    page.set_viewport_size(DESKTOP)


def _link_in(message, base_url: str) -> str:
    """The first link of a mail, on the live server (a mail written outside a request names
    settings.SITE_URL)."""
    found = re.search(r"https?://\S+", message.body)
    assert found is not None, "the mail carries a link"
    link = found.group(0)
    return base_url + re.sub(r"^https?://[^/]+", "", link)


def _mails_to(address: str, since: int) -> list:
    return [m for m in mail.outbox[since:] if address in m.to]


def _assert_pdf(download) -> None:
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF"), download.suggested_filename
    assert download.suggested_filename.endswith(".pdf")


def _fill_application(page, today: datetime.date) -> None:
    page.fill("input[name=first_names]", FIRST_NAMES)
    page.fill("input[name=given_name]", GIVEN_NAME)
    page.fill("input[name=surname]", SURNAME)
    page.fill("input[name=date_of_birth]", datetime.date(today.year - 4, 1, 15).isoformat())
    page.fill("input[name=current_school]", "Kinderopvang De Vlinder")
    page.fill("input[name=g1_first_name]", "Lotte")
    page.fill("input[name=g1_surname]", SURNAME)
    page.fill("input[name=g1_email]", PARENT_EMAIL)
    page.fill("input[name=g1_phone]", "06 12345678")
    page.fill("input[name=g1_address]", "Lindelaan 12, 1234 AB Utrecht")
    page.check("input[name=g1_has_authority][value=yes]")
    page.fill("input[name=email]", PARENT_EMAIL)
    page.fill("textarea[name=support_needs]", SUPPORT)


def _apply(page, base_url: str, shot, today: datetime.date) -> None:
    """Step 1a: the form, one wrong step, then sent."""
    page.goto(f"{base_url}/admissions/apply/")
    if _path(page) == "/admissions/apply/":  # several schools: choose
        assert_accessible(page)
        shot(page, "apply-choose-school")
        _submit(page, page.locator("main a.button", has_text=SCHOOL))
    assert re.fullmatch(r"/admissions/apply/\d+/", _path(page))
    assert SCHOOL in page.locator("h1").inner_text()
    support = page.locator("textarea[name=support_needs]").bounding_box()
    assert support["width"] > 600, "the support answer gets a full row"
    assert_accessible(page)
    shot(page, "apply-form")
    _at_phone_width(page, shot, "apply-form-390")

    _fill_application(page, today)  # no desired start date
    _submit(page, page.get_by_role("button", name=_nl("Send the application")))
    error = page.locator("#id_desired_start_date_error")
    assert error.is_visible()
    assert error.inner_text().strip() == _nl(
        "Enter the date on which you would like your child to start."
    )
    assert page.locator("main .field-error").count() == 1, "only the start date is wrong"
    assert page.locator(".error-summary a[href='#id_desired_start_date']").count() == 1
    # Everything typed is kept: the child, a guardian, the choice and the sealed answer.
    assert page.input_value("input[name=first_names]") == FIRST_NAMES
    assert page.input_value("input[name=surname]") == SURNAME
    assert page.input_value("input[name=current_school]") == "Kinderopvang De Vlinder"
    assert page.input_value("input[name=g1_first_name]") == "Lotte"
    assert page.input_value("input[name=g1_email]") == PARENT_EMAIL
    assert page.input_value("input[name=g1_address]") == "Lindelaan 12, 1234 AB Utrecht"
    assert page.is_checked("input[name=g1_has_authority][value=yes]")
    assert page.input_value("input[name=email]") == PARENT_EMAIL
    assert page.input_value("textarea[name=support_needs]") == SUPPORT
    assert not Application.objects.filter(surname=SURNAME).exists()
    assert_accessible(page)
    shot(page, "apply-refused")
    _at_phone_width(page, shot, "apply-refused-390")

    page.fill("input[name=desired_start_date]", today.isoformat())
    _submit(page, page.get_by_role("button", name=_nl("Send the application")))
    assert _path(page) == "/admissions/apply/sent/"
    assert PARENT_EMAIL in _main(page)
    assert_accessible(page)
    shot(page, "apply-sent")


def _inbox_names(page, base_url: str) -> str:
    page.goto(f"{base_url}/admissions/")
    return page.locator("main").inner_text()


def test_application_to_leaving(browser, demo_site, page, shot):
    today = timezone.localdate()
    base = demo_site

    # --- 1. The parent applies ---------------------------------------------------------------
    mails = len(mail.outbox)
    _apply(page, base, shot, today)
    application = Application.objects.get(surname=SURNAME, given_name=GIVEN_NAME)
    assert application.status == ApplicationStatus.UNCONFIRMED
    (confirmation,) = _mails_to(PARENT_EMAIL, mails)
    # The mail names the school and the reference, never the child.
    for word in (GIVEN_NAME, SURNAME, FIRST_NAMES):
        assert word not in confirmation.body and word not in confirmation.subject

    # Unconfirmed: not in the administration's inbox.
    staff_context, staff = _context(browser)
    login(staff, base, ADMINISTRATION)
    assert CHILD not in _inbox_names(staff, base)
    assert staff.locator(f"main a[href='/admissions/{application.pk}/']").count() == 0

    # The parent confirms: the GET shows a button, the POST confirms.
    response = page.goto(_link_in(confirmation, base))
    assert response.status == 200
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNCONFIRMED, "a GET confirms nothing"
    assert_accessible(page)
    shot(page, "apply-confirm")
    _submit(page, page.get_by_role("button", name=_nl("Confirm my application")))
    assert _path(page) == "/admissions/apply/confirmed/"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECEIVED
    assert application.reference in _main(page)
    assert_accessible(page)
    shot(page, "apply-confirmed")

    # --- 2. The administration: in the inbox, no support answer ------------------------------
    assert CHILD in _inbox_names(staff, base)
    assert_accessible(staff)
    shot(staff, "inbox-administration")
    _at_phone_width(staff, shot, "inbox-administration-390")
    _submit(staff, staff.locator(f"main a[href='/admissions/{application.pk}/']"))
    body = _main(staff)
    assert CHILD in staff.locator("h1").inner_text()
    assert "Lotte" in body and PARENT_EMAIL in body
    assert SUPPORT not in body
    assert staff.locator("#sealed-heading").count() == 0
    # The administration does not decide: no enrol or extend button.
    assert staff.locator(f"main a[href='/admissions/{application.pk}/enrol/']").count() == 0
    assert staff.locator(f"main a[href='/admissions/{application.pk}/extend/']").count() == 0
    assert_accessible(staff)
    shot(staff, "application-administration")
    staff_context.close()

    # --- 2. The director: with the support answer; extends once; enrols ----------------------
    director_context, director = _context(browser)
    login(director, base, DIRECTOR)
    director.goto(f"{base}/admissions/{application.pk}/")
    assert SUPPORT in director.locator("section[aria-labelledby=sealed-heading]").inner_text()
    assert_accessible(director)
    shot(director, "application-director")

    due_before = application.decision_due_on
    _submit(director, director.locator(f"main a[href='/admissions/{application.pk}/extend/']"))
    assert_accessible(director)
    shot(director, "extend")
    director.fill("textarea[name=reason]", EXTENSION_REASON)
    _submit(director, director.locator("main form button[type=submit]"))
    assert _path(director) == f"/admissions/{application.pk}/"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.EXTENDED
    assert application.decision_due_on == due_before + datetime.timedelta(weeks=4)
    assert EXTENSION_REASON in _main(director)
    # A second extension: not offered, and its page refuses.
    assert director.locator(f"main a[href='/admissions/{application.pk}/extend/']").count() == 0
    assert director.locator("[role=status], .messages").count() >= 1
    assert_accessible(director)
    shot(director, "extended")
    director.goto(f"{base}/admissions/{application.pk}/extend/")
    assert director.locator("main [role=alert]").is_visible()
    assert director.locator("main textarea[name=reason]").count() == 0
    shot(director, "extend-second-refused")
    response = director.request.post(
        f"{base}/admissions/{application.pk}/extend/",
        form={
            "csrfmiddlewaretoken": next(
                c["value"] for c in director.context.cookies() if c["name"] == "csrftoken"
            ),
            "reason": "Nog een keer.",
        },
        headers={"Referer": f"{base}/admissions/{application.pk}/extend/"},
        max_redirects=0,
    )
    assert response.status == 303
    application.refresh_from_db()
    assert application.decision_due_on == due_before + datetime.timedelta(weeks=4)
    assert application.extension_reason == EXTENSION_REASON

    # Enrol from the application: the form is filled in from it; enrolment adds the rest.
    director.goto(f"{base}/admissions/{application.pk}/")
    _submit(director, director.locator(f"main a[href='/admissions/{application.pk}/enrol/']"))
    assert director.input_value("input[name=first_names]") == FIRST_NAMES
    assert director.input_value("input[name=g1_email]") == PARENT_EMAIL
    group = Group.objects.get(
        pk=director.eval_on_selector(
            "select[name=group]", "s => [...s.options].map(o => o.value).find(v => v)"
        )
    )
    director.select_option("select[name=group]", str(group.pk))
    director.fill("input[name=start_date]", today.isoformat())
    director.check("input[name=sex][value=F]")
    director.fill("input[name=bsn]", BSN)
    director.fill("input[name=street]", "Lindelaan")
    director.fill("input[name=house_number]", "12")
    director.fill("input[name=postal_code]", "1234 AB")
    director.fill("input[name=city]", "Utrecht")
    assert_accessible(director)
    shot(director, "enrol-form")
    mails = len(mail.outbox)
    _submit(director, director.locator("main form.enrol-form button[type=submit]"))
    student = Student.objects.get(surname=SURNAME, given_name=GIVEN_NAME)
    assert _path(director) in (f"/admissions/{application.pk}/", f"/students/{student.pk}/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ENROLLED
    assert application.student_id == student.pk
    assert director.locator(f"main a[href='/students/{student.pk}/']").count() >= 1
    assert_accessible(director)
    shot(director, "enrolled")
    director_context.close()
    (invitation_mail,) = [
        m for m in _mails_to(PARENT_EMAIL, mails) if "/accounts/invitation/" in m.body
    ]
    assert Invitation.objects.filter(email=PARENT_EMAIL, accepted_at=None).count() == 1

    # --- 3. The parent accepts the invitation and sees the child -----------------------------
    link = re.search(r"https?://\S+/accounts/invitation/[^/\s]+/", invitation_mail.body).group(0)
    parent_context, parent = _context(browser)
    response = parent.goto(base + re.sub(r"^https?://[^/]+", "", link))
    assert response.status == 200
    assert_accessible(parent)
    shot(parent, "invitation")
    parent.fill("input[name=password1]", PASSWORD)
    parent.fill("input[name=password2]", PASSWORD)
    _submit(parent, parent.get_by_role("button", name=_nl("Create my account")))
    assert _path(parent) == "/"
    guardian = Guardian.objects.get(email=PARENT_EMAIL)
    assert guardian.user is not None
    assert parent.locator(f"main a[href='/children/{student.pk}/']").count() >= 1
    assert GIVEN_NAME in _main(parent)
    assert_accessible(parent)
    shot(parent, "parent-home")

    # --- 4. The administration records the leaving, sends the OKR ----------------------------
    staff_context, staff = _context(browser)
    login(staff, base, ADMINISTRATION)
    staff.goto(f"{base}/students/{student.pk}/")
    _submit(staff, staff.locator(f"main a[href='/admissions/leaving/{student.pk}/']"))
    staff.fill("input[name=left_on]", today.isoformat())
    staff.select_option("select[name=reason]", "other_school")
    staff.fill("input[name=destination_name]", "Basisschool De Regenboog, Utrecht")
    staff.fill("input[name=destination_brin]", "07QX")
    staff.fill("input[name=enrolment_confirmed_on]", today.isoformat())
    assert_accessible(staff)
    shot(staff, "leaving-form")
    _submit(staff, staff.locator("main form.stacked-form button[type=submit]").first)
    assert "07QX" in _main(staff)
    assert_accessible(staff)
    shot(staff, "leaving-confirm")
    _submit(staff, staff.get_by_role("button", name=_nl("Confirm the leaving")))
    assert _path(staff) == f"/admissions/leaving/{student.pk}/done/"
    student.refresh_from_db()
    assert student.withdrawn_on == today
    departure = Departure.objects.get(student=student)
    assert departure.destination_brin == "07QX"
    assert_accessible(staff)
    shot(staff, "leaving-done")

    # From the leaving's page to the education report.
    report_link = staff.locator(f"main a[href='/admissions/leaving/{student.pk}/report/']")
    assert report_link.count() == 1
    _submit(staff, report_link)
    assert_accessible(staff)
    shot(staff, "okr-edit")
    staff.fill(
        "textarea[name=summary]",
        "Noor leert goed in een rustige omgeving en zit vooraan vanwege haar hoortoestel.",
    )
    _submit(staff, staff.get_by_role("button", name=_nl("Save the report")))
    _submit(staff, staff.locator(f"main a[href='/admissions/leaving/{student.pk}/report/send/']"))
    assert "07QX" in _main(staff) or "De Regenboog" in _main(staff)
    assert_accessible(staff)
    shot(staff, "okr-send")
    mails = len(mail.outbox)
    staff.check("input[name=confirm]")
    _submit(staff, staff.get_by_role("button", name=_nl("Send the report to the new school")))
    assert _path(staff) == f"/admissions/leaving/{student.pk}/report/"
    departure.refresh_from_db()
    assert departure.education_report_id is not None
    assert_accessible(staff)
    shot(staff, "okr-sent")
    (copy_mail,) = _mails_to(PARENT_EMAIL, mails)
    assert f"/admissions/children/{student.pk}/report/" in copy_mail.body

    # The registers: the OKR disclosure; the DUO registrations of the enrolment and leaving.
    staff.goto(f"{base}{reverse('disclosure-list')}")
    disclosure = departure.education_report
    row = staff.locator("main tbody tr").filter(
        has=staff.locator(f"td:first-child:text-is('{disclosure.pk}')")
    )
    assert row.count() == 1, "the OKR is in the disclosure register"
    width = staff.evaluate("() => document.documentElement.scrollWidth")
    assert width <= DESKTOP["width"], f"the register scrolls sideways ({width} px)"
    assert disclosure.recipient_label in row.inner_text()
    assert "De Regenboog" in disclosure.recipient_label or "07QX" in disclosure.recipient_label
    assert_accessible(staff)
    shot(staff, "disclosures")
    registrations = FundingRegistration.objects.filter(student=student)
    assert registrations.count() == 2
    staff.goto(f"{base}{reverse('registration-list')}")
    body = _main(staff)
    assert body.count(student.display_name) >= 2, "the enrolment and the leaving are listed"
    assert_accessible(staff)
    shot(staff, "registrations")
    staff_context.close()

    # --- 5. The parent downloads the proof of withdrawal and the copy of the OKR -------------
    parent.goto(f"{base}/children/{student.pk}/")
    assert_accessible(parent)
    shot(parent, "former-child")
    with parent.expect_download() as info:
        parent.click(f"main a[href='/admissions/children/{student.pk}/proof-of-withdrawal/']")
    _assert_pdf(info.value)
    # The copy: the mail's link and the former child's page lead to the same page.
    assert _link_in(copy_mail, base) == f"{base}/admissions/children/{student.pk}/report/"
    _submit(parent, parent.locator(f"main a[href='/admissions/children/{student.pk}/report/']"))
    assert_accessible(parent)
    shot(parent, "okr-parent")
    with parent.expect_download() as info:
        parent.click(f"main a[href='/admissions/children/{student.pk}/report/document/']")
    _assert_pdf(info.value)
    for path in (
        f"/admissions/children/{student.pk}/proof-of-withdrawal/",
        f"/admissions/children/{student.pk}/report/document/",
    ):
        response = parent.request.get(f"{base}{path}")
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF")
    parent_context.close()
