"""Keeping data current, in a real browser (issue 24's journey).

administratie@ corrects a parent's address and records parental authority with a court
reference (a date in the future first: the error sits at its field); ouder2@, whose contact
data is confidential, changes his phone number; ouder@, the other parent of that Groep 3 child,
sees neither the new number nor any trace of the change, on the child's page or in his access
package; ouder@ reports a move that the administration confirms; directeur@ invites a teacher
who activates the account with the e-mailed link; a parent opens the privacy statement from the
footer. The new pages are checked with axe and photographed at 1280 and 390 px."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from privacy_requests.constants import Kind
from privacy_requests.package import package_data
from privacy_requests.services.submission import request_submit
from students.models import AddressChange, ChangeRecord, Group, Guardian, Guardianship, Student

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"
NEW_PHONE = "06 55554444"
FORM_SUBMIT = "main form.stacked-form button[type=submit]"


def _guardian(email: str) -> Guardian:
    return Guardian.objects.get(email=f"{email}@{DOMAIN}")


def _shared_child() -> Student:
    """The Groep 3 child of ouder@ and ouder2@."""
    return Student.objects.get(
        guardian_links__guardian=_guardian("ouder"), group__name__icontains="3"
    )


def _on_a_phone(page, shot, name: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"{name} scrolls sideways on a phone ({width} px)"
    shot(page, f"{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def _administration_corrects_an_address_and_records_authority(browser, base, shot) -> None:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, base, f"administratie@{DOMAIN}")
    child, ouder = _shared_child(), _guardian("ouder")

    page.goto(f"{base}/students/{child.pk}/")
    with page.expect_navigation():
        page.click(f"a[href='/students/{child.pk}/guardians/{ouder.pk}/edit/']")
    assert_accessible(page)
    shot(page, "guardian-edit-1280")
    _on_a_phone(page, shot, "guardian-edit")
    page.fill("input[name=address]", "Lindelaan 7, 3511 AB Utrecht")
    with page.expect_navigation():
        page.click(FORM_SUBMIT)
    ouder.refresh_from_db()
    assert ouder.address == "Lindelaan 7, 3511 AB Utrecht"
    assert any("address" in r.fields for r in ChangeRecord.objects.filter(guardian=ouder))

    # Parental authority for the Groep 5 child's parent who has none: the court decision first
    # with a date in the future, which is refused at its field with what was typed kept.
    link = Guardianship.objects.select_related("student").get(
        guardian__email=f"ouder4@{DOMAIN}", has_authority=False
    )
    page.goto(f"{base}/students/{link.student_id}/guardians/{link.guardian_id}/authority/confirm/")
    future = timezone.localdate() + datetime.timedelta(days=10)
    page.fill("input[name=decided_on]", future.isoformat())
    page.fill("input[name=reference]", "C/16/556677 / FA RK 26-1234")
    page.check("input[name=confirm]")
    with page.expect_navigation():
        page.click(FORM_SUBMIT)
    error = page.locator("#id_decided_on_error")
    assert error.is_visible(), "the future date is not refused at its field"
    assert page.input_value("input[name=reference]") == "C/16/556677 / FA RK 26-1234"
    assert_accessible(page)
    shot(page, "authority-refused-1280")
    link.refresh_from_db()
    assert not link.has_authority

    page.fill("input[name=decided_on]", "2026-11-02")
    page.check("input[name=confirm]")
    with page.expect_navigation():
        page.click(FORM_SUBMIT)
    link.refresh_from_db()
    assert link.has_authority
    assert link.authority_reference == "C/16/556677 / FA RK 26-1234"
    record = ChangeRecord.objects.get(student_id=link.student_id, guardian_id=link.guardian_id)
    assert record.subject == ChangeRecord.Subject.AUTHORITY
    context.close()


def _confidential_parent_changes_his_phone(browser, base, shot) -> None:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, base, f"ouder2@{DOMAIN}")
    page.goto(f"{base}/account/contact/")
    assert_accessible(page)
    shot(page, "my-contact-1280")
    _on_a_phone(page, shot, "my-contact")
    page.fill("input[name=phone]", "06 5555")  # too short: refused at the field
    with page.expect_navigation():
        page.click(FORM_SUBMIT)
    assert page.locator("#id_phone_error").is_visible()
    assert page.input_value("input[name=phone]") == "06 5555"
    page.fill("input[name=phone]", NEW_PHONE)
    with page.expect_navigation():
        page.click(FORM_SUBMIT)
    ouder2 = _guardian("ouder2")
    assert ouder2.contact_confidential and ouder2.phone == NEW_PHONE
    (record,) = [r for r in ChangeRecord.objects.filter(guardian=ouder2) if "phone" in r.fields]
    assert record.confidential and record.values == {}
    context.close()


def _other_parent_sees_no_trace(browser, base, shot) -> None:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, base, f"ouder@{DOMAIN}")
    child, ouder2 = _shared_child(), _guardian("ouder2")
    page.goto(f"{base}/children/{child.pk}/")
    body = page.inner_text("main")
    digits = re.sub(r"\D", "", NEW_PHONE)
    assert digits not in re.sub(r"\D", "", body), "the new number is on the child's page"
    changes = page.inner_text("section[aria-labelledby=changes-heading]")
    assert ouder2.first_name not in changes and ouder2.surname not in changes
    assert_accessible(page)
    shot(page, "child-page-1280")

    # His access package: neither the number nor the change.
    request = request_submit(
        user=User.objects.get(email=f"ouder@{DOMAIN}"),
        student=child,
        guardian=_guardian("ouder"),
        kind=Kind.ACCESS,
        description="Ik wil graag alles zien wat de school over mijn kind bewaart.",
    )
    package = json.dumps(package_data(request), ensure_ascii=False)
    assert digits not in re.sub(r"\D", "", package)
    assert ouder2.first_name not in json.dumps(package_data(request).get("changes", []))

    # The road for a move: he reports it, the school confirms below.
    page.goto(f"{base}/account/address/")
    assert_accessible(page)
    page.fill("input[name=street]", "Kastanjelaan")
    page.fill("input[name=house_number]", "12")
    page.fill("input[name=postal_code]", "3512cd")
    page.fill("input[name=city]", "Utrecht")
    page.fill("input[name=moves_on]", timezone.localdate().isoformat())
    shot(page, "my-address-1280")
    with page.expect_navigation():
        page.click("main form.stacked-form button[type=submit]")
    change = AddressChange.objects.get(guardian=_guardian("ouder"), status="pending")
    assert change.postal_code == "3512 CD"
    _on_a_phone(page, shot, "my-address")

    # The privacy statement, from the footer.
    with page.expect_navigation():
        page.click("footer.site-footer a")
    assert "Eerst denken dan delen" in page.inner_text("main")
    assert "OBS Samen Een" in page.inner_text("h1")
    assert_accessible(page)
    shot(page, "privacy-statement-1280")
    context.close()


def _administration_confirms_the_move(browser, base, shot) -> None:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, base, f"administratie@{DOMAIN}")
    change = AddressChange.objects.get(guardian=_guardian("ouder"), status="pending")
    page.goto(f"{base}/students/address-changes/")
    with page.expect_navigation():
        page.click(f"a[href='/students/address-changes/{change.pk}/']")
    assert_accessible(page)
    shot(page, "address-change-1280")
    page.check("input[name=decision][value=confirm]")
    with page.expect_navigation():
        page.click(FORM_SUBMIT)
    change.refresh_from_db()
    assert change.status == "confirmed"
    child = _shared_child()
    assert (child.street, child.house_number, child.postal_code) == (
        "Kastanjelaan",
        "12",
        "3512 CD",
    )
    context.close()


def _director_invites_a_teacher_who_activates(browser, base, shot) -> None:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, base, f"directeur@{DOMAIN}")
    page.goto(f"{base}/accounts/staff/")
    mail.outbox.clear()
    page.fill("input[name=full_name]", "Sanne Verbeek")
    page.fill("input[name=email]", "sanne.verbeek@samen-een.example")
    page.check("input[name=roles][value=teacher]")
    choice = page.locator("input[name=groups]").first
    group = Group.objects.get(pk=int(choice.get_attribute("value") or 0))
    choice.check()
    with page.expect_navigation():
        page.click("form[action$='/accounts/staff/invitations/'] button[type=submit]")
    assert "Sanne Verbeek" in page.inner_text("section[aria-labelledby=invitations-heading]")
    assert_accessible(page)
    shot(page, "staff-invited-1280")
    context.close()

    (message,) = [m for m in mail.outbox if "sanne.verbeek@samen-een.example" in m.to]
    found = re.search(r"/accounts/staff-invitation/[^\s/]+/", str(message.body))
    assert found, "the invitation mail carries no link"
    path = found.group(0)
    invitee = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = invitee.new_page()
    page.goto(f"{base}{path}")
    assert_accessible(page)
    shot(page, "staff-invitation-1280")
    page.fill("input[name=password1]", "Krijtbord-Zonnebloem-42")
    page.fill("input[name=password2]", "Krijtbord-Zonnebloem-42")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    user = User.objects.get(email="sanne.verbeek@samen-een.example")
    assert user.has_role("teacher")
    assert group.teachers.filter(pk=user.pk).exists()
    assert page.url.rstrip("/") == base.rstrip("/")
    # The link works once.
    page.goto(f"{base}{path}")
    assert page.locator("input[name=password1]").count() == 0
    invitee.close()


def test_data_kept_current_by_school_and_parents(browser, demo_site, shot):
    _administration_corrects_an_address_and_records_authority(browser, demo_site, shot)
    _confidential_parent_changes_his_phone(browser, demo_site, shot)
    _other_parent_sees_no_trace(browser, demo_site, shot)
    _administration_confirms_the_move(browser, demo_site, shot)
    _director_invites_a_teacher_who_activates(browser, demo_site, shot)
