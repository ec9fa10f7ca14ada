"""The school's side of an application: the inbox with its clocks, the application's page
(the sealed answers only for the director and the care coordinator, audited), and the
decisions: extend once, refuse, withdrawn, enrol (tests/admissions/test_decisions_enrol.py)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from admissions.constants import EXTENSION_PERIOD, ApplicationStatus, TimelineKind
from admissions.models import Application
from admissions.services.decisions import (
    DecisionError,
    application_extend,
    application_refuse,
    application_withdraw,
)
from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent

from .factories_decisions import RELIGION, SUPPORT_NEEDS, ApplicationFactory


@pytest.fixture(autouse=True)
def _english():
    """The services' reasons are read in English here (the pages set their own language)."""
    with translation.override("en"):
        yield


def _today() -> datetime.date:
    return timezone.localdate()


def _login(client, world, role: str):
    client.force_login(world.users[role])
    client.cookies["django_language"] = "en"
    return client


# --- The inbox ---------------------------------------------------------------------------


def test_inbox_shows_open_applications_of_the_school_most_urgent_first(world, client):
    late = ApplicationFactory.create(
        school=world.school, complete_on=_today() - datetime.timedelta(days=45), given_name="Lars"
    )
    soon = ApplicationFactory.create(
        school=world.school, complete_on=_today() - datetime.timedelta(days=30), given_name="Bo"
    )
    extended = ApplicationFactory.create(school=world.school, extended=True, given_name="Kim")
    ApplicationFactory.create(school=world.school, unconfirmed=True, given_name="Unconfirmed")
    ApplicationFactory.create(school=world.school, refused=True, given_name="Refused")
    ApplicationFactory.create(school=world.other_school, given_name="Elsewhere")

    response = _login(client, world, "administration").get(reverse("application-inbox"))

    assert response.status_code == 200
    shown = [application.pk for application, _clock in response.context["rows"]]
    assert shown == [late.pk, soon.pk, extended.pk]
    body = response.content.decode()
    assert "3 days late" in body
    assert "12 days left" in body
    assert "extended once" in body
    for hidden in ("Unconfirmed", "Refused", "Elsewhere"):
        assert hidden not in body


def test_inbox_tab_shows_the_decisions_of_the_last_year(world, client):
    recent = ApplicationFactory.create(school=world.school, refused=True, given_name="Recent")
    ApplicationFactory.create(
        school=world.school,
        refused=True,
        decided_on=_today() - datetime.timedelta(days=400),
        given_name="Longago",
    )
    ApplicationFactory.create(school=world.school, given_name="Stillopen")

    response = _login(client, world, "director").get(
        reverse("application-inbox"), {"tab": "decided"}
    )

    assert [a.pk for a, _clock in response.context["rows"]] == [recent.pk]
    assert "Longago" not in response.content.decode()
    assert "Stillopen" not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("director", 200),
        ("administration", 200),
        ("care_coordinator", 200),
        ("teacher", 403),
        ("privacy_officer", 403),
        ("guardian", 403),
    ],
)
def test_inbox_is_for_the_handlers_and_the_care_coordinator(world, client, role, status):
    ApplicationFactory.create(school=world.school)
    assert _login(client, world, role).get(reverse("application-inbox")).status_code == status


def test_the_ten_week_note_on_the_clock_reveals_no_support_need_to_the_administration(
    world, client
):
    with_need = ApplicationFactory.create(school=world.school, sealed=True)
    without = ApplicationFactory.create(school=world.school)
    admin = _login(client, world, "administration")
    pages = [admin.get(reverse("application-detail", args=[a.pk])) for a in (with_need, without)]
    notes = [
        re.search(r'class="application-provisional">(.*?)</p>', p.content.decode(), re.S)[1]
        for p in pages
    ]
    # The same words whether or not a support need was given.
    assert notes[0].strip() == notes[1].strip()
    assert "a child with a support need" in notes[0]

    director = _login(client, world, "director")
    page = director.get(reverse("application-detail", args=[with_need.pk])).content.decode()
    assert "A support need was given" in page
    page = director.get(reverse("application-detail", args=[without.pk])).content.decode()
    assert "No support need was given" in page


# --- The application's page --------------------------------------------------------------


def test_the_administration_never_sees_the_sealed_answers(world, client):
    application = ApplicationFactory.create(school=world.school, sealed=True)

    response = _login(client, world, "administration").get(
        reverse("application-detail", args=[application.pk])
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert application.first_names in body
    assert SUPPORT_NEEDS not in body
    assert RELIGION not in body
    special = AccessEvent.objects.filter(
        object_type="application", data_kind__in=[DataKind.CARE, DataKind.RELIGION]
    )
    assert not special.exists()
    # Opening the application is on the record all the same.
    assert AccessEvent.objects.filter(
        object_type="application",
        object_id=str(application.pk),
        action=Action.VIEW,
        data_kind=DataKind.BASICS,
        actor_id=world.users["administration"].pk,
    ).exists()


@pytest.mark.parametrize("role", ["director", "care_coordinator"])
def test_the_director_and_care_coordinator_read_the_sealed_answers_audited(world, client, role):
    application = ApplicationFactory.create(school=world.school, sealed=True)

    response = _login(client, world, role).get(reverse("application-detail", args=[application.pk]))

    body = response.content.decode()
    assert SUPPORT_NEEDS in body
    assert RELIGION in body
    kinds = set(
        AccessEvent.objects.filter(
            object_type="application",
            object_id=str(application.pk),
            actor_id=world.users[role].pk,
            special_category=True,
        ).values_list("data_kind", flat=True)
    )
    assert kinds == {DataKind.CARE, DataKind.RELIGION}


def test_the_care_coordinator_reads_but_is_offered_no_decision(world, client):
    application = ApplicationFactory.create(school=world.school)
    body = (
        _login(client, world, "care_coordinator")
        .get(reverse("application-detail", args=[application.pk]))
        .content.decode()
    )
    assert reverse("application-extend", args=[application.pk]) not in body
    assert reverse("application-withdraw", args=[application.pk]) not in body
    assert "the director decides on it" in body


GUARDIAN = {
    "first_name": "Wilhelmina",
    "surname": "Oudshoorn",
    "email": "w.oudshoorn@prive.example",
    "phone": "06-98765432",
    "address": "Kastanjelaan 12, 8011 AB Zwolle",
}


@pytest.mark.parametrize("state", ["open", "extended", "refused", "withdrawn"])
def test_the_care_coordinator_sees_only_the_child_the_clock_and_the_sealed_answers(
    world, client, state
):
    """She advises on the support needs: the reference, the child's name and date of birth,
    the desired start date, the clock and the sealed answers; never the guardians, their
    contact data, the applicant's address, the timeline, reasons, notes or staff names."""
    traits = {"extended": {"extended": True}, "refused": {"refused": True}}.get(state, {})
    if state == "withdrawn":
        traits = {
            "status": ApplicationStatus.WITHDRAWN,
            "decided_on": _today(),
            "withdrawal_note": "Moeder belde: zij verhuizen naar Deventer.",
        }
    application = ApplicationFactory.create(
        school=world.school,
        sealed=True,
        decided_by=world.users["director"] if state in ("refused", "withdrawn") else None,
        guardians=[GUARDIAN],
        **traits,
    )
    application.timeline.create(
        kind=TimelineKind.NOTE, actor=world.users["administration"], note="Gebeld met de opvang"
    )
    response = _login(client, world, "care_coordinator").get(
        reverse("application-detail", args=[application.pk])
    )

    assert response.status_code == 200
    body = response.content.decode()
    for shown in (
        application.reference,
        application.child_name,
        application.date_of_birth.strftime("%Y"),
        SUPPORT_NEEDS,
        RELIGION,
    ):
        assert shown in body
    hidden = [
        *GUARDIAN.values(),
        application.email,
        "Gebeld met de opvang",
        str(world.users["administration"]),
        str(world.users["director"]),
        application.current_school,
    ]
    for text in (application.refusal_reason, application.referral_school):
        hidden += [text] if text else []
    hidden += [application.withdrawal_note] if application.withdrawal_note else []
    hidden += [application.extension_reason] if application.extension_reason else []
    leaked = [text for text in hidden if text in body]
    assert not leaked
    assert reverse("application-refusal-letter", args=[application.pk]) not in body
    if state in ("open", "extended"):
        assert "days left" in body


def test_the_care_coordinator_has_no_decided_tab(world, client):
    ApplicationFactory.create(school=world.school, refused=True, given_name="Refused")
    care = _login(client, world, "care_coordinator")

    assert care.get(reverse("application-inbox"), {"tab": "decided"}).status_code == 403
    inbox = care.get(reverse("application-inbox")).content.decode()
    assert "tab=decided" not in inbox
    assert "Refused" not in inbox
    assert AccessEvent.objects.filter(
        object_type="application",
        outcome=Outcome.DENIED,
        actor_id=world.users["care_coordinator"].pk,
    ).exists()


def test_an_application_of_another_school_is_not_found_and_recorded(world, client):
    other = ApplicationFactory.create(school=world.other_school)
    response = _login(client, world, "director").get(reverse("application-detail", args=[other.pk]))
    assert response.status_code == 404
    assert AccessEvent.objects.filter(
        object_type="application", object_id=str(other.pk), outcome=Outcome.DENIED
    ).exists()


def test_an_unconfirmed_application_is_shown_to_nobody(world, client):
    unconfirmed = ApplicationFactory.create(school=world.school, unconfirmed=True)
    response = _login(client, world, "director").get(
        reverse("application-detail", args=[unconfirmed.pk])
    )
    assert response.status_code == 404


# --- Extend once -------------------------------------------------------------------------


def test_extension_moves_the_date_once_tells_the_parents_and_is_recorded(
    world, django_capture_on_commit_callbacks
):
    application = ApplicationFactory.create(school=world.school)
    due = application.decision_due_on
    director = world.users["director"]

    with django_capture_on_commit_callbacks(execute=True):
        application_extend(user=director, application=application, reason="Verslag logopedist")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.EXTENDED
    assert application.decision_due_on == due + EXTENSION_PERIOD
    assert application.extended_on == _today()
    assert application.extension_reason == "Verslag logopedist"
    event = application.timeline.get(kind=TimelineKind.EXTENDED)
    assert (event.actor, event.note) == (director, "Verslag logopedist")
    assert AccessEvent.objects.filter(
        object_type="application", object_id=str(application.pk), action=Action.UPDATE
    ).exists()
    (message,) = mail.outbox
    assert message.to == [application.email]
    assert "/admissions/follow/" in message.body
    # Only that the school needs more time: not the reason, never the child.
    assert "Verslag logopedist" not in message.body
    for value in (application.given_name, application.surname, application.first_names):
        assert value not in message.body
        assert value not in message.subject

    with pytest.raises(DecisionError, match="only once"):
        application_extend(user=director, application=application, reason="Nog meer tijd")
    application.refresh_from_db()
    assert application.decision_due_on == due + EXTENSION_PERIOD


def test_extension_needs_a_reason(world):
    application = ApplicationFactory.create(school=world.school)
    with pytest.raises(DecisionError) as refused:
        application_extend(user=world.users["director"], application=application, reason="  ")
    assert "reason" in refused.value.field_errors
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECEIVED


def test_extension_after_the_six_weeks_is_refused(world):
    application = ApplicationFactory.create(
        school=world.school, complete_on=_today() - datetime.timedelta(days=43)
    )
    with pytest.raises(DecisionError, match="before it ends"):
        application_extend(user=world.users["director"], application=application, reason="Laat")


def test_a_second_extension_is_refused_on_the_page_with_a_clear_message(world, client):
    application = ApplicationFactory.create(school=world.school, extended=True)
    director = _login(client, world, "director")
    url = reverse("application-extend", args=[application.pk])

    page = director.get(url).content.decode()
    assert "It can be extended only once" in page
    assert "<textarea" not in page

    response = director.post(url, {"reason": "Nog eens"})
    assert response.status_code == 303
    assert response["Location"] == url
    assert "It can be extended only once" in director.get(url).content.decode()
    application.refresh_from_db()
    assert application.extension_reason == "Wij wachten op het verslag van de logopedist."


def test_extend_page_refuses_an_empty_reason_at_the_field(world, client):
    application = ApplicationFactory.create(school=world.school)
    director = _login(client, world, "director")
    url = reverse("application-extend", args=[application.pk])

    response = director.post(url, {"reason": ""})

    assert response.status_code == 303
    page = director.get(url)
    assert page.context["form"].errors["reason"]
    application.refresh_from_db()
    assert application.extended_on is None


@pytest.mark.parametrize("name", ["application-extend", "application-refuse", "application-enrol"])
@pytest.mark.parametrize("role", ["administration", "care_coordinator", "teacher"])
def test_only_the_director_decides(world, client, name, role):
    application = ApplicationFactory.create(school=world.school)
    url = reverse(name, args=[application.pk])
    http = _login(client, world, role)
    assert http.get(url).status_code == 403
    assert http.post(url, {"reason": "Vol"}).status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECEIVED


def test_director_of_another_school_cannot_decide_here(world, client):
    other = ApplicationFactory.create(school=world.other_school)
    response = _login(client, world, "director").post(
        reverse("application-refuse", args=[other.pk]), {"reason": "Vol"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == ApplicationStatus.RECEIVED


# --- Refuse ------------------------------------------------------------------------------


def test_refusal_needs_a_reason(world, client):
    application = ApplicationFactory.create(school=world.school)
    with pytest.raises(DecisionError):
        application_refuse(user=world.users["director"], application=application, reason="")
    director = _login(client, world, "director")
    url = reverse("application-refuse", args=[application.pk])
    response = director.post(url, {"reason": "", "referral_school": "SBO De Wegwijzer"})
    assert response["Location"] == url
    page = director.get(url)
    assert page.context["form"].errors["reason"]
    assert 'value="SBO De Wegwijzer"' in page.content.decode()  # what was typed is kept
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECEIVED


def test_refusal_with_a_referral_is_decided_recorded_and_told(
    world, client, django_capture_on_commit_callbacks
):
    application = ApplicationFactory.create(school=world.school)
    director = _login(client, world, "director")

    with django_capture_on_commit_callbacks(execute=True):
        response = director.post(
            reverse("application-refuse", args=[application.pk]),
            {"reason": "Wij kunnen de zorg niet bieden.", "referral_school": "SBO De Wegwijzer"},
        )

    assert response.status_code == 303
    assert response["Location"] == reverse("application-detail", args=[application.pk])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    assert application.decided_on == _today()
    assert application.decided_by == world.users["director"]
    assert application.referral_school == "SBO De Wegwijzer"
    assert application.timeline.filter(kind=TimelineKind.REFUSED).exists()
    (message,) = mail.outbox
    assert "Wij kunnen" not in message.body
    assert application.given_name not in message.body
    page = director.get(response["Location"]).content.decode()
    assert reverse("application-refusal-letter", args=[application.pk]) in page


def test_withdrawal_is_recorded_by_the_administration_with_a_note(
    world, client, django_capture_on_commit_callbacks
):
    application = ApplicationFactory.create(school=world.school)
    admin = _login(client, world, "administration")
    url = reverse("application-withdraw", args=[application.pk])

    assert admin.post(url, {"note": ""})["Location"] == url
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECEIVED

    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url, {"note": "Moeder belde: zij verhuizen."})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.withdrawal_note == "Moeder belde: zij verhuizen."
    assert application.decided_by == world.users["administration"]
    assert len(mail.outbox) == 1


# --- Two people, one decision ------------------------------------------------------------


def test_a_second_decision_on_a_decided_application_is_refused(world):
    application = ApplicationFactory.create(school=world.school)
    stale = Application.objects.get(pk=application.pk)  # the other person's page
    director = world.users["director"]

    application_refuse(user=director, application=application, reason="Vol")

    for decide in (
        lambda: application_extend(user=director, application=stale, reason="Tijd"),
        lambda: application_withdraw(user=director, application=stale, note="Belde"),
        lambda: application_refuse(user=director, application=stale, reason="Anders"),
    ):
        with pytest.raises(DecisionError, match="decided meanwhile"):
            decide()
    application.refresh_from_db()
    assert (application.status, application.refusal_reason) == (ApplicationStatus.REFUSED, "Vol")
    assert application.timeline.filter(kind=TimelineKind.REFUSED).count() == 1


def test_a_decision_posted_after_another_is_refused_with_the_reason(world, client):
    application = ApplicationFactory.create(school=world.school)
    director = _login(client, world, "director")
    url = reverse("application-refuse", args=[application.pk])
    director.post(reverse("application-withdraw", args=[application.pk]), {"note": "Belde"})

    response = director.post(url, {"reason": "Vol"})

    assert response.status_code == 303
    page = director.get(url).content.decode()
    assert "This application is decided already" in page
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


# --- The API -----------------------------------------------------------------------------


def test_api_lists_the_inbox_with_clocks_in_scope(world, api):
    mine = ApplicationFactory.create(school=world.school, sealed=True)
    ApplicationFactory.create(school=world.other_school)
    api.force_login(world.users["administration"])

    body = api.get(reverse("api:application-list")).json()

    assert [row["id"] for row in body["results"]] == [mine.pk]
    clock = body["results"][0]["clock"]
    assert clock["days_left"] == 32
    assert clock["due_on"] == mine.decision_due_on.isoformat()
    assert SUPPORT_NEEDS not in str(body)
    for role in ("teacher", "care_coordinator"):
        api.force_login(world.users[role])
        assert api.get(reverse("api:application-list")).status_code == 403


def test_a_decision_locks_only_the_application_row(world, monkeypatch):
    """select_related with a plain select_for_update would lock the school and board rows
    too (PostgreSQL): only the application's own row is locked."""
    from django.db.models import QuerySet

    from admissions.services.decisions import _locked_open

    seen: list[tuple[type, tuple]] = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        seen.append((self.model, kwargs.get("of", ())))
        return original(self, *args, **kwargs)

    application = ApplicationFactory(school=world.school)
    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    _locked_open(application)
    assert seen == [(Application, ("self",))]


# --- The e-mail is a task ----------------------------------------------------------------


def test_the_news_mail_is_a_task_queued_on_commit(world, django_capture_on_commit_callbacks):
    from smtplib import SMTPException

    from admissions import tasks

    application = ApplicationFactory.create(school=world.school)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        application_extend(user=world.users["director"], application=application, reason="Tijd")

    assert mail.outbox == []
    assert [callback.func.__self__.name for callback in queued] == [
        "admissions.tasks.application_news_mail_task"
    ]
    queued[0]()
    assert [message.to for message in mail.outbox] == [[application.email]]
    for task in (
        tasks.application_news_mail_task,
        tasks.application_confirm_mail_task,
        tasks.application_confirmed_mail_task,
        tasks.follow_link_mail_task,
    ):
        assert SMTPException in task.autoretry_for, task.name
