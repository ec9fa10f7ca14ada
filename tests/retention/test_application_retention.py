"""Applications that did not lead to enrolment (refused, or withdrawn by the parents) are
deleted one year after the decision (the portal's policy), by a retention rule with a floor of
6 and a ceiling of 12 months; never an application that led to enrolment or one still open."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from admissions.constants import ApplicationStatus
from admissions.models import Application, ApplicationEvent, ApplicationGuardian
from audit.models import AccessEvent
from kernel.dates import months_add
from retention.constants import BOUNDS, DEFAULTS, Category, RuleAction, RunStatus
from retention.exceptions import PeriodError
from retention.models import RetentionRule
from retention.services import applications_due, preview, retention_run, rule_update

from .conftest import TODAY

_NUMBERS = itertools.count(1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def application(school, status, *, decided_on=None, student=None) -> Application:
    n = next(_NUMBERS)
    made = Application.objects.create(
        school=school,
        reference=f"A-TEST-{n}",
        status=status,
        email=f"ouder{n}@t.example",
        first_names="Mila",
        given_name="Mila",
        surname=f"Kind{n}",
        date_of_birth=datetime.date(2022, 5, 1),
        desired_start_date=datetime.date(2026, 5, 1),
        decided_on=decided_on,
        refusal_reason="Geen plaats in groep 1" if status == ApplicationStatus.REFUSED else "",
        student=student,
        support_needs="Extra begeleiding bij taal",
    )
    ApplicationGuardian.objects.create(application=made, first_name="Sam", surname=f"Kind{n}")
    ApplicationEvent.objects.create(application=made, kind="submitted")
    return made


def months_ago(months: int, days: int = 0) -> datetime.date:
    return months_add(TODAY, -months) - datetime.timedelta(days=days)


@pytest.fixture
def apps_of(ret):
    """Per school key, the applications of every kind: due (refused and withdrawn more than
    12 months ago), not yet due (refused 11 months ago, refused exactly 12 months ago), an
    enrolled one decided long ago, open ones and an unconfirmed one."""
    school = ret.school
    return {
        "refused_old": application(
            school, ApplicationStatus.REFUSED, decided_on=months_ago(12, days=1)
        ),
        "withdrawn_old": application(
            school, ApplicationStatus.WITHDRAWN, decided_on=months_ago(30)
        ),
        "refused_recent": application(school, ApplicationStatus.REFUSED, decided_on=months_ago(11)),
        "refused_on_the_day": application(
            school, ApplicationStatus.REFUSED, decided_on=months_ago(12)
        ),
        "enrolled_old": application(
            school,
            ApplicationStatus.ENROLLED,
            decided_on=months_ago(30),
            student=ret.world.pupil3,
        ),
        "received": application(school, ApplicationStatus.RECEIVED),
        "extended": application(school, ApplicationStatus.EXTENDED),
        "unconfirmed": application(school, ApplicationStatus.UNCONFIRMED),
        "other_school": application(
            ret.world.other_school, ApplicationStatus.REFUSED, decided_on=months_ago(30)
        ),
    }


def _rule(school) -> RetentionRule:
    return RetentionRule.objects.get(school=school, category=Category.APPLICATIONS)


def test_the_rule_is_seeded_with_12_months_delete_not_enabled_when_a_school_is_set_up(ret):
    rule = _rule(ret.school)

    assert (rule.period_months, rule.action, rule.enabled) == (12, RuleAction.DELETE, False)
    assert DEFAULTS[Category.APPLICATIONS] == (12, RuleAction.DELETE)
    assert (BOUNDS[Category.APPLICATIONS].floor, BOUNDS[Category.APPLICATIONS].ceiling) == (6, 12)


def test_preview_counts_only_the_refused_and_withdrawn_past_their_period(ret, apps_of):
    data = preview(school=ret.school)

    (item,) = [i for i in data.rules if i.rule.category == Category.APPLICATIONS]
    assert item.applications_due == 2
    assert item.pupils_due == 0 and item.pupil_ids == []
    assert sorted(applications_due(_rule(ret.school), TODAY).values_list("pk", flat=True)) == [
        apps_of["refused_old"].pk,
        apps_of["withdrawn_old"].pk,
    ]


def test_run_deletes_exactly_the_old_refused_and_withdrawn_ones_with_their_parts(ret, apps_of):
    gone = [apps_of["refused_old"].pk, apps_of["withdrawn_old"].pk]

    run = retention_run(school=ret.school, categories=[Category.APPLICATIONS], user=ret.director)

    assert run.status == RunStatus.DONE
    assert run.counts == {Category.APPLICATIONS: {"applications": 2}}
    kept = {key for key, app in apps_of.items() if app.pk not in gone}
    assert set(Application.objects.values_list("pk", flat=True)) == {
        apps_of[key].pk for key in kept
    }
    assert not ApplicationGuardian.objects.filter(application_id__in=gone).exists()
    assert not ApplicationEvent.objects.filter(application_id__in=gone).exists()
    # Each deletion is on the record, under the school, by the run's author.
    assert sorted(
        AccessEvent.objects.filter(object_type="application", action="delete").values_list(
            "object_id", "school_id", "actor_id"
        )
    ) == sorted((str(pk), ret.school.pk, ret.director.pk) for pk in gone)
    # The enrolled one and its pupil are untouched.
    assert Application.objects.get(pk=apps_of["enrolled_old"].pk).student == ret.world.pupil3


def test_run_never_deletes_an_enrolled_or_open_application_whatever_its_dates(ret, apps_of):
    # Even with dates that would be long past the period, a status that is not a decision
    # against enrolment keeps the application.
    for key in ("received", "extended", "unconfirmed"):
        Application.objects.filter(pk=apps_of[key].pk).update(decided_on=months_ago(40))

    retention_run(school=ret.school, categories=[Category.APPLICATIONS])

    for key in ("enrolled_old", "received", "extended", "unconfirmed", "refused_recent"):
        assert Application.objects.filter(pk=apps_of[key].pk).exists(), key


def test_nightly_job_deletes_only_when_the_rule_is_enabled(ret, apps_of):
    retention_run(school=ret.school, trigger="nightly")
    assert Application.objects.filter(pk=apps_of["refused_old"].pk).exists()

    rule_update(
        user=ret.director, rule=_rule(ret.school), period_months=12, action="delete", enabled=True
    )
    retention_run(school=ret.school, trigger="nightly")

    assert not Application.objects.filter(pk=apps_of["refused_old"].pk).exists()
    assert Application.objects.filter(pk=apps_of["other_school"].pk).exists()


def test_a_shorter_period_brings_more_applications_due(ret, apps_of):
    rule_update(
        user=ret.director, rule=_rule(ret.school), period_months=6, action="delete", enabled=False
    )

    item = next(
        i for i in preview(school=ret.school).rules if i.rule.category == Category.APPLICATIONS
    )
    assert item.applications_due == 4  # the recent refusal and the one on the day join


def test_period_below_the_floor_or_above_the_ceiling_is_refused_with_its_reason(ret):
    rule = _rule(ret.school)

    with pytest.raises(PeriodError) as low:
        rule_update(user=ret.director, rule=rule, period_months=5, action="delete", enabled=False)
    with pytest.raises(PeriodError) as high:
        rule_update(user=ret.director, rule=rule, period_months=13, action="delete", enabled=False)

    assert "at least 6 months" in str(low.value.message)
    assert "objection" in str(low.value.message)
    assert "at most 12 months" in str(high.value.message)
    assert "one year after the decision" in str(high.value.message)
    assert _rule(ret.school).period_months == 12
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionRule.objects.filter(pk=rule.pk).update(period_months=24)


def test_anonymising_applications_is_not_offered(ret):
    from retention.exceptions import RetentionError

    with pytest.raises(RetentionError):
        rule_update(
            user=ret.director,
            rule=_rule(ret.school),
            period_months=12,
            action="anonymise",
            enabled=False,
        )


def test_retention_page_shows_the_rule_with_its_bounds_and_the_applications_due(
    ret, apps_of, client
):
    client.force_login(ret.director)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    content = client.get(reverse("retention")).content.decode()

    rule = _rule(ret.school)
    assert "Applications that did not lead to enrolment (refused or withdrawn)" in content
    assert "2 applications due" in content
    assert f'name="rule{rule.pk}-period_months"' in content
    assert 'min="6"' in content and 'max="12"' in content


def test_run_report_counts_the_deleted_applications(ret, apps_of, client):
    run = retention_run(school=ret.school, categories=[Category.APPLICATIONS], user=ret.director)
    client.force_login(ret.director)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    content = client.get(reverse("retention-run-detail", args=[run.pk])).content.decode()

    assert "2 applications deleted" in content
