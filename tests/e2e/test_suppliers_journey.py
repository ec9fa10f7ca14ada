"""Exports through the gate in a real browser: directeur@ exports to Rekenwijs Online and
downloads a CSV with exactly the agreed attributes, is stopped with an error for the expired
Spelling Klassiek agreement, and finds the disclosure in the register; ouder@ then sees
Rekenwijs Online among the recipients of the Groep 3 child. Matches on data and structure."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.utils import translation

from students.attributes import ordered
from students.models import Guardianship, Student
from suppliers.constants import ExportStatus
from suppliers.models import Agreement, Disclosure, Export

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"
TARGET = "main select[name=target]"
FORMAT = "main select[name=format]"
SUBMIT = "main form[method=post] button[type=submit]"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """The live server writes the export file to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _fresh(browser):
    context = browser.new_context(
        locale="nl-NL", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _choose_target(page, text: str) -> str:
    option = page.locator(f"{TARGET} option", has_text=text)
    assert option.count() == 1, f"expected one target containing {text!r}"
    value = option.get_attribute("value")
    page.select_option(TARGET, value)
    return value


def _submit(page):
    with page.expect_navigation() as navigation:
        page.click(SUBMIT)
    return navigation.value


def test_director_exports_to_rekenwijs_and_parent_sees_it(browser, demo_site, shot):
    rekenwijs = Agreement.objects.get(products__name="Rekenwijs Online")
    product = rekenwijs.products.get(name="Rekenwijs Online")
    expected_header = [
        "pseudonym",
        *ordered(
            set(rekenwijs.attributes.values_list("attribute", flat=True))
            & set(product.attributes.values_list("attribute", flat=True))
        ),
    ]
    assert set(expected_header[1:]) == set(rekenwijs.attributes.values_list("attribute", flat=True))
    expired = Agreement.objects.get(products__name="Spelling Klassiek")
    assert not expired.permits_disclosure

    context, page = _fresh(browser)
    login(page, demo_site, f"directeur@{DOMAIN}")
    assert page.goto(f"{demo_site}/data/exports/").status == 200
    assert_accessible(page)
    shot(page, "exports")

    # The expired agreement: a readable error, and nothing queued.
    exports_before = Export.objects.count()
    _choose_target(page, "Spelling Klassiek")
    page.select_option(FORMAT, "csv")
    response = _submit(page)
    # Post/redirect/get: the refusal comes back as the page's GET, so a refresh sends nothing.
    assert response.status == 200
    assert response.request.redirected_from.method == "POST"
    alert = page.locator("main [role=alert]")
    assert alert.count() == 1
    assert expired.supplier.name in alert.inner_text()
    assert Export.objects.count() == exports_before
    assert not Export.objects.filter(agreement=expired).exists()
    assert_accessible(page)
    shot(page, "expired-refused")

    # Rekenwijs Online: built while the request commits, then downloadable.
    _choose_target(page, "Rekenwijs")
    page.select_option(FORMAT, "csv")
    _submit(page)
    # The demo data holds one earlier Rekenwijs export (by administration); this is the
    # director's.
    export = Export.objects.filter(
        agreement=rekenwijs, requested_by__email=f"directeur@{DOMAIN}"
    ).get()
    assert re.search(rf"/data/exports/{export.pk}/$", page.url), page.url
    assert export.status == ExportStatus.DONE, export.error
    with translation.override("nl"):
        done_label = str(ExportStatus.DONE.label)
    assert page.locator("main [role=status]").inner_text().strip().startswith(done_label)
    link = page.locator("main a[href*='/download/']")
    assert link.count() == 1
    assert_accessible(page)
    shot(page, "export-done")

    with page.expect_download() as info:
        link.click()
    download = info.value
    content = Path(download.path()).read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == expected_header
    assert ",".join(rows[0]) == (
        "pseudonym,first_name,last_name,date_of_birth,year_group,group_name,school_brin"
    )
    pupils = [row for row in rows[1:] if row]
    assert len(pupils) == export.pupil_count > 0
    assert len({row[0] for row in pupils}) == len(pupils)
    in_groups = Student.objects.filter(
        group__products=product, school__brin="12AB", withdrawn_on__isnull=True
    )
    for student in in_groups:
        assert not student.bsn or student.bsn not in content
        assert f"{student.street} {student.house_number}" not in content
        assert student.postal_code not in content
    assert {row[rows[0].index("school_brin")] for row in pupils} == {"12AB"}

    # The register lists it.
    disclosure = Disclosure.objects.get(export=export)
    assert page.goto(f"{demo_site}/data/disclosures/").status == 200
    # By its number: the demo data holds an earlier export to the same recipient.
    row = page.locator("main table tbody tr").filter(
        has=page.locator("td:first-child", has_text=re.compile(rf"^{disclosure.pk}$"))
    )
    assert row.count() == 1
    assert "Rekenwijs" in row.inner_text()
    assert str(disclosure.pupil_count) in row.inner_text()
    assert_accessible(page)
    shot(page, "disclosures")
    context.close()

    # The parent of the Groep 3 child sees who receives the child's data.
    child = (
        Guardianship.objects.filter(
            guardian__user__email=f"ouder@{DOMAIN}", student__group__name="Groep 3"
        )
        .select_related("student")
        .get()
        .student
    )
    context, page = _fresh(browser)
    login(page, demo_site, f"ouder@{DOMAIN}")
    assert page.goto(f"{demo_site}/children/{child.pk}/recipients/").status == 200
    card = page.locator("main article", has_text="Rekenwijs Online")
    assert card.count() == 1
    assert child.pk in disclosure.pupils.values_list("pk", flat=True)
    sent = page.locator("main table tbody tr", has_text="Rekenwijs")
    assert (
        sent.count()
        == Disclosure.objects.filter(
            links__student=child, recipient_label__contains="Rekenwijs"
        ).count()
    )
    assert sent.count() == 2  # the demo's earlier export and the director's
    assert "Spelling Klassiek" not in page.locator("main").inner_text()
    assert_accessible(page)
    shot(page, "child-recipients")
    context.close()
