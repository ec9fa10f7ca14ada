"""The care-data story in a real browser: the care coordinator reads a dyslexia record, the
Groep 5 teacher cannot reach it, the parent sees that the care team looked, and the privacy
officer sees both events. Matches on URLs, statuses and data, never on translated text."""

from __future__ import annotations

import pytest

from audit.models import AccessEvent
from students.models import CareRecord, Guardianship

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"


def _fresh(browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_care_read_is_recorded_refused_and_shown_to_parent_and_officer(browser, demo_site, shot):
    child = (
        Guardianship.objects.filter(
            guardian__user__email=f"ouder@{DOMAIN}", student__group__name="Groep 3"
        )
        .select_related("student")
        .get()
        .student
    )
    dyslexia = CareRecord.objects.get(student=child, kind="diagnosis")

    context, page = _fresh(browser)
    login(page, demo_site, f"ib@{DOMAIN}")
    response = page.goto(f"{demo_site}/students/{child.pk}/care/{dyslexia.pk}/")
    assert response.status == 200
    assert "Dyslexie" in page.locator("main").inner_text()
    assert page.locator("main [role=note]").count() >= 1  # "this view is recorded"
    assert_accessible(page)
    shot(page, "ib-reads-dyslexia")
    context.close()

    context, page = _fresh(browser)
    login(page, demo_site, f"leerkracht5@{DOMAIN}")
    response = page.goto(f"{demo_site}/students/{child.pk}/care/{dyslexia.pk}/")
    assert response.status == 404
    assert "Dyslexie" not in page.content()
    shot(page, "teacher5-refused")
    context.close()

    context, page = _fresh(browser)
    login(page, demo_site, f"ouder@{DOMAIN}")
    response = page.goto(f"{demo_site}/children/{child.pk}/access-log/")
    assert response.status == 200
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 1
    first = rows.first.inner_text()
    assert page.locator("main table tbody tr .badge").count() >= 1  # a care-data read
    assert "Leerkracht Groep" not in first  # never a staff member's name
    assert_accessible(page)
    shot(page, "parent-access-log")
    context.close()

    care_events = AccessEvent.objects.filter(student_id=child.pk, special_category=True)
    assert sorted(care_events.values_list("role", "outcome")) == [
        ("care_coordinator", "allowed"),
        ("teacher", "denied"),
    ]

    context, page = _fresh(browser)
    login(page, demo_site, f"privacy@{DOMAIN}")
    response = page.goto(f"{demo_site}/audit/?student={child.pk}&special_category=true")
    assert response.status == 200
    assert page.locator("main table tbody tr").count() == 2
    assert page.locator("main table tbody tr.outcome-denied").count() == 1
    assert_accessible(page)
    shot(page, "privacy-officer-audit")
    context.close()
