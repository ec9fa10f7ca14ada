"""An access request in a real browser: ouder@ asks for access for the Groep 3 child (after
a first try without a description), administratie@ builds the package, directeur@ reviews and
releases it, the parent downloads the PDF and the JSON of exactly that child and sees the
request completed; ouder3@ gets the 404 page for it. Matches on data and structure; the few
texts it reads are looked up in the Dutch translation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.utils import formats, translation

from consent.models import ConsentDecision
from privacy_requests.constants import Kind, PackageStatus, Status
from privacy_requests.models import PrivacyRequest
from privacy_requests.package import SECTION_KEYS, section_titles
from students.models import CareRecord, Guardianship, ReligionConsent
from suppliers.constants import Basis
from suppliers.models import Disclosure

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"
PARENT = f"ouder@{DOMAIN}"
REQUESTS = "/requests/"
NAV_REQUESTS = f"nav a[href='{REQUESTS}']"
FORM = "main form#request-form"
CHOOSER = "main form#kind-choice"
STATUS = "main p.status"
MESSAGES = "main ul.messages"
PACKAGE = "main section[aria-labelledby=package-heading]"
TIMEOUT = 30_000


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """The live server writes the package files to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _fresh(browser):
    context = browser.new_context(
        locale="nl-NL", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


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


def _action(request_id: int, action: str) -> str:
    return f"main form[action$='/requests/{request_id}/actions/{action}/'] button[type=submit]"


def _words(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


_DANGLING_JS = r"""
() => {
  const problems = [];
  for (const attr of ["aria-describedby", "aria-labelledby"]) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of el.getAttribute(attr).split(/\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) {
          problems.push(`${el.tagName.toLowerCase()}[name=${el.name || ""}] ${attr} -> #${id}`);
        }
      }
    }
  }
  return problems;
}
"""


def _dangling_references(page) -> list[str]:
    """Controls whose aria-describedby/-labelledby point at ids that are not on the page: a
    screen reader then announces neither the help text nor the error of the field."""
    return [f"{page.url}: {problem}" for problem in page.evaluate(_DANGLING_JS)]


def _description_of(page, selector: str) -> str:
    """The text a screen reader reads as the description of a control."""
    return page.eval_on_selector(
        selector,
        r"""el => (el.getAttribute("aria-describedby") || "").split(/\s+/)
            .map(id => document.getElementById(id)).filter(Boolean)
            .map(node => node.textContent.trim()).join(" ")""",
    )


def _accessible(page, problems: list[str]) -> None:
    """The shared checks fail at once; broken ARIA references are collected and asserted at
    the end, so one template bug does not hide the rest of the journey."""
    assert_accessible(page)
    problems.extend(_dangling_references(page))


def _children():
    links = Guardianship.objects.filter(guardian__user__email=PARENT).select_related(
        "student__group"
    )
    by_group = {link.student.group.name: link.student for link in links}
    assert set(by_group) == {"Groep 3", "Groep 6"}
    return by_group["Groep 3"], by_group["Groep 6"]


def test_parent_asks_for_access_school_releases_parent_downloads(browser, demo_site, shot):
    child, sibling = _children()
    assert child.given_name != sibling.given_name
    care = CareRecord.objects.get(student=child)
    sibling_care = CareRecord.objects.get(student=sibling)
    before = set(PrivacyRequest.objects.values_list("pk", flat=True))
    aria: list[str] = []  # broken ARIA references, asserted at the end

    # --- The parent: my requests, a new request, a first try without a description.
    context, page = _fresh(browser)
    login(page, demo_site, PARENT)
    with page.expect_navigation():
        page.locator(NAV_REQUESTS).click()
    assert page.url == f"{demo_site}{REQUESTS}"
    _accessible(page, aria)
    shot(page, "parent-requests-empty")
    new = page.locator(f"main a[href='{REQUESTS}new/']")
    assert new.count() == 1
    with page.expect_navigation():
        new.click()
    choices = page.locator(f"{FORM} select[name=student] option")
    assert {int(v) for v in choices.evaluate_all("els => els.map(e => e.value)")} == {
        child.pk,
        sibling.pk,
    }
    _accessible(page, aria)
    shot(page, "form")

    # First what the parent wants (the rest of the form appears), then the child.
    assert page.locator(FORM).is_hidden()
    page.check(f"{CHOOSER} input[name=kind][value={Kind.ACCESS}]")
    assert page.locator(FORM).is_visible()
    assert page.locator(f"{CHOOSER} button[type=submit]").is_hidden()  # needed without JS only
    page.select_option(f"{FORM} select[name=student]", str(child.pk))
    response = _submit(page, f"{FORM} button[type=submit]")
    # Post/redirect/get: the refusal comes back as the page's GET, so a refresh sends nothing.
    assert response.status == 200
    assert response.request.redirected_from.method == "POST"
    assert set(PrivacyRequest.objects.values_list("pk", flat=True)) == before
    assert page.locator("main [role=alert]").count() == 1
    description = page.locator(f"{FORM} textarea[name=description]")
    field = page.locator(f"{FORM} .field.has-error", has=page.locator("textarea[name=description]"))
    assert field.count() == 1
    error = field.locator(".field-error")
    assert error.count() == 1
    assert error.inner_text().strip()
    assert page.locator(f"{FORM} .field-error").count() == 1  # only the description
    # What was chosen is kept.
    assert page.locator(f"{FORM} select[name=student]").input_value() == str(child.pk)
    assert page.locator(f"{CHOOSER} input[name=kind][value={Kind.ACCESS}]").is_checked()
    assert description.input_value() == ""
    assert description.get_attribute("aria-invalid") == "true"
    if error.inner_text().strip() not in _description_of(
        page, f"{FORM} textarea[name=description]"
    ):
        aria.append(f"{page.url}: the description's error is not its accessible description")
    _accessible(page, aria)
    shot(page, "form-error")

    wanted = "Ik wil graag inzage in alle gegevens die de school over mijn kind heeft."
    description.fill(wanted)
    _submit(page, f"{FORM} button[type=submit]")
    req = PrivacyRequest.objects.exclude(pk__in=before).get()
    assert (req.student_id, req.kind, req.status) == (child.pk, Kind.ACCESS, Status.RECEIVED)
    assert req.description == wanted
    assert page.url == f"{demo_site}{REQUESTS}{req.pk}/"
    # The receipt: the message and the page both say when the school answers.
    assert _nl_date(req.due_date) in page.locator(MESSAGES).inner_text()
    due = page.locator("main dl.facts dd").nth(1)
    assert _nl_date(req.due_date) in due.inner_text()
    assert page.locator(STATUS).inner_text().strip().startswith(_nl(Status.RECEIVED.label))
    assert child.display_name in page.locator("h1").inner_text()
    assert page.locator(PACKAGE).count() == 0
    _accessible(page, aria)
    shot(page, "receipt")

    with page.expect_navigation():
        page.locator(NAV_REQUESTS).click()
    row = page.locator("main table tbody tr", has=page.locator(f"a[href='{REQUESTS}{req.pk}/']"))
    assert row.count() == 1
    assert _nl_date(req.due_date) in row.inner_text()
    _accessible(page, aria)
    shot(page, "parent-requests")

    # --- Administration: the inbox, the request, the package built by the job.
    admin_context, admin = _fresh(browser)
    login(admin, demo_site, f"administratie@{DOMAIN}")
    with admin.expect_navigation():
        admin.locator(NAV_REQUESTS).click()
    row = admin.locator("main table tbody tr", has=admin.locator(f"a[href='{REQUESTS}{req.pk}/']"))
    assert row.count() == 1
    assert child.display_name in row.inner_text()
    assert _nl_date(req.due_date) in row.inner_text()
    link = row.locator(f"a[href='{REQUESTS}{req.pk}/']")
    _accessible(admin, aria)
    shot(admin, "inbox")
    with admin.expect_navigation():
        link.click()
    assert admin.locator(_action(req.pk, "release")).count() == 0
    _accessible(admin, aria)
    shot(admin, "request-staff")

    _submit(admin, _action(req.pk, "package"))
    assert admin.url == f"{demo_site}{REQUESTS}{req.pk}/"
    # The job may still be running: the page refreshes itself until the sections are there.
    sections = admin.locator(f"{PACKAGE} ul li")
    sections.nth(len(SECTION_KEYS) - 1).wait_for(timeout=TIMEOUT)
    req.refresh_from_db()
    package = req.package
    assert package.status == PackageStatus.BUILT, package.error
    assert req.status == Status.IN_PROGRESS
    assert package.progress == 100
    assert admin.locator(f"{PACKAGE} [role=status]").inner_text().strip() == _nl(
        PackageStatus.BUILT.label
    )
    with translation.override("nl"):
        titles = section_titles()
    counts = {s["key"]: s["count"] for s in package.sections}
    shown = [" ".join(sections.nth(i).inner_text().split()) for i in range(sections.count())]
    assert shown == [f"{titles[key]}: {counts[key]}" for key in SECTION_KEYS]
    # Every consent the school holds for the child: the purposes' and the religion's.
    consents = ConsentDecision.objects.filter(student=child).count()
    assert consents > 0
    assert counts["consents"] == consents + ReligionConsent.objects.filter(student=child).count()
    assert counts["care_records"] == 1
    # Who started the job sees the parts and their size, never the content.
    assert care.content not in admin.content()
    assert admin.locator(_action(req.pk, "package")).count() == 0
    assert admin.locator(_action(req.pk, "release")).count() == 0
    assert not Disclosure.objects.filter(basis=Basis.ACCESS_RIGHT, links__student=child).exists()
    _accessible(admin, aria)
    shot(admin, "package-built")
    admin_context.close()

    # The parent's page before the release: being prepared, nothing to download.
    page.goto(f"{demo_site}{REQUESTS}{req.pk}/")
    assert page.locator(f"{PACKAGE} a[href*='/package/']").count() == 0

    # --- The director: reviews what the guardians will receive, then releases it.
    director_context, director = _fresh(browser)
    login(director, demo_site, f"directeur@{DOMAIN}")
    with director.expect_navigation():
        director.locator(NAV_REQUESTS).click()
    with director.expect_navigation():
        director.locator(f"main table tbody tr a[href='{REQUESTS}{req.pk}/']").click()
    review = director.locator(f"{PACKAGE} a[href='{REQUESTS}{req.pk}/package/']")
    assert review.count() == 1
    with director.expect_navigation():
        review.click()
    headings = director.locator("main section h2")
    assert [headings.nth(i).inner_text().strip() for i in range(headings.count())] == [
        titles[key] for key in SECTION_KEYS
    ]
    main_text = director.locator("main").inner_text()
    assert care.content in main_text
    assert sibling_care.content not in main_text
    _accessible(director, aria)
    shot(director, "package-review")

    with director.expect_navigation():
        director.locator(f"main a[href='{REQUESTS}{req.pk}/']").click()
    # Releasing sends the package out: it asks for an explicit confirmation first.
    director.check("main form[action$='/actions/release/'] input[name=confirm]")
    _submit(director, _action(req.pk, "release"))
    assert director.url == f"{demo_site}{REQUESTS}{req.pk}/"
    assert director.locator(STATUS).inner_text().strip().startswith(_nl(Status.COMPLETED.label))
    assert director.locator(f"{PACKAGE} [role=status]").inner_text().strip() == _nl(
        PackageStatus.RELEASED.label
    )
    assert director.locator(_action(req.pk, "release")).count() == 0
    _accessible(director, aria)
    shot(director, "released")
    director_context.close()

    req.refresh_from_db()
    assert req.status == Status.COMPLETED
    assert req.package.status == PackageStatus.RELEASED
    disclosure = Disclosure.objects.filter(basis=Basis.ACCESS_RIGHT, links__student=child).get()
    assert list(disclosure.pupils.values_list("pk", flat=True)) == [child.pk]

    # --- The parent: completed, and both files of exactly this child.
    page.goto(f"{demo_site}{REQUESTS}{req.pk}/")
    assert page.locator(STATUS).inner_text().strip().startswith(_nl(Status.COMPLETED.label))
    pdf_link = page.locator(f"{PACKAGE} a[href*='/requests/{req.pk}/package/pdf/']")
    json_link = page.locator(f"{PACKAGE} a[href*='/requests/{req.pk}/package/json/']")
    assert pdf_link.count() == 1
    assert json_link.count() == 1
    json_url = f"{demo_site}{json_link.get_attribute('href')}"
    _accessible(page, aria)
    shot(page, "parent-completed")

    with page.expect_download() as info:
        pdf_link.click()
    pdf = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename == f"inzage-{req.pk}.pdf"
    assert pdf.startswith(b"%PDF-")
    assert b"%%EOF" in pdf[-1024:]

    with page.expect_download() as info:
        json_link.click()
    assert info.value.suggested_filename == f"inzage-{req.pk}.json"
    text = Path(info.value.path()).read_text(encoding="utf-8")
    data = json.loads(text)
    assert list(data) == list(SECTION_KEYS)
    student = data["student"]
    assert student["id"] == child.pk
    assert (student["given_name"], student["first_names"]) == (
        child.given_name,
        child.first_names,
    )
    assert (student["surname_prefix"], student["surname"]) == (
        child.surname_prefix,
        child.surname,
    )
    assert student["group"] == "Groep 3"
    # The sibling (same surname) is nowhere in it.
    for name in {sibling.given_name, *sibling.first_names.split()}:
        assert not _words(text, name), f"the sibling's name {name!r} is in the package"
    assert sibling_care.content not in text
    assert [r["content"] for r in data["care_records"]] == [care.content]
    # Consent history: every decision on record for this child, as recorded.
    # (the purposes' decisions, and the consent to record the child's religion).
    decisions = ConsentDecision.objects.filter(student=child).select_related("purpose")
    religion = ReligionConsent.objects.filter(student=child).select_related("guardian")
    assert sorted(c["purpose"] for c in data["consents"]) == sorted(
        [d.purpose.code for d in decisions] + ["religion"] * religion.count()
    )
    assert {c["guardian"] for c in data["consents"]} == {
        d.guardian.display_name for d in [*decisions, *religion]
    }
    # The access log: who looked (role and date), never names.
    assert data["access_log"], "the access log of the child is empty"
    for entry in data["access_log"]:
        assert set(entry) >= {"date", "role", "data"}
        assert entry["date"] and entry["role"]
    assert f"administratie@{DOMAIN}" not in text
    # The other guardian's contact data is confidential: not in this document either.
    assert f"ouder2@{DOMAIN}" not in text

    with page.expect_navigation():
        page.locator(NAV_REQUESTS).click()
    row = page.locator("main table tbody tr", has=page.locator(f"a[href='{REQUESTS}{req.pk}/']"))
    assert _nl(Status.COMPLETED.label) in row.inner_text()
    context.close()

    # --- Another family: the request and its download do not exist for them.
    other_context, other = _fresh(browser)
    login(other, demo_site, f"ouder3@{DOMAIN}")
    response = other.goto(f"{demo_site}{REQUESTS}{req.pk}/")
    assert response.status == 404
    assert other.locator("h1").inner_text().strip() == _nl("Not found")
    assert child.given_name not in other.locator("body").inner_text()  # not the CSRF token
    _accessible(other, aria)
    shot(other, "other-parent-404")
    response = other.goto(json_url)
    assert response.status == 404
    assert child.given_name not in other.locator("body").inner_text()  # not the CSRF token
    with other.expect_navigation():
        other.locator(NAV_REQUESTS).click()
    assert other.locator(f"main a[href='{REQUESTS}{req.pk}/']").count() == 0
    other_context.close()

    assert not aria, "broken ARIA references:\n- " + "\n- ".join(dict.fromkeys(aria))
