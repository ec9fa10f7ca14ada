"""The online application without an account (admissions.views.public and
admissions.services.applications): apply, confirm the address, follow."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from admissions.constants import (
    CONFIRMATION_HOURS,
    DECISION_PERIOD,
    OPEN_STATUSES,
    ApplicationStatus,
    TimelineKind,
)
from admissions.models import Application, ApplicationGuardian
from admissions.services.applications import (
    applications_unconfirmed_delete,
    token_hash,
)
from admissions.tasks import applications_unconfirmed_delete_task
from admissions.views import public
from audit.models import AccessEvent

FIRST_NAMES = "Fleur Marijke"
GIVEN_NAME = "Fleurtje"
SURNAME = "Zonnebloem"
SUPPORT = "Dyslexie in de familie; logopedie sinds januari"
RELIGION = "Vrijzinnig protestants"
APPLICANT = "ouder.zonnebloem@t.example"


def _today() -> datetime.date:
    return timezone.localdate()


def _born() -> datetime.date:
    """A child of three and a half."""
    today = _today()
    return today.replace(year=today.year - 4) + datetime.timedelta(days=183)


def _start() -> datetime.date:
    return _born().replace(year=_born().year + 4) + datetime.timedelta(days=7)


def form_data(**overrides) -> dict[str, str]:
    data = {
        "first_names": FIRST_NAMES,
        "given_name": GIVEN_NAME,
        "surname_prefix": "van",
        "surname": SURNAME,
        "date_of_birth": _born().isoformat(),
        "desired_start_date": _start().isoformat(),
        "current_school": "Kinderopvang De Hummel",
        "g1_first_name": "Marieke",
        "g1_surname": SURNAME,
        "g1_email": "marieke@t.example",
        "g1_phone": "0612345678",
        "g1_address": "Lindelaan 4, 1234 AB Noorddorp",
        "g1_has_authority": "yes",
        "g2_has_authority": "yes",
        "email": APPLICANT,
        "support_needs": SUPPORT,
        "religion": RELIGION,
    }
    data.update(overrides)
    return data


def _apply(client: Client, school, **overrides):
    return client.post(reverse("application-form", args=[school.pk]), form_data(**overrides))


def _token_from(message) -> str:
    match = re.search(r"/admissions/apply/confirm/([^/\s]+)/", message.body)
    assert match, message.body
    return match[1]


def _follow_from(message) -> str:
    match = re.search(r"(/admissions/follow/[^/\s]+/)", message.body)
    assert match, message.body
    return match[1]


class _CommittingClient(Client):
    """A client whose requests run their on-commit callbacks when they end, as the request's
    own commit would outside the test's transaction: the e-mails are tasks queued on commit
    (eager in the tests), so ``mail.outbox`` holds what a worker would have sent."""

    capture = None

    def request(self, **request):
        with self.capture(execute=True):
            return super().request(**request)


@pytest.fixture
def client_en(django_capture_on_commit_callbacks):
    client = _CommittingClient()
    client.capture = django_capture_on_commit_callbacks
    client.cookies["django_language"] = "en"
    return client


def test_happy_path_applies_confirms_and_follows(world, client_en):
    response = _apply(client_en, world.school)

    assert response.status_code == 303
    assert response["Location"] == reverse("application-sent")
    sent = client_en.get(response["Location"])
    assert APPLICANT in sent.content.decode()
    application = Application.objects.get()
    assert application.status == ApplicationStatus.UNCONFIRMED
    assert application.school == world.school
    assert application.complete_on is None
    assert len(mail.outbox) == 1
    token = _token_from(mail.outbox[0])
    assert application.confirmation_hash == token_hash(token)
    assert token not in application.confirmation_hash
    assert application.confirmation_expires_at == pytest.approx(
        timezone.now() + datetime.timedelta(hours=CONFIRMATION_HOURS),
        abs=datetime.timedelta(minutes=1),
    )
    assert list(application.guardians.values_list("first_name", "has_authority")) == [
        ("Marieke", True)
    ]

    # The link opens a page with a button; opening it confirms nothing (mail scanners).
    confirm_url = reverse("application-confirm", args=[token])
    page = client_en.get(confirm_url)
    assert page.status_code == 200
    assert b"Confirm my application" in page.content
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNCONFIRMED

    confirmed = client_en.post(confirm_url)
    assert confirmed.status_code == 303
    assert confirmed["Location"] == reverse("application-confirmed")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECEIVED
    assert application.complete_on == _today()
    assert application.decision_due_on == _today() + DECISION_PERIOD
    assert application.confirmation_hash == ""
    shown = client_en.get(confirmed["Location"]).content.decode()
    assert application.reference in shown
    assert "6 weeks" in shown and "4 weeks" in shown

    assert len(mail.outbox) == 2
    follow = client_en.get(_follow_from(mail.outbox[1]))
    assert follow.status_code == 200
    body = follow.content.decode()
    assert application.reference in body
    assert world.school.name in body
    assert "Received, awaiting a decision" in body
    assert application.decision_due_on.strftime("%Y") in body
    assert "Application submitted" in body and "E-mail address confirmed" in body
    for private in (SUPPORT, RELIGION, FIRST_NAMES, GIVEN_NAME, SURNAME):
        assert private not in body


def test_timeline_and_audit_events_are_recorded(world, client_en):
    _apply(client_en, world.school)
    application = Application.objects.get()
    assert list(application.timeline.values_list("kind", flat=True)) == [TimelineKind.SUBMITTED]

    client_en.post(reverse("application-confirm", args=[_token_from(mail.outbox[0])]))

    assert list(application.timeline.values_list("kind", flat=True)) == [
        TimelineKind.SUBMITTED,
        TimelineKind.CONFIRMED,
    ]
    events = AccessEvent.objects.filter(object_type="application", object_id=str(application.pk))
    assert sorted(events.values_list("action", flat=True)) == ["create", "update"]
    assert set(events.values_list("school_id", flat=True)) == {world.school.pk}
    assert set(events.values_list("outcome", flat=True)) == {"allowed"}


def test_no_mail_carries_the_childs_data(world, client_en):
    _apply(client_en, world.school)
    client_en.post(reverse("application-confirm", args=[_token_from(mail.outbox[0])]))
    application = Application.objects.get()
    client_en.post(
        reverse("application-follow-request"),
        {"reference": application.reference, "email": APPLICANT},
    )

    assert len(mail.outbox) == 3
    born = application.date_of_birth
    child = (
        FIRST_NAMES,
        GIVEN_NAME,
        SURNAME,
        "Fleur",
        "Marijke",
        born.isoformat(),
        born.strftime("%d-%m-%Y"),
        born.strftime("%d/%m/%Y"),
        f"{born.day} {born.strftime('%B')} {born.year}",
        SUPPORT,
        RELIGION,
        "De Hummel",
    )
    for message in mail.outbox:
        assert application.reference in message.body
        for text in (message.subject, message.body):
            for value in child:
                assert value not in text, (message.subject, value)


def test_sealed_answers_are_stored_encrypted(world, client_en):
    _apply(client_en, world.school)
    application = Application.objects.get()
    assert application.support_needs == SUPPORT
    assert application.religion == RELIGION

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT support_needs, religion FROM admissions_application WHERE id = %s",
            [application.pk],
        )
        support_raw, religion_raw = cursor.fetchone()
    for raw in (support_raw, religion_raw):
        assert raw.startswith("gAAAAA"), raw  # a Fernet token
        assert "Dyslexie" not in raw and "protestants" not in raw


def test_optional_answers_may_stay_empty(world, client_en):
    response = _apply(client_en, world.school, support_needs="", religion="")

    assert response.status_code == 303
    application = Application.objects.get()
    assert application.support_needs == "" and application.religion == ""


def test_missing_start_date_is_refused_at_its_field_keeping_everything_typed(world, client_en):
    data = form_data(
        desired_start_date="",
        g2_first_name="Joost",
        g2_surname="Zonnebloem",
        g2_phone="0687654321",
        g2_has_authority="no",
        g2_authority_decided_on="2024-03-01",
        g2_authority_reference="C/13/123456",
    )
    page_url = reverse("application-form", args=[world.school.pk])

    refused = client_en.post(page_url, data)

    assert refused.status_code == 303
    assert refused["Location"] == page_url
    assert Application.objects.count() == 0
    assert mail.outbox == []
    shown = client_en.get(page_url)
    form = shown.context["form"]
    assert list(form.errors) == ["desired_start_date"]
    html = shown.content.decode()
    assert 'id="id_desired_start_date_error"' in html
    for name, value in data.items():
        if name in ("desired_start_date",) or not value:
            continue
        assert form[name].value() == value, name
    for typed in (FIRST_NAMES, "C/13/123456", "Joost", "0687654321", SUPPORT, RELIGION):
        assert typed in html
    # Shown once: a refresh shows an empty form.
    assert not client_en.get(page_url).context["form"].is_bound


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        pytest.param(
            {"date_of_birth": "__too_young__"},
            "date_of_birth",
            "You can apply from the child's third birthday",
            id="younger-than-3",
        ),
        pytest.param(
            {"desired_start_date": "__before_4__"},
            "desired_start_date",
            "from the age of 4",
            id="start-before-4th-birthday",
        ),
        pytest.param(
            {"desired_start_date": "__yesterday__", "date_of_birth": "__six__"},
            "desired_start_date",
            "cannot be in the past",
            id="start-in-the-past",
        ),
        pytest.param(
            {"born_abroad": "on"},
            "arrived_in_netherlands_on",
            "Enter the date of arrival",
            id="born-abroad-without-arrival",
        ),
        pytest.param(
            {"born_abroad": "on", "arrived_in_netherlands_on": "__before_birth__"},
            "arrived_in_netherlands_on",
            "before the date of birth",
            id="arrival-before-birth",
        ),
        pytest.param(
            {"born_abroad": "on", "arrived_in_netherlands_on": "__tomorrow__"},
            "arrived_in_netherlands_on",
            "cannot be in the future",
            id="arrival-in-the-future",
        ),
        pytest.param(
            {"g1_has_authority": "no"},
            "g1_authority_decided_on",
            "Enter the date of the decision",
            id="no-authority-without-court-decision",
        ),
        pytest.param(
            {"g1_email": "", "g1_phone": ""},
            "g1_phone",
            "Enter a phone number or an email address",
            id="guardian-unreachable",
        ),
        pytest.param({"g1_address": ""}, "g1_address", "required", id="no-address"),
        pytest.param({"email": "geen-adres"}, "email", "valid email", id="bad-email"),
    ],
)
def test_wrong_step_is_refused_at_its_field(world, client_en, overrides, field, message):
    today = _today()
    dates = {
        "__too_young__": today.replace(year=today.year - 3) + datetime.timedelta(days=1),
        "__before_4__": _born().replace(year=_born().year + 4) - datetime.timedelta(days=1),
        "__yesterday__": today - datetime.timedelta(days=1),
        "__six__": today.replace(year=today.year - 6, day=1),
        "__before_birth__": _born() - datetime.timedelta(days=1),
        "__tomorrow__": today + datetime.timedelta(days=1),
    }
    overrides = {
        name: dates[value].isoformat() if value in dates else value
        for name, value in overrides.items()
    }
    page_url = reverse("application-form", args=[world.school.pk])

    client_en.post(page_url, form_data(**overrides))

    assert Application.objects.count() == 0
    assert mail.outbox == []
    form = client_en.get(page_url).context["form"]
    assert field in form.errors, dict(form.errors)
    assert message in " ".join(form.errors[field])


def test_the_service_refuses_without_the_page(world):
    """An API can call the service: the same rules, the fields named."""
    from admissions.services.applications import (
        ApplicationDetails,
        ApplicationError,
        ChildDetails,
        application_submit,
    )
    from students.services.enrolment import GuardianDetails

    details = ApplicationDetails(
        child=ChildDetails(
            first_names="A",
            given_name="A",
            surname="B",
            date_of_birth=_born(),
            desired_start_date=None,
        ),
        guardians=[
            GuardianDetails(first_name="C", surname="B", phone="1", address="X"),
            GuardianDetails(first_name="D", surname="B", phone="2"),
            GuardianDetails(first_name="E", surname="B", phone="3"),
        ],
        email="x@t.example",
    )
    with pytest.raises(ApplicationError) as refused:
        application_submit(school=world.school, details=details)

    assert set(refused.value.field_errors) == {"desired_start_date", "guardians"}
    assert Application.objects.count() == 0


def test_unconfirmed_application_is_not_among_the_open_ones(world, client_en):
    """The staff inbox lists the open applications (OPEN_STATUSES); one whose address was not
    confirmed is not among them, nor has its clock started."""
    _apply(client_en, world.school)
    application = Application.objects.get()

    staff = Application.objects.filter(school=world.school, status__in=OPEN_STATUSES)

    assert application not in staff
    assert application.decision_due_on is None
    client_en.post(reverse("application-confirm", args=[_token_from(mail.outbox[0])]))
    assert application in staff.all()


def test_expired_link_confirms_nothing_and_says_what_to_do(world, client_en):
    _apply(client_en, world.school)
    token = _token_from(mail.outbox[0])
    url = reverse("application-confirm", args=[token])

    with freeze_time(timezone.now() + datetime.timedelta(hours=CONFIRMATION_HOURS, minutes=1)):
        page = client_en.get(url)
        refused = client_en.post(url)
        shown = client_en.get(refused["Location"])

    assert page.status_code == 200
    assert b"This link has expired." in page.content
    assert b"Apply again" in page.content
    assert refused.status_code == 303
    assert b"This link has expired." in shown.content
    application = Application.objects.get()
    assert application.status == ApplicationStatus.UNCONFIRMED
    assert len(mail.outbox) == 1


def test_used_link_confirms_nothing_again(world, client_en):
    _apply(client_en, world.school)
    url = reverse("application-confirm", args=[_token_from(mail.outbox[0])])
    client_en.post(url)
    application = Application.objects.get()
    due = application.decision_due_on

    with freeze_time(timezone.now() + datetime.timedelta(days=3)):
        page = client_en.get(url)
        again = client_en.post(url)

    assert b"This link does not work (any more)." in page.content
    assert b"Perhaps you already confirmed" in page.content
    assert again.status_code == 303
    application.refresh_from_db()
    assert application.decision_due_on == due
    assert application.timeline.filter(kind=TimelineKind.CONFIRMED).count() == 1
    assert len(mail.outbox) == 2


def test_unknown_link_shows_the_same_page(world, client_en):
    page = client_en.get(reverse("application-confirm", args=["not-a-token"]))

    assert page.status_code == 200
    assert b"This link does not work (any more)." in page.content


def test_beat_task_deletes_unconfirmed_applications_whose_link_expired(world, client_en):
    _apply(client_en, world.school)
    _apply(client_en, world.school, email="tweede@t.example")
    first, second = Application.objects.order_by("pk")
    # The first is confirmed; the second waits.
    client_en.post(reverse("application-confirm", args=[_token_from(mail.outbox[0])]))

    applications_unconfirmed_delete_task.delay()
    assert Application.objects.count() == 2

    with freeze_time(timezone.now() + datetime.timedelta(hours=CONFIRMATION_HOURS, minutes=1)):
        applications_unconfirmed_delete_task.delay()
        assert applications_unconfirmed_delete() == 0

    assert list(Application.objects.values_list("pk", flat=True)) == [first.pk]
    assert not ApplicationGuardian.objects.filter(application_id=second.pk).exists()


def test_beat_schedule_runs_the_deletion_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["admissions-unconfirmed-applications"]
    assert entry["task"] == "admissions.tasks.applications_unconfirmed_delete_task"
    assert len(entry["schedule"].hour) == 24


def test_applications_are_limited_per_email_address(world, client_en):
    for _n in range(public.APPLY_PER_EMAIL_PER_HOUR):
        assert _apply(client_en, world.school).status_code == 303
    count = Application.objects.count()
    mails = len(mail.outbox)

    limited = _apply(client_en, world.school)

    assert limited.status_code == 429
    assert b"Too many attempts" in limited.content
    assert b"nothing you typed was kept" in limited.content
    assert Application.objects.count() == count
    assert len(mail.outbox) == mails
    # Another address from the same network may still apply.
    assert _apply(client_en, world.school, email="ander@t.example").status_code == 303


def test_applications_are_limited_per_network_address(world, client_en, monkeypatch):
    monkeypatch.setattr(public, "APPLY_PER_ADDRESS_PER_HOUR", 2)
    for n in range(2):
        assert _apply(client_en, world.school, email=f"ouder{n}@t.example").status_code == 303

    limited = _apply(client_en, world.school, email="ouder9@t.example")

    assert limited.status_code == 429
    assert Application.objects.count() == 2
    other_network = Client(REMOTE_ADDR="192.0.2.77")
    assert _apply(other_network, world.school, email="ouder9@t.example").status_code == 303


def test_refused_forms_do_not_count_against_the_limit(world, client_en):
    for _n in range(public.APPLY_PER_EMAIL_PER_HOUR + 2):
        _apply(client_en, world.school, desired_start_date="")

    assert _apply(client_en, world.school).status_code == 303


def test_follow_request_answers_the_same_whether_or_not_it_matches(world, client_en):
    _apply(client_en, world.school)
    client_en.post(reverse("application-confirm", args=[_token_from(mail.outbox[0])]))
    application = Application.objects.get()
    url = reverse("application-follow-request")
    answers = []
    for reference, email in (
        (application.reference, APPLICANT),
        (application.reference, "iemand.anders@t.example"),
        ("2026-ZZZZZZ", APPLICANT),
    ):
        response = client_en.post(url, {"reference": reference, "email": email}, follow=True)
        answers.append(
            re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        )

    assert answers[0] == answers[1] == answers[2]
    assert len(mail.outbox) == 3  # the confirmation, the confirmed, one follow link
    assert mail.outbox[2].to == [APPLICANT]
    assert client_en.get(_follow_from(mail.outbox[2])).status_code == 200


def test_emails_are_queued_on_commit_never_sent_inside_the_request(
    world, django_capture_on_commit_callbacks
):
    """The confirmation, the confirmed mail and a follow link: each a task queued once the
    request's transaction commits; the request itself sends nothing."""
    client = Client()
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert _apply(client, world.school).status_code == 303
    assert mail.outbox == []
    assert [callback.func.__self__.name for callback in queued] == [
        "admissions.tasks.application_confirm_mail_task"
    ]
    queued[0]()
    (message,) = mail.outbox
    assert message.subject.startswith("Confirm your application")  # the page's language
    token = _token_from(message)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(reverse("application-confirm", args=[token]))
    assert len(mail.outbox) == 1
    assert [callback.func.__self__.name for callback in queued] == [
        "admissions.tasks.application_confirmed_mail_task"
    ]
    queued[0]()
    assert len(mail.outbox) == 2


def test_a_follow_request_queues_the_same_task_whether_or_not_it_matches(
    world, client_en, django_capture_on_commit_callbacks
):
    """The lookup is the task's: the request does the same work either way, so its timing
    says nothing about whether the reference and the address match."""
    _apply(client_en, world.school)
    client_en.post(reverse("application-confirm", args=[_token_from(mail.outbox[0])]))
    application = Application.objects.get()
    plain = Client()
    queued_per_request = []
    for reference, email in (
        (application.reference, APPLICANT),
        (application.reference, "iemand.anders@t.example"),
        ("2026-ZZZZZZ", APPLICANT),
    ):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            plain.post(
                reverse("application-follow-request"), {"reference": reference, "email": email}
            )
        queued_per_request.append([callback.func.__self__.name for callback in queued])
        for callback in queued:
            callback()

    assert queued_per_request == [["admissions.tasks.follow_link_mail_task"]] * 3
    assert len(mail.outbox) == 3  # the confirmation, the confirmed, one follow link
    assert mail.outbox[2].to == [APPLICANT]


def test_parallel_applications_cannot_pass_the_limit_together(world, client_en, monkeypatch):
    """A second request arriving while the first is being sent finds it counted already."""
    monkeypatch.setattr(public, "APPLY_PER_EMAIL_PER_HOUR", 1)
    submit = public.application_submit
    parallel = []

    def submit_while_another_arrives(**kwargs):
        if not parallel:
            parallel.append(_apply(Client(), world.school))
        return submit(**kwargs)

    monkeypatch.setattr(public, "application_submit", submit_while_another_arrives)

    assert _apply(client_en, world.school).status_code == 303
    assert parallel[0].status_code == 429
    assert Application.objects.count() == 1


def test_follow_request_sends_nothing_for_an_unconfirmed_application(world, client_en):
    _apply(client_en, world.school)
    application = Application.objects.get()

    client_en.post(
        reverse("application-follow-request"),
        {"reference": application.reference, "email": APPLICANT},
    )

    assert len(mail.outbox) == 1


def test_follow_requests_are_limited(world, client_en):
    url = reverse("application-follow-request")
    data = {"reference": "2026-ABCDEF", "email": APPLICANT}
    for _n in range(public.FOLLOW_PER_EMAIL_PER_HOUR):
        assert client_en.post(url, data).status_code == 303

    limited = client_en.post(url, data)

    assert limited.status_code == 429
    assert b"no link was sent" in limited.content


def test_follow_link_of_another_address_or_tampered_opens_nothing(world, client_en):
    _apply(client_en, world.school)
    client_en.post(reverse("application-confirm", args=[_token_from(mail.outbox[0])]))
    link = _follow_from(mail.outbox[1])
    application = Application.objects.get()

    assert client_en.get(link[:-3] + "x/").status_code == 404
    application.email = "nieuw@t.example"
    application.save(update_fields=["email"])
    gone = client_en.get(link)
    assert gone.status_code == 404
    assert b"Get a new link" in gone.content


def test_follow_link_holds_no_email_address(world, client_en):
    _apply(client_en, world.school)
    client_en.post(reverse("application-confirm", args=[_token_from(mail.outbox[0])]))

    link = _follow_from(mail.outbox[1])

    assert "t.example" not in link and "ouder" not in link


def test_a_logged_in_parent_applies_the_same_way(world):
    client = Client()
    client.force_login(world.users["guardian"])

    response = _apply(client, world.school)

    assert response.status_code == 303
    assert Application.objects.get().email == APPLICANT


def test_start_page_lists_the_schools_by_name(world, client_en):
    response = client_en.get(reverse("application-start"))

    assert response.status_code == 200
    for school in (world.school, world.other_school, world.foreign_school):
        assert reverse("application-form", args=[school.pk]).encode() in response.content


def test_start_page_goes_straight_to_the_form_of_the_only_school(db, client_en):
    from tests.students.factories import SchoolFactory

    school = SchoolFactory.create(name="OBS Enig")

    response = client_en.get(reverse("application-start"))

    assert response.status_code == 302
    assert response["Location"] == reverse("application-form", args=[school.pk])


def test_form_of_an_unknown_school_is_not_found(client_en, db):
    assert client_en.get(reverse("application-form", args=[999999])).status_code == 404


def test_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("application-form", args=[world.school.pk]), form_data())

    assert response.status_code == 403
    assert Application.objects.count() == 0
