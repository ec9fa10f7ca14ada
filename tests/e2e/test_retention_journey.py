"""Retention in a real browser: directeur@ opens Retention and sees in the preview the two
leavers due under the pupil-file rule (left 3 and 6 years ago) and the one due under the
enrolment rule (6 years ago), with Bram Bos (left 6 years ago) under the legal holds and under
no rule; opening the page saves nothing: the director sets the default rules up with one
button, and the explanation above the rules goes; a period of 0 months is refused with the
error beside the field and the 0 kept; the director then runs the pupil-file and enrolment
rules now (the job runs in-process once the request commits), opens the run's report with its
tombstone lines, and the preview shows nothing due any more for those rules. privacy@ reads
the same page without any form. Matches on data and structure; the few texts it reads are
looked up in the Dutch translation."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from retention.constants import DEFAULTS, Category, RuleAction, RunStatus
from retention.models import ErasureRecord, LegalHold, RetentionRule, RetentionRun
from students.models import School, Student

from .conftest import assert_accessible, login

pytestmark = pytest.mark.e2e

DOMAIN = "samen-een.example"
RETENTION = "/retention/"
RULES = "main section[aria-labelledby=rules-heading]"
HOLDS = "main section[aria-labelledby=holds-heading]"
RUNS = "main section[aria-labelledby=runs-heading]"
RUN_FORM = "main section[aria-labelledby=run-heading] form"
MESSAGES = "main ul.messages"


def _nl(text) -> str:
    """A lazy label, or a msgid, as the Dutch page shows it."""
    with translation.override("nl"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def _nl_due(n: int) -> str:
    with translation.override("nl"):
        return translation.ngettext("%(n)s pupil due", "%(n)s pupils due", n) % {"n": n}


def _card(page, category: str):
    """The card of one rule in the preview, found by its heading (the category's label)."""
    label = _nl(dict(Category.choices)[category])
    card = page.locator(f"{RULES} .card").filter(
        has=page.get_by_role("heading", level=3, name=label, exact=True)
    )
    assert card.count() == 1, f"expected one card for {category}"
    return card


def _due_numbers(card) -> list[int]:
    """The pupil numbers the card lists as due (none: the line is absent)."""
    line = card.locator("p.muted", has_text=_nl("Pupil numbers"))
    if line.count() == 0:
        return []
    return [int(n) for n in re.findall(r"\d+", line.inner_text().split(":", 1)[1])]


def _submit(page, button):
    with page.expect_navigation() as navigation:
        button.click()
    return navigation.value


def _leaver(given: str, surname: str) -> Student:
    return Student.objects.get(
        given_name=given, surname=surname, withdrawn_on__isnull=False, school__brin="12AB"
    )


def test_director_previews_runs_and_reads_the_report(browser, demo_site, page, shot):
    samen = School.objects.get(brin="12AB")
    daan, lotte, bram, noor = (
        _leaver("Daan", "Smit"),
        _leaver("Lotte", "Mulder"),
        _leaver("Bram", "Bos"),
        _leaver("Noor", "Visser"),
    )
    assert LegalHold.objects.filter(student=bram, lifted_at__isnull=True).count() == 1

    login(page, demo_site, f"directeur@{DOMAIN}")
    response = page.goto(f"{demo_site}{RETENTION}")
    assert response.status == 200
    assert_accessible(page)
    shot(page, "preview")

    # The preview: 2 due under the pupil file, 1 under enrolment, Bram held and under no rule.
    pupil_file = _card(page, Category.PUPIL_FILE)
    enrolment = _card(page, Category.ENROLMENT)
    assert _nl_due(2) in pupil_file.inner_text()
    assert sorted(_due_numbers(pupil_file)) == sorted([daan.pk, lotte.pk])
    assert _nl_due(1) in enrolment.inner_text()
    assert _due_numbers(enrolment) == [lotte.pk]
    everything_due = {
        pk
        for category in (Category.PUPIL_FILE, Category.ENROLMENT, Category.PUPIL_FILE_SPECIAL)
        for pk in _due_numbers(_card(page, category))
    }
    assert bram.pk not in everything_due and noor.pk not in everything_due
    held_rows = page.locator(f"{HOLDS} tbody tr")
    assert held_rows.count() == 1
    held = held_rows.first.inner_text()
    assert bram.display_name in held
    assert _nl("in force") in held

    # The demo school's rules are not set up yet: opening the page saved nothing, and the
    # director sees why the rules cannot be edited yet and one button to set them up.
    assert not RetentionRule.objects.filter(school=samen).exists()
    set_up = page.locator(f"{RULES} form#rules-set-up")
    assert set_up.count() == 1
    assert page.locator(f"{RULES} form:not(#rules-set-up)").count() == 0
    wide = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
    shot(page, "set-up-390")
    page.set_viewport_size(wide)
    response = _submit(page, set_up.get_by_role("button", name=_nl("Set up the retention rules")))
    assert response.status == 200
    assert page.locator(f"{RULES} form#rules-set-up").count() == 0
    assert page.locator(MESSAGES).count() == 1
    assert RetentionRule.objects.filter(school=samen).count() == len(DEFAULTS)
    assert not RetentionRule.objects.filter(school=samen, enabled=True).exists()
    assert_accessible(page)
    shot(page, "rules-set-up")

    # One wrong step: a period of 0 months.
    pupil_file = _card(page, Category.PUPIL_FILE)
    rule = RetentionRule.objects.get(school=samen, category=Category.PUPIL_FILE)
    period = pupil_file.locator(f"input[name='rule{rule.pk}-period_months']")
    period.fill("0")
    response = _submit(page, pupil_file.get_by_role("button", name=_nl("Save rule")))
    assert response.status == 400
    pupil_file = _card(page, Category.PUPIL_FILE)
    period = pupil_file.locator(f"input[name='rule{rule.pk}-period_months']")
    assert period.input_value() == "0"
    error = pupil_file.locator(".field-error")
    assert error.count() == 1
    assert error.is_visible()
    assert "1" in error.inner_text()  # says what the lowest period is
    # The error is tied to the field for a screen reader.
    assert error.get_attribute("id") in (period.get_attribute("aria-describedby") or "").split()
    assert period.get_attribute("aria-invalid") == "true"
    rule.refresh_from_db()
    assert rule.period_months == 24
    assert_accessible(page)
    shot(page, "wrong-period")

    # Run the pupil file and enrolment now.
    page.goto(f"{demo_site}{RETENTION}")
    for box in page.locator(f"{RUN_FORM} input[name=categories]").all():
        if box.get_attribute("value") in (Category.PUPIL_FILE, Category.ENROLMENT):
            box.check()
        else:
            box.uncheck()
    runs_before = RetentionRun.objects.count()
    response = _submit(page, page.locator(f"{RUN_FORM} button[type=submit]"))
    assert response.status == 200
    assert page.url.endswith(f"{RETENTION}?school={samen.pk}")
    assert _nl("The run has started; its report appears below.") in (
        page.locator(MESSAGES).inner_text()
    )
    assert RetentionRun.objects.count() == runs_before + 1
    run = RetentionRun.objects.latest("started_at", "id")
    assert run.status == RunStatus.DONE, run.errors
    assert run.categories == [Category.PUPIL_FILE, Category.ENROLMENT]
    assert run.counts == {Category.PUPIL_FILE: {"pupils": 2}, Category.ENROLMENT: {"pupils": 1}}
    assert_accessible(page)
    shot(page, "after-run")

    # Afterwards nothing is due under those rules; Bram is still held, untouched.
    assert _nl_due(0) in _card(page, Category.PUPIL_FILE).inner_text()
    assert _due_numbers(_card(page, Category.PUPIL_FILE)) == []
    assert _nl_due(0) in _card(page, Category.ENROLMENT).inner_text()
    assert _due_numbers(_card(page, Category.ENROLMENT)) == []
    assert bram.display_name in page.locator(f"{HOLDS} tbody").inner_text()
    bram.refresh_from_db()
    assert bram.anonymised_at is None and bram.surname == "Bos"
    assert not ErasureRecord.objects.filter(student=bram).exists()

    # The run's report: one tombstone line per pupil and category, nobody's name.
    link = page.locator(f"{RUNS} a[href$='/retention/runs/{run.pk}/']")
    assert link.count() == 1
    response = _submit(page, link)
    assert response.status == 200
    records = list(ErasureRecord.objects.filter(run=run).order_by("student_id", "id"))
    assert {(r.student_id, r.category) for r in records} >= {
        (daan.pk, Category.PUPIL_FILE),
        (lotte.pk, Category.PUPIL_FILE),
        (lotte.pk, Category.ENROLMENT),
    }
    assert {r.student_id for r in records} == {daan.pk, lotte.pk}
    rows = page.locator("main table tbody tr")
    assert rows.count() == len(records)
    for row, record in zip(rows.all(), records, strict=True):
        cells = row.locator("td").all_inner_texts()
        assert cells[0] == str(record.student_id)
        assert cells[1] == _nl(record.category_label)
        assert cells[2] == _nl(record.get_action_display())
        assert cells[3] == str(record.count)
    report = page.locator("main").inner_text()
    for person in (daan, lotte):
        assert person.surname not in report  # the report names nobody
    assert_accessible(page)
    shot(page, "run-report")
    # The rules of the run and its counts are named as the rest of the page names them (the
    # rule's label, in Dutch), not by internal codes.
    facts = page.locator("main").inner_text()
    for category in (Category.PUPIL_FILE, Category.ENROLMENT):
        assert category.value not in facts, f"internal code {category.value!r} on the report"
        assert _nl(dict(Category.choices)[category]) in facts


def test_privacy_officer_reads_retention_without_forms(browser, demo_site, page, shot):
    samen = School.objects.get(brin="12AB")
    bram = _leaver("Bram", "Bos")
    login(page, demo_site, f"privacy@{DOMAIN}")

    response = page.goto(f"{demo_site}{RETENTION}")
    assert response.status == 200
    # Both schools of the board to choose from; the chosen one is shown.
    select = page.locator("main select[name=school]")
    assert select.locator("option").count() == School.objects.filter(board=samen.board).count()
    select.select_option(str(samen.pk))
    with page.expect_navigation():
        page.locator("main form[method=get] button[type=submit]").click()
    assert page.url.endswith(f"{RETENTION}?school={samen.pk}")

    assert page.locator("main form[method=post]").count() == 0
    assert page.get_by_role("button", name=_nl("Save rule")).count() == 0
    assert page.locator("main section[aria-labelledby=run-heading]").count() == 0
    # Nobody saved the rules of this school yet: the Dutch defaults are shown, and the
    # privacy officer's reading saves nothing.
    months, action = DEFAULTS[Category.PUPIL_FILE]
    with translation.override("nl"):
        kept = translation.gettext("Kept for %(months)s months, then: %(action)s.") % {
            "months": months,
            "action": RuleAction(action).label,
        }
    assert kept in _card(page, Category.PUPIL_FILE).inner_text()
    assert _nl_due(2) in _card(page, Category.PUPIL_FILE).inner_text()
    # The privacy officer sees no pupil basics (DESIGN): the hold by pupil number only.
    holds = page.locator(f"{HOLDS} tbody").inner_text()
    assert str(bram.pk) in holds
    assert bram.surname not in holds
    assert page.get_by_role("button", name=_nl("Lift")).count() == 0
    assert not RetentionRule.objects.exists()
    assert_accessible(page)
    shot(page, "privacy-officer")
