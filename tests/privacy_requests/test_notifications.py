"""Emails about a request: sent after the commit, to the requester in their language, on
receipt also to the other guardians with parental authority (never to one without), and a
daily reminder to the handlers of schools with requests due soon or overdue."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext
from freezegun import freeze_time

from accounts.constants import Function, Role
from privacy_requests import services
from privacy_requests.constants import IdentityCheck, Kind, Status
from tests.students.factories import make_guardian_user, make_staff

from .conftest import recipients

pytestmark = pytest.mark.usefixtures("english")

HANDLE = Function.HANDLE_REQUESTS
DECIDE = Function.DECIDE_REQUESTS


def _to(address: str):
    (message,) = [m for m in mail.outbox if address in m.to]
    return message


def test_mail_waits_for_the_commit_when_request_submitted(
    world, django_capture_on_commit_callbacks
):
    user = world.users["guardian"]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.request_submit(
            user=user,
            student=world.pupil3,
            guardian=user.guardian,
            kind=Kind.ACCESS,
            description="Inzage graag",
        )

    assert len(callbacks) == 1
    assert mail.outbox == []


def test_requester_and_other_guardian_with_authority_mailed_when_request_received(
    world, flow, second_guardian
):
    second_guardian.language = "en"
    second_guardian.save(update_fields=["language"])

    request = flow.submit(Kind.ACCESS, description="Ik wil alles zien wat u van Tim heeft")

    assert recipients() == sorted([world.users["guardian"].email, second_guardian.email])
    assert world.users["guardian_limited"].email not in recipients()
    own = _to(world.users["guardian"].email)
    assert own.subject == "Access (inzage) for Tim: received"
    assert "Ik wil alles zien wat u van Tim heeft" in own.body
    other = _to(second_guardian.email)
    assert other.subject == "A privacy request was made for Tim"
    assert world.users["guardian"].guardian.display_name in other.body
    assert request.description not in other.body  # the requester's own words stay theirs


def test_other_guardian_without_email_skipped_when_request_received(world, flow, second_guardian):
    second_guardian.email = ""
    second_guardian.save(update_fields=["email"])

    flow.submit(Kind.ACCESS)

    assert recipients() == [world.users["guardian"].email]


def _dutch(message_id: str, **values) -> str:
    with translation.override("nl"):
        return gettext(message_id) % values


@pytest.mark.parametrize(("requester_language", "other_language"), [("nl", "en"), ("en", "nl")])
def test_each_guardian_mailed_in_their_language_when_request_received(
    world, flow, second_guardian, requester_language, other_language
):
    second_guardian.language = other_language
    second_guardian.save(update_fields=["language"])

    # The requester's language is the one they use the portal in.
    with freeze_time("2027-03-10 10:00"), translation.override(requester_language):
        request = flow.submit(Kind.ACCESS)

    assert request.language == requester_language
    own = _to(world.users["guardian"].email)
    other = _to(second_guardian.email)
    english_own = "Access (inzage) for Tim: received"
    english_other = "A privacy request was made for Tim"
    with translation.override("nl"):
        dutch_own = gettext("%(kind)s for %(child)s: %(status)s") % {
            "kind": str(Kind.ACCESS.label),
            "child": "Tim",
            "status": gettext("received"),
        }
    dutch_other = _dutch("A privacy request was made for %(child)s", child="Tim")
    assert dutch_own != english_own and dutch_other != english_other  # translations are there
    if requester_language == "nl":
        assert own.subject == dutch_own
        assert "10 maart 2027" in own.body and "10 april 2027" in own.body
        assert other.subject == english_other
    else:
        assert own.subject == english_own
        assert "March 10, 2027" in own.body and "April 10, 2027" in own.body
        assert other.subject == dutch_other


def test_letter_answered_in_guardians_language_when_school_registers_it(world, flow):
    guardian = world.users["guardian"].guardian
    guardian.language = "en"
    guardian.save(update_fields=["language"])

    with translation.override("nl"):  # the administration works in Dutch
        request = flow.run(
            services.request_register,
            user=world.users["administration"],
            student=world.pupil3,
            guardian=guardian,
            identity_check=IdentityCheck.ID_DOCUMENT,
            received_on=timezone.localdate(),
            kind=Kind.ACCESS,
            description="Brief: inzage",
        )

    assert request.language == "en"
    assert _to(guardian.email).subject == "Access (inzage) for Tim: received"


# --- steps the requester is told about -------------------------------------------------------


def _received(flow):
    request = flow.submit(Kind.ACCESS)
    mail.outbox.clear()
    return request


def test_requester_told_new_date_and_reason_when_deadline_extended(world, flow, second_guardian):
    with freeze_time("2027-01-31 10:00"):
        request = _received(flow)
        flow.act(
            "administration",
            request,
            HANDLE,
            services.request_extend,
            months=2,
            reason="Wij moeten ook het oude archief doorzoeken",
        )

    (message,) = mail.outbox
    assert message.to == [world.users["guardian"].email]
    assert message.subject == "Access (inzage) for Tim: deadline extended"
    assert "Wij moeten ook het oude archief doorzoeken" in message.body
    assert "April 30, 2027" in message.body


def test_requester_asked_the_question_when_school_waits(world, flow):
    request = _received(flow)

    flow.act(
        "administration",
        request,
        HANDLE,
        services.request_wait,
        question="Over welk schooljaar gaat uw verzoek?",
    )

    (message,) = mail.outbox
    assert message.to == [world.users["guardian"].email]
    assert "Over welk schooljaar gaat uw verzoek?" in message.body


def test_only_requester_mailed_when_package_released(world, flow, second_guardian):
    request = _received(flow)
    flow.built(request)
    assert mail.outbox == []  # starting and building tell nobody

    flow.release("director", request)

    (message,) = mail.outbox
    assert message.to == [world.users["guardian"].email]
    assert message.subject == "Access (inzage) for Tim: completed"
    assert "download it in the portal" in message.body


def test_requester_told_reason_and_right_to_complain_when_rejected(world, flow, second_guardian):
    request = _received(flow)

    flow.act(
        "director",
        request,
        DECIDE,
        services.request_reject,
        reason="U heeft geen ouderlijk gezag meer over dit kind",
    )

    assert flow.fresh(request).status == Status.REJECTED
    (message,) = mail.outbox
    assert message.to == [world.users["guardian"].email]
    assert message.subject == "Access (inzage) for Tim: rejected"
    assert "U heeft geen ouderlijk gezag meer over dit kind" in message.body
    assert "Autoriteit Persoonsgegevens" in message.body


def test_dutch_rejection_names_the_authority_when_requester_writes_dutch(world, flow):
    with translation.override("nl"):
        request = _received(flow)
    flow.act("director", request, DECIDE, services.request_reject, reason="Geen gezag")

    (message,) = mail.outbox
    assert "Autoriteit Persoonsgegevens" in message.body
    assert message.subject != "Access (inzage) for Tim: rejected"


def test_nobody_mailed_when_handling_starts(world, flow):
    request = _received(flow)

    flow.act("administration", request, HANDLE, services.request_start)

    assert mail.outbox == []


# --- the daily reminder to handlers ----------------------------------------------------------


def _overdue() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("overdue")


@pytest.fixture
def other_school_request(world, flow):
    """A request in the other school of the board, received a few days before 10 March."""
    parent = make_guardian_user(world.other_pupil, email="other-parent@t.example")
    make_staff(Role.DIRECTOR, school=world.other_school, email="director2@t.example")
    with freeze_time("2027-03-05 10:00"):
        return flow.submit(Kind.ACCESS, student=world.other_pupil, user=parent)


def test_handlers_of_school_mailed_when_request_overdue(world, flow, other_school_request):
    with freeze_time("2027-01-05 10:00"):
        overdue = flow.submit(Kind.ACCESS)  # due 5 February
    mail.outbox.clear()

    with freeze_time("2027-03-10 07:00"):
        sent = services.requests_due_soon_notify()

    (message,) = mail.outbox
    assert sorted(message.to) == sorted(
        [world.users["director"].email, world.users["administration"].email]
    )
    assert sent == 2
    assert f"#{overdue.pk}" in message.body
    assert f"({_overdue()})" in message.body  # staff mail is in the school's language
    assert f"#{other_school_request.pk}" not in message.body
    assert "director2@t.example" not in recipients()
    assert world.users["care_coordinator"].email not in recipients()


def test_handlers_mailed_when_request_due_within_a_week(world, flow):
    with freeze_time("2027-02-10 10:00"):
        request = flow.submit(Kind.ACCESS)  # due 10 March
    mail.outbox.clear()

    with freeze_time("2027-03-04 07:00"):
        services.requests_due_soon_notify()

    (message,) = mail.outbox
    assert f"#{request.pk}" in message.body
    assert f"({_overdue()})" not in message.body


def test_no_reminder_when_nothing_open_is_due_soon(world, flow, other_school_request):
    with freeze_time("2027-01-05 10:00"):
        closed = flow.submit(Kind.ACCESS)
    flow.act("director", closed, DECIDE, services.request_reject, reason="Dubbel")
    mail.outbox.clear()

    with freeze_time("2027-03-10 07:00"):
        sent = services.requests_due_soon_notify()

    assert sent == 0
    assert mail.outbox == []
