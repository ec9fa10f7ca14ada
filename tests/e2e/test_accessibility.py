"""Accessibility in a real browser: every page the role journeys visit passes the structural
checks and axe-core's WCAG 2 A/AA rules (no serious or critical violation) in Dutch and in
English; the keyboard focus is visible; a form sent empty ties each error to its field.
Matches on URLs, statuses and structure, never on translated text."""

from __future__ import annotations

import pytest

from consent.models import ConsentPurpose, Publication
from privacy_requests.models import PrivacyRequest
from students.models import CareRecord, Guardianship
from suppliers.models import Export, Supplier

from .conftest import LOGIN_PATH, LOGIN_SUBMIT, assert_accessible, login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"
LANGUAGES = ("nl", "en")
LANGUAGE_SWITCH = "header form.language button[type=submit]"


def _pages_by_role() -> dict[str, list[str]]:
    """The GET pages each role's journeys use, with the demo board's ids filled in."""
    child = (
        Guardianship.objects.filter(
            guardian__user__email=f"ouder@{DOMAIN}", student__group__name="Groep 3"
        )
        .select_related("student")
        .get()
        .student
    )
    dyslexia = CareRecord.objects.get(student=child, kind="diagnosis")
    purpose = ConsentPurpose.objects.earliest("pk")
    publication = Publication.objects.earliest("pk")
    supplier = Supplier.objects.earliest("pk")
    export = Export.objects.filter(requested_by__email=f"administratie@{DOMAIN}").earliest("pk")
    requests = list(PrivacyRequest.objects.order_by("pk").values_list("pk", flat=True))
    pupil = f"/students/{child.pk}"
    return {
        f"leerkracht3@{DOMAIN}": [
            "/",
            "/students/",
            f"{pupil}/",
            f"{pupil}/progress/",
            f"{pupil}/consent/",
            "/consent/publications/",
            "/suppliers/",
            "/accounts/mfa/setup/",
        ],
        f"ib@{DOMAIN}": [
            "/",
            "/students/",
            f"{pupil}/",
            f"{pupil}/care/",
            f"{pupil}/care/{dyslexia.pk}/",
            f"{pupil}/care/new/",
            "/requests/",
        ],
        f"directeur@{DOMAIN}": [
            "/",
            "/consent/",
            "/consent/purposes/",
            f"/consent/purposes/{purpose.pk}/",
            "/consent/campaigns/",
            f"/consent/groups/{child.group_id}/photo-list/",
            "/consent/publications/",
            f"/consent/publications/{publication.pk}/",
            f"{pupil}/",
            f"{pupil}/access-log/",
            "/suppliers/",
            f"/suppliers/{supplier.pk}/",
            "/data/exports/",
            "/data/exports/legal/",
            "/data/disclosures/",
            "/requests/",
            *(f"/requests/{pk}/" for pk in requests),
            "/care/withholdings/",
            "/registers/breaches/",
            "/registers/processing/",
            "/retention/",
            "/audit/",
            "/accounts/staff/",
            "/rollover/",
        ],
        f"privacy@{DOMAIN}": [
            "/",
            "/consent/",
            "/registers/",
            "/registers/breaches/",
            "/registers/processing/",
            "/retention/",
            f"/retention/boards/{child.school.board_id}/log-policy/",
            "/audit/",
            f"/audit/?student={child.pk}&special_category=true",
            "/audit/care-reads/",
            "/requests/",
            *(f"/requests/{pk}/" for pk in requests),
            "/data/disclosures/",
        ],
        f"administratie@{DOMAIN}": [
            "/students/",
            "/data/exports/",
            f"/data/exports/{export.pk}/",
            f"/requests/paper/{child.pk}/",
        ],
        f"ouder@{DOMAIN}": [
            "/",
            f"/children/{child.pk}/",
            f"/children/{child.pk}/care/",
            f"/children/{child.pk}/consent/",
            f"/children/{child.pk}/access-log/",
            f"/children/{child.pk}/recipients/",
            f"/children/{child.pk}/religion/",
            "/requests/",
            "/requests/new/",
        ],
    }


def _switch_language(page, code: str) -> None:
    """Choose the language with the form in the header, as a visitor would."""
    page.select_option("header select[name=language]", code)
    with page.expect_navigation():
        page.click(LANGUAGE_SWITCH)
    assert page.locator("html").get_attribute("lang") == code


def _tour(browser, base_url: str, email: str, paths: list[str]) -> list[str]:
    """Log in as ``email`` and check every path in each language; returns the failures."""
    failures = []
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        login(page, base_url, email)
        for code in LANGUAGES:
            _switch_language(page, code)
            for path in paths:
                response = page.goto(f"{base_url}{path}")
                if response.status != 200:
                    failures.append(f"{email} {code} {path}: status {response.status}")
                    continue
                try:
                    assert_accessible(page)
                except AssertionError as problem:
                    failures.append(f"{email} {code} {path}: {problem}")
    finally:
        context.close()
    return failures


def test_journey_pages_pass_axe_in_dutch_and_english(browser, demo_site):
    failures = []
    for email, paths in _pages_by_role().items():
        failures += _tour(browser, demo_site, email, paths)
    assert not failures, "\n\n".join(failures)


def test_login_and_reset_pages_pass_axe_in_dutch_and_english(page, live_server):
    for code in LANGUAGES:
        page.goto(f"{live_server.url}{LOGIN_PATH}")
        _switch_language(page, code)
        assert_accessible(page)
        page.goto(f"{live_server.url}/accounts/password_reset/")
        assert_accessible(page)


# The focused element, whether the browser shows it as keyboard focus, and whether its
# computed style draws an indicator (an outline or a box-shadow).
_FOCUS_JS = r"""
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return {
    element: el.tagName.toLowerCase() + (el.name ? `[name=${el.name}]` : "")
      + (el.getAttribute("href") ? `[href=${el.getAttribute("href")}]` : ""),
    focusVisible: el.matches(":focus-visible"),
    indicator: Boolean(outline || shadow),
  };
}
"""


@pytest.mark.parametrize("code", LANGUAGES)
def test_focus_is_visible_when_tabbing_through_the_login_form(page, live_server, code):
    page.goto(f"{live_server.url}{LOGIN_PATH}")
    _switch_language(page, code)
    # The e-mail field has autofocus, so Tab goes on from there, leaves the page once (to the
    # browser's own controls) and comes back at the skip link: one full round of the page.
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUS_JS)
        if focused is None:
            continue
        assert focused["focusVisible"], f"{focused['element']} is focused but not :focus-visible"
        assert focused["indicator"], f"no visible focus indicator on {focused['element']}"
        seen.append(focused["element"])
    for element in ("a[href=#main]", "select[name=language]", "input[name=email]"):
        assert element in seen, f"Tab never reached {element}: {seen}"
    assert "input[name=password]" in seen


def _assert_errors_tied(page, form: str) -> int:
    """Every error message in ``form`` belongs to a control that points at it."""
    errors = page.locator(f"{form} .field-error")
    assert errors.count() > 0, "the empty form showed no error at a field"
    for i in range(errors.count()):
        error_id = errors.nth(i).get_attribute("id")
        assert error_id, "an error message without an id cannot be tied to its field"
        described = page.locator(f"{form} [aria-describedby~='{error_id}']")
        assert described.count() == 1, f"no field is described by #{error_id}"
        # A fieldset of choices carries the reference; a single control is also invalid.
        tag = described.evaluate("el => el.tagName.toLowerCase()")
        if tag != "fieldset":
            assert described.get_attribute("aria-invalid") == "true"
    return errors.count()


def test_errors_are_tied_to_their_fields_when_a_form_is_sent_empty(page, demo_site):
    page.goto(f"{demo_site}{LOGIN_PATH}")
    with page.expect_navigation():
        page.click(LOGIN_SUBMIT)
    assert _assert_errors_tied(page, "main form") == 2  # e-mail and password
    assert_accessible(page)

    login(page, demo_site, f"ouder@{DOMAIN}")
    page.goto(f"{demo_site}/requests/new/")
    # First step: what the parent wants; the request's own form then appears, sent empty.
    page.locator("#kind-choice input[name=kind]").first.check()
    with page.expect_navigation():
        page.click("main form#request-form button[type=submit]")
    assert _assert_errors_tied(page, "main form.stacked-form") >= 1
    assert page.locator("main [role=alert]").count() == 1
    assert_accessible(page)
