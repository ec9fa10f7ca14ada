"""The consent story in a real browser: ouder@ withdraws website consent for the Groep 3 child;
the child's website publication is flagged for takedown, the Groep 3 photo list marks the
child, and the director sees it on the dashboard. Matches on data and structure, not text."""

from __future__ import annotations

import pytest

from consent.models import ConsentPurpose, Takedown
from students.models import Guardianship

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"


def _fresh(browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _website_counts(page, group_name: str, column: int) -> tuple[int, int, int]:
    row = page.locator("main table.compact tbody tr", has_text=group_name).first
    cell = row.locator("td").nth(column)
    return (
        int(cell.locator(".count-granted").inner_text()),
        int(cell.locator(".count-refused").inner_text()),
        int(cell.locator(".count-unknown").inner_text()),
    )


def test_parent_withdraws_website_consent_and_director_sees_it(browser, demo_site, shot):
    child = (
        Guardianship.objects.filter(
            guardian__user__email=f"ouder@{DOMAIN}", student__group__name="Groep 3"
        )
        .select_related("student__group")
        .get()
        .student
    )
    website = ConsentPurpose.objects.get(school=child.school, code="website")
    column = list(
        ConsentPurpose.objects.filter(school=child.school, is_active=True)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    ).index(website.pk)

    director_context, director = _fresh(browser)
    login(director, demo_site, f"directeur@{DOMAIN}")
    assert director.goto(f"{demo_site}/consent/").status == 200
    before = _website_counts(director, "Groep 3", column)
    bars = director.locator("svg.chart rect")
    assert bars.count() > 0
    widths = [float(bars.nth(i).get_attribute("width")) for i in range(3)]
    assert abs(sum(widths) - 400) < 1  # one stacked bar fills the chart's width
    assert float(bars.first.get_attribute("x")) >= 0
    assert_accessible(director)
    shot(director, "dashboard-before")

    context, page = _fresh(browser)
    login(page, demo_site, f"ouder@{DOMAIN}")
    assert page.goto(f"{demo_site}/children/{child.pk}/consent/").status == 200
    assert_accessible(page)
    card = page.locator(f"article[aria-labelledby=purpose-{website.pk}]")
    assert card.locator(".status-granted").count() == 1
    shot(page, "parent-before")
    with page.expect_navigation():
        card.locator("button[value=withdrawn]").click()
    card = page.locator(f"article[aria-labelledby=purpose-{website.pk}]")
    assert card.locator(".status-refused").count() == 1
    shot(page, "parent-after")
    context.close()

    assert Takedown.objects.filter(
        student=child, publication__purpose=website, resolved_at__isnull=True
    ).exists()

    assert director.goto(f"{demo_site}/consent/").status == 200
    after = _website_counts(director, "Groep 3", column)
    assert after[0] == before[0] - 1
    assert after[1] == before[1] + 1
    takedowns = director.locator("section[aria-labelledby=takedown-heading] li")
    assert takedowns.count() >= 1
    assert child.given_name in takedowns.first.inner_text()
    shot(director, "dashboard-after")

    assert director.goto(f"{demo_site}/consent/groups/{child.group_id}/photo-list/").status == 200
    row = director.locator("table.photo-list tbody tr", has_text=child.display_name)
    assert row.locator("td").nth(column).get_attribute("class") == "may-refused"
    assert_accessible(director)
    shot(director, "photo-list")
    director_context.close()
