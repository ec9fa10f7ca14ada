"""Editing in a real browser, in Dutch: directeur@ opens the Rekenwijs Online agreement and
saves it without changing anything; its dates stay, it stays active (an export is still
allowed) and no audit change event is written. ib@ does the same with a care record, which
before could not be saved at all. Chromium itself reads the date inputs here."""

from __future__ import annotations

import pytest

from audit.constants import Action
from audit.models import AccessEvent
from students.models import CareRecord, Guardianship
from suppliers.models import Agreement

from .conftest import login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"
SUBMIT = "main form[method=post] button[type=submit]"
CHANGES = (Action.CREATE, Action.UPDATE, Action.DELETE)
# The message in Dutch, or its English msgid while the catalogue does not hold it yet.
TOLD = ("Er is niets gewijzigd.", "Nothing was changed.")
# Said as information, with its kind word before it (the icon beside it is hidden from readers).
KIND = ("Ter informatie:", "Information:")


def _save_unchanged(page, url: str) -> None:
    assert page.goto(url).status == 200
    with page.expect_navigation() as navigation:
        page.click(SUBMIT)
    assert navigation.value.status == 200
    status = page.locator("[role=status]")
    assert status.count() == 1
    kind = status.locator(".message-kind").inner_text().strip()
    assert kind in KIND
    # The message's own text: what follows the icon and the kind word.
    own = status.evaluate(
        "el => Array.from(el.childNodes).filter(n => n.nodeType === Node.TEXT_NODE)"
        ".map(n => n.textContent).join('')"
    )
    assert own.strip() in TOLD


def test_agreement_and_care_record_saved_unchanged_in_dutch_keep_their_dates(page, demo_site):
    agreement = Agreement.objects.get(products__name="Rekenwijs Online")
    dates = ("signed_on", "valid_from", "valid_until", "terminated_on")
    before = {name: getattr(agreement, name) for name in dates}
    assert agreement.permits_disclosure
    changes = AccessEvent.objects.filter(action__in=CHANGES).count()

    login(page, demo_site, f"directeur@{DOMAIN}")
    url = f"{demo_site}/suppliers/{agreement.supplier_id}/agreements/{agreement.pk}/"
    page.goto(url)
    # The browser reads the value: an unreadable one would show as empty here.
    assert page.input_value("input[name=valid_from]") == before["valid_from"].isoformat()
    _save_unchanged(page, url)

    agreement.refresh_from_db()
    assert {name: getattr(agreement, name) for name in dates} == before
    assert agreement.permits_disclosure
    assert AccessEvent.objects.filter(action__in=CHANGES).count() == changes

    child = Guardianship.objects.get(
        guardian__user__email=f"ouder@{DOMAIN}", student__group__name="Groep 3"
    ).student
    record = CareRecord.objects.get(student=child, kind="diagnosis")
    stored = (record.review_date, record.updated_at, record.content)
    page.context.clear_cookies()
    login(page, demo_site, f"ib@{DOMAIN}")
    _save_unchanged(page, f"{demo_site}/students/{record.student_id}/care/{record.pk}/edit/")

    record.refresh_from_db()
    assert (record.review_date, record.updated_at, record.content) == stored
    assert AccessEvent.objects.filter(action__in=CHANGES).count() == changes
