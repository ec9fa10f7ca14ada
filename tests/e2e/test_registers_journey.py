"""The registers in a real browser: privacy@ opens the Privacy overview from the menu, goes to
Data breaches and records that a supplier export (Rekenwijs) went to the wrong address; first
with the moment of becoming aware before the moment it happened (the error beside the field,
the typed text kept), then correctly, after which the breach page shows the 72-hour clock. From
the breach page they open the disclosure register, read the number of the Rekenwijs export the
demo data built, go back and add every pupil of that disclosure (exactly the pupils the
disclosure record holds); they record the decision within the clock (a risk, notify the AP, a
reason), the status is decided and the timeline shows each step; they open the draft notices
(Dutch and English per pupil) and the processing register, which lists the Rekenwijs product and
the retention rules and downloads as a PDF. directeur@ sees the breach of their school;
leerkracht3@ is refused the breach register. Matches on data and structure; the texts it reads
are looked up in the Dutch translation."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.utils import formats, timezone, translation

from accounts.models import User
from registers.constants import DECISION_HOURS, BreachStatus, PupilSource, Risk
from registers.models import Breach, BreachPupil, BreachStep
from registers.services import breach_record
from retention.constants import Category
from retention.services import rules_for
from students.attributes import DataCategory
from students.models import School
from suppliers.models import DisclosedPupil, Disclosure, Product

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"
BREACHES = "/registers/breaches/"
NEW_BREACH = "main section[aria-labelledby=new-heading] form"
DECISION = "main section[aria-labelledby=decision-heading] form"
PUPILS = "main section[aria-labelledby=pupils-heading]"
TIMELINE = "main section[aria-labelledby=timeline-heading] ol.timeline > li"
CLOCK = "main p.notice[role=status]"
MESSAGES = "main ul.messages"
WHAT_HAPPENED = (
    "Een export met leerlinggegevens voor de leverancier (Rekenwijs) is naar het verkeerde "
    "adres gestuurd."
)


def _nl(text) -> str:
    """A lazy label, or a msgid, as the Dutch page shows it."""
    with translation.override("nl"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def _nl_pupils(n: int) -> str:
    with translation.override("nl"):
        return translation.ngettext("%(n)s pupil", "%(n)s pupils", n) % {"n": n}


def _nl_moment(value: datetime.datetime) -> str:
    """A moment as the Dutch page prints it (SHORT_DATETIME_FORMAT, local time)."""
    with translation.override("nl"):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _local_input(value: datetime.datetime) -> str:
    """A moment as a datetime-local input takes it (local time, minutes)."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _submit(page, button):
    with page.expect_navigation() as navigation:
        button.click()
    return navigation.value


def _fact(page, label: str) -> str:
    """The value beside a term in the breach page's facts."""
    term = page.locator("main dl.facts dt", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    assert term.count() == 1, f"expected one fact {label!r}"
    return term.locator("xpath=following-sibling::dd[1]").inner_text().strip()


def _disclosure_number(page, row) -> int:
    """The number the disclosure register shows for one row: the one number in a cell of its
    own (optionally written "#12") that is not the pupil count."""
    headers = [h.strip() for h in page.locator("main table thead th").all_inner_texts()]
    pupils_column = headers.index(_nl("Pupils")) if _nl("Pupils") in headers else -1
    numbers = [
        int(match.group(1))
        for index, cell in enumerate(row.locator("td").all_inner_texts())
        if index != pupils_column and (match := re.fullmatch(r"\s*(?:#|nr\.?\s*)?(\d+)\s*", cell))
    ]
    assert len(numbers) == 1, (
        f"expected one disclosure number in the register's row, found {numbers} (columns: "
        f"{headers}); the breach page asks for 'the number from the register'"
    )
    return numbers[0]


def test_privacy_officer_records_and_decides_a_breach(browser, demo_site, page, shot):
    samen = School.objects.get(brin="12AB")
    disclosure = Disclosure.objects.get(product__name="Rekenwijs Online", school=samen)
    disclosed = set(
        DisclosedPupil.objects.filter(disclosure=disclosure).values_list("student_id", flat=True)
    )
    assert disclosure.pupil_count == len(disclosed) > 0
    assert not Breach.objects.exists()

    login(page, demo_site, f"privacy@{DOMAIN}")

    # The Privacy overview, from the menu.
    menu = page.get_by_role("navigation", name=_nl("Main menu"))
    response = _submit(page, menu.get_by_role("link", name=_nl("Privacy overview"), exact=True))
    assert response.status == 200
    assert page.url.endswith("/registers/")
    assert page.get_by_role("heading", level=1, name=_nl("Privacy overview")).count() == 1
    assert_accessible(page)
    shot(page, "overview")

    # Data breaches: none yet, and the form to record one.
    response = _submit(page, menu.get_by_role("link", name=_nl("Data breaches"), exact=True))
    assert response.status == 200
    assert page.url.endswith(BREACHES)
    assert _nl("No breaches recorded.") in page.locator("main").inner_text()
    assert_accessible(page)

    # A wrong step: aware two hours before it happened.
    now = timezone.now().replace(second=0, microsecond=0)
    occurred, aware = now - datetime.timedelta(hours=3), now - datetime.timedelta(hours=2)
    form = page.locator(NEW_BREACH)
    school = form.locator("select[name=school]")
    assert school.locator(f"option[value='{samen.pk}']").count() == 1
    school.select_option(str(samen.pk))
    form.locator("input[name=occurred_at]").fill(_local_input(occurred))
    form.locator("input[name=aware_at]").fill(_local_input(occurred - datetime.timedelta(hours=2)))
    form.locator("textarea[name=description]").fill(WHAT_HAPPENED)
    for category in (DataCategory.IDENTITY, DataCategory.ORGANISATION):
        form.locator(f"input[name=categories][value='{category.value}']").check()
    response = _submit(page, form.get_by_role("button", name=_nl("Record the breach")))
    assert response.status == 400
    assert not Breach.objects.exists()
    form = page.locator(NEW_BREACH)
    aware_input = form.locator("input[name=aware_at]")
    error = form.locator(".field-error")
    assert error.count() == 1
    assert error.is_visible()
    assert error.inner_text().strip() == _nl(
        "The school cannot have become aware before it happened."
    )
    # Beside the field it is about, and tied to it for a screen reader.
    assert error.get_attribute("id") in (aware_input.get_attribute("aria-describedby") or "")
    assert aware_input.get_attribute("aria-invalid") == "true"
    assert form.locator("[role=alert]").count() == 1
    # What was typed is kept.
    assert form.locator("textarea[name=description]").input_value() == WHAT_HAPPENED
    assert form.locator("input[name=occurred_at]").input_value() == _local_input(occurred)
    assert form.locator("select[name=school]").input_value() == str(samen.pk)
    for category in (DataCategory.IDENTITY, DataCategory.ORGANISATION):
        assert form.locator(f"input[name=categories][value='{category.value}']").is_checked()
    assert_accessible(page)
    shot(page, "aware-before-it-happened")

    # Correctly: the breach page with the 72-hour clock running.
    aware_input.fill(_local_input(aware))
    response = _submit(page, form.get_by_role("button", name=_nl("Record the breach")))
    assert response.status == 200
    breach = Breach.objects.get()
    assert page.url.endswith(f"{BREACHES}{breach.pk}/")
    assert breach.school == samen
    assert breach.description == WHAT_HAPPENED
    assert (breach.occurred_at, breach.aware_at) == (occurred, aware)
    assert breach.status == BreachStatus.OPEN
    due = aware + datetime.timedelta(hours=DECISION_HOURS)
    assert breach.decision_due == due
    assert _nl("The breach is recorded; the clock is running.") in (
        page.locator(MESSAGES).inner_text()
    )
    with translation.override("nl"):
        expected_clock = translation.gettext("decide by %(due)s (%(left)s hours left)") % {
            "due": _nl_moment(due),
            "left": DECISION_HOURS - 2,
        }
    assert page.locator(CLOCK).inner_text().strip() == expected_clock
    assert _fact(page, _nl("Decision due")) == _nl_moment(due)
    assert _fact(page, _nl("Became aware at")) == _nl_moment(aware)
    # The categories by their names, as the form offered them, not by their codes.
    categories = _fact(page, _nl("Data categories"))
    for category in (DataCategory.IDENTITY, DataCategory.ORGANISATION):
        assert _nl(category.label) in categories
        assert not re.search(rf"\b{category.value}\b", categories), (
            f"category code {category.value!r} on the breach page"
        )
    assert _nl_pupils(0) in page.locator(PUPILS).inner_text()
    assert_accessible(page)
    shot(page, "breach-recorded")
    breach_url = page.url

    # The disclosure register, from the breach page: the number of the Rekenwijs export.
    link = page.locator(PUPILS).get_by_role(
        "link", name=_nl("Find the number in the disclosure register")
    )
    response = _submit(page, link)
    assert response.status == 200
    assert page.url.endswith("/data/disclosures/")
    rows = page.locator("main table tbody tr", has_text="Rekenwijs")
    assert rows.count() == 1
    assert str(disclosure.pupil_count) in rows.inner_text()
    assert_accessible(page)
    shot(page, "disclosure-register")
    number = _disclosure_number(page, rows)
    assert number == disclosure.pk

    # Back to the breach: every pupil in that disclosure.
    page.go_back()
    assert page.url == breach_url
    form = page.locator(f"{PUPILS} form[action$='/pupils-disclosure/']")
    form.locator("input[name=disclosure]").fill(str(number))
    response = _submit(page, form.get_by_role("button", name=_nl("Add these pupils")))
    assert response.status == 200
    assert page.url == breach_url
    linked = set(BreachPupil.objects.filter(breach=breach).values_list("student_id", flat=True))
    assert linked == disclosed
    assert BreachPupil.objects.filter(breach=breach).count() == disclosure.pupil_count
    assert set(BreachPupil.objects.filter(breach=breach).values_list("source", flat=True)) == {
        PupilSource.DISCLOSURE
    }
    with translation.override("nl"):
        added = translation.gettext("%(n)s pupil(s) added.") % {"n": disclosure.pupil_count}
    assert added in page.locator(MESSAGES).inner_text()
    assert _nl_pupils(disclosure.pupil_count) in page.locator(PUPILS).inner_text()
    assert page.locator(f"{PUPILS} > ul > li").count() == disclosure.pupil_count
    assert_accessible(page)
    shot(page, "pupils-added")

    # The decision, within the clock: a risk, so notify the AP, and why.
    reason = "Namen en groepen van een hele groep bij een onbekende ontvanger; melden bij de AP."
    form = page.locator(DECISION)
    form.locator("select[name=risk]").select_option(Risk.RISK.value)
    form.get_by_role("radio", name=_nl("Yes"), exact=True).check()
    form.locator("textarea[name=reason]").fill(reason)
    response = _submit(page, form.get_by_role("button", name=_nl("Record the decision")))
    assert response.status == 200
    assert page.url == breach_url
    breach.refresh_from_db()
    assert breach.status == BreachStatus.DECIDED
    assert breach.risk == Risk.RISK
    assert breach.notify_authority is True
    assert breach.decision_reason == reason
    assert breach.decided_by.email == f"privacy@{DOMAIN}"
    assert breach.decided_at <= breach.decision_due
    assert page.locator(CLOCK).inner_text().strip() == _nl(BreachStatus.DECIDED.label)
    assert _fact(page, _nl("Risk")) == _nl(Risk.RISK.label)
    assert _fact(page, _nl("Notify the AP")) == _nl("yes")
    assert _fact(page, _nl("Why")) == reason

    # The timeline: recorded, pupils added, decided; in that order, by the privacy officer.
    steps = list(BreachStep.objects.filter(breach=breach).order_by("created_at", "id"))
    with translation.override("nl"):
        expected_steps = [
            translation.gettext("Breach recorded"),
            translation.gettext("%(count)s pupil(s) added: %(how)s")
            % {"count": disclosure.pupil_count, "how": str(PupilSource.DISCLOSURE.label)},
            translation.gettext("Decision recorded"),
        ]
    assert len(steps) == len(expected_steps)
    items = page.locator(TIMELINE)
    assert items.count() == len(expected_steps)
    for item, step, summary in zip(items.all(), steps, expected_steps, strict=True):
        assert item.locator("strong").first.inner_text().strip() == summary
        assert step.actor.email == f"privacy@{DOMAIN}"
        assert _nl_moment(step.created_at) in item.inner_text()
        assert str(step.actor) in item.inner_text()
    decided = items.nth(2).inner_text()
    assert reason in decided
    # The decision's changes are told as the page tells them elsewhere, not in field names
    # and codes.
    for internal in (
        "risk:",
        "notify_authority",
        "decision_reason",
        "True",
        f"→ {Risk.RISK.value}",
    ):
        assert internal not in decided, f"internal name {internal!r} on the timeline"
    assert_accessible(page)
    shot(page, "decided")

    # The draft notices: per pupil, one in Dutch and one in English.
    link = page.locator(PUPILS).get_by_role("link", name=_nl("Draft notices to the guardians"))
    response = _submit(page, link)
    assert response.status == 200
    assert page.url.endswith(f"{BREACHES}{breach.pk}/notices/")
    cards = page.locator("main section.card")
    assert cards.count() == disclosure.pupil_count
    first = cards.first
    dutch, english = first.locator("pre[lang=nl]"), first.locator("pre[lang=en]")
    assert dutch.count() == 1
    assert english.count() == 1
    pupil_heading = first.get_by_role("heading", level=2).inner_text().strip()
    assert pupil_heading
    for draft in (dutch, english):
        assert WHAT_HAPPENED in draft.inner_text()
    english_text = english.inner_text()
    dutch_text = dutch.inner_text()
    assert english_text.startswith("To the parents or guardians of ")
    assert dutch_text != english_text
    assert not dutch_text.startswith("To the parents or guardians of "), (
        "the Dutch draft notice is in English"
    )
    assert_accessible(page)
    shot(page, "notices")

    # The processing register, from the menu: the Rekenwijs product, the retention rules, and
    # the PDF.
    response = _submit(page, menu.get_by_role("link", name=_nl("Processing register"), exact=True))
    assert response.status == 200
    assert page.url.endswith("/registers/processing/")
    product = Product.objects.select_related("supplier").get(name="Rekenwijs Online")
    with translation.override("nl"):
        product_purpose = translation.gettext("Learning materials: %(supplier)s / %(product)s") % {
            "supplier": product.supplier.name,
            "product": product.name,
        }
    card = page.locator("main section.card").filter(
        has=page.get_by_role("heading", level=2, name=product_purpose, exact=True)
    )
    assert card.count() == 1
    assert product.supplier.name in card.inner_text()
    if product.retention:
        assert product.retention in card.inner_text()
    main_text = page.locator("main").inner_text()
    for school in School.objects.filter(board=samen.board):
        for rule in rules_for(school=school):
            label = _nl(dict(Category.choices)[rule.category])
            with translation.override("nl"):
                line = translation.gettext(
                    "%(school)s: %(data)s, %(months)s months, then %(action)s"
                ) % {
                    "school": school.name,
                    "data": label,
                    "months": rule.period_months,
                    "action": str(rule.get_action_display()).lower(),
                }
            assert line in main_text, f"retention rule missing from the register: {line!r}"
    assert_accessible(page)
    shot(page, "processing-register")

    with page.expect_download() as info:
        page.get_by_role("link", name=_nl("Download as PDF")).click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")


def test_director_sees_their_schools_breach_and_a_teacher_does_not(browser, demo_site, page, shot):
    samen = School.objects.get(brin="12AB")
    other = School.objects.filter(board=samen.board).exclude(pk=samen.pk).first()
    assert other is not None
    privacy = User.objects.get(email=f"privacy@{DOMAIN}")
    now = timezone.now().replace(second=0, microsecond=0)
    ours, theirs = (
        breach_record(
            user=privacy,
            board_id=school.board_id,
            school=school,
            occurred_at=now - datetime.timedelta(hours=5),
            aware_at=now - datetime.timedelta(hours=4),
            description=f"{WHAT_HAPPENED} ({school.name})",
        )
        for school in (samen, other)
    )

    login(page, demo_site, f"directeur@{DOMAIN}")
    menu = page.get_by_role("navigation", name=_nl("Main menu"))
    response = _submit(page, menu.get_by_role("link", name=_nl("Data breaches"), exact=True))
    assert response.status == 200
    assert page.locator(f"main table tbody a[href$='{BREACHES}{theirs.pk}/']").count() == 0
    link = page.locator(f"main table tbody a[href$='{BREACHES}{ours.pk}/']")
    assert link.count() == 1
    assert_accessible(page)
    response = _submit(page, link)
    assert response.status == 200
    assert page.url.endswith(f"{BREACHES}{ours.pk}/")
    assert _fact(page, _nl("What happened")) == ours.description
    assert _fact(page, _nl("School")) == samen.name
    with translation.override("nl"):
        expected_clock = translation.gettext("decide by %(due)s (%(left)s hours left)") % {
            "due": _nl_moment(ours.decision_due),
            "left": DECISION_HOURS - 4,
        }
    assert page.locator(CLOCK).inner_text().strip() == expected_clock
    assert_accessible(page)
    shot(page, "director-breach")
    # Another school's breach: as if it did not exist.
    assert page.goto(f"{demo_site}{BREACHES}{theirs.pk}/").status == 404

    # A teacher: no breach register at all, and no way to it in the menu.
    page.context.clear_cookies()
    login(page, demo_site, f"leerkracht3@{DOMAIN}")
    menu = page.get_by_role("navigation", name=_nl("Main menu"))
    assert menu.get_by_role("link", name=_nl("Data breaches"), exact=True).count() == 0
    response = page.goto(f"{demo_site}{BREACHES}")
    assert response.status == 403
    assert_accessible(page)
    shot(page, "teacher-refused")
    assert page.goto(f"{demo_site}{BREACHES}{ours.pk}/").status == 403
