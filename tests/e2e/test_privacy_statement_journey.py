"""The privacy statement in a real browser: ouder@ opens it from the footer of the start page and
lands on OBS Samen Een's statement (version 1, the school's own text with "Eerst denken dan
delen…"), reads it in English on the Dutch page (marked as English), finds the same guidance on
the consent page and whom to ask on the child's page. directeur@ publishes version 2 from the
statement page, and version 1 stays readable. Matches on data and structure; the few texts it
reads are looked up in the Dutch translation."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from students.models import PrivacyStatement, School

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"


def _nl(text: str) -> str:
    with translation.override("nl"):
        return translation.gettext(text)


def test_parent_reads_the_statement_from_the_footer_and_the_director_publishes_a_new_version(
    demo_site, page, shot
):
    samen = School.objects.get(brin="12AB")
    statement_url = f"{demo_site}/privacy/{samen.pk}/"

    login(page, demo_site, f"ouder@{DOMAIN}")
    page.locator("footer.site-footer a").click()
    assert page.url == statement_url
    assert page.locator("main h2", has_text="Eerst denken dan delen…").count() == 1
    assert (
        page.locator("main .statement-meta")
        .inner_text()
        .startswith(_nl("Version %(number)s, in force since %(date)s").split("%")[0])
    )
    assert_accessible(page)
    shot(page, "statement")

    page.locator("main a[hreflang=en]").click()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("main .statement-text").get_attribute("lang") == "en"
    assert page.locator("main h2", has_text="Think first, then share…").count() == 1
    assert_accessible(page)

    page.goto(f"{demo_site}/")
    child = next(
        href
        for href in page.eval_on_selector_all(
            "main a", "els => els.map(e => e.getAttribute('href'))"
        )
        if href and re.fullmatch(r"/children/\d+/", href)
    )
    page.goto(f"{demo_site}{child}")
    contacts = page.locator("main section.privacy-contacts")
    assert "Ingrid Verhoeven" in contacts.inner_text()
    assert contacts.locator(f"a[href='/privacy/{samen.pk}/']").count() == 1
    page.goto(f"{demo_site}{child}consent/")
    guidance = page.locator("main section.media-guidance")
    assert guidance.locator("h3", has_text="Eerst denken dan delen…").count() == 1
    assert_accessible(page)
    shot(page, "consent")

    page.context.clear_cookies()
    login(page, demo_site, f"directeur@{DOMAIN}")
    page.goto(statement_url)
    page.locator("main a.button", has_text=_nl("Write a new version")).click()
    assert_accessible(page)
    text = page.locator("#id_text_nl")
    text.fill(text.input_value() + "\n\n## Contact\n\nMet vragen kunt u altijd bij ons terecht.")
    page.locator("main form.statement-form button[type=submit]").click()
    assert page.url == statement_url
    assert page.locator("main h2", has_text="Contact").count() == 1
    assert PrivacyStatement.objects.filter(school=samen).count() == 2
    page.locator(f"main a[href='/privacy/{samen.pk}/versions/1/']").click()
    assert page.locator("main h2", has_text="Contact").count() == 0
    assert page.locator("main .notice").count() == 1
    shot(page, "version-1")
