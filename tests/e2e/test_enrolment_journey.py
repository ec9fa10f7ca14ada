"""Enrolment in a real browser: administratie@ enrols a pupil from a paper application with
two parents. A first try with a wrong BSN comes back with the reason at the field and all
that was typed; the second lands on the new pupil's page. The form is checked with axe and
photographed at 1280 and 390 px."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from students.models import Group, Guardianship, Invitation, Student

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"
SUBMIT = "main form.enrol-form button[type=submit]"


def _fill(page, group: Group, bsn: str) -> None:
    today = timezone.localdate()
    page.select_option("select[name=group]", str(group.pk))
    page.fill("input[name=start_date]", today.isoformat())
    page.fill("input[name=first_names]", "Femke Johanna")
    page.fill("input[name=given_name]", "Femke")
    page.fill("input[name=surname]", "Jansen")
    page.fill("input[name=date_of_birth]", datetime.date(today.year - 5, 3, 1).isoformat())
    page.check("input[name=sex][value=F]")
    page.fill("input[name=bsn]", bsn)
    page.fill("input[name=street]", "Dorpsstraat")
    page.fill("input[name=house_number]", "4")
    page.fill("input[name=postal_code]", "1234 AB")
    page.fill("input[name=city]", "Utrecht")
    page.fill("input[name=previous_school]", "Kinderopvang De Vlinder")
    page.fill("input[name=g1_first_name]", "Anna")
    page.fill("input[name=g1_surname]", "Jansen")
    page.fill("input[name=g1_email]", "anna.jansen@t.example")
    page.fill("input[name=g1_phone]", "06 11111111")
    page.fill("input[name=g2_first_name]", "Bram")
    page.fill("input[name=g2_surname]", "Visser")
    page.fill("input[name=g2_email]", "bram.visser@t.example")
    page.check("input[name=g2_has_authority][value=no]")
    page.fill("input[name=g2_authority_decided_on]", "2025-03-01")
    page.fill("input[name=g2_authority_reference]", "C/16/123456")


def test_administration_enrols_a_pupil_with_two_guardians(page, demo_site, shot):
    login(page, demo_site, f"administratie@{DOMAIN}")
    page.goto(f"{demo_site}/students/")
    with page.expect_navigation():
        page.click("a[href='/students/enrol/']")
    assert_accessible(page)
    shot(page, "enrol-form-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the form scrolls sideways on a phone ({width} px)"
    shot(page, "enrol-form-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The first group the form offers (groups of this school year and later, of this school).
    group = Group.objects.get(
        pk=page.eval_on_selector(
            "select[name=group]", "s => [...s.options].map(o => o.value).find(v => v)"
        )
    )
    _fill(page, group, bsn="123456789")  # fails the eleven test
    with page.expect_navigation():
        page.click(SUBMIT)
    assert page.locator("#id_bsn_error").is_visible()
    assert page.input_value("input[name=first_names]") == "Femke Johanna"
    assert page.input_value("input[name=g2_authority_reference]") == "C/16/123456"
    assert page.is_checked("input[name=g2_has_authority][value=no]")
    assert not Student.objects.filter(surname="Jansen", given_name="Femke").exists()
    assert_accessible(page)
    shot(page, "enrol-refused")

    page.fill("input[name=bsn]", "123456708")
    with page.expect_navigation():
        page.click(SUBMIT)
    student = Student.objects.get(surname="Jansen", given_name="Femke")
    assert page.url.endswith(f"/students/{student.pk}/")
    assert "Femke" in page.locator("h1").inner_text()
    assert page.locator("[role=status]").count() >= 1
    body = page.locator("main").inner_text()
    assert "Anna Jansen" in body and "Bram Visser" in body
    links = Guardianship.objects.filter(student=student).select_related("guardian")
    assert {(link.guardian.surname, link.has_authority) for link in links} == {
        ("Jansen", True),
        ("Visser", False),
    }
    assert Invitation.objects.filter(guardian__links__student=student).count() == 2
    shot(page, "enrolled-pupil")
