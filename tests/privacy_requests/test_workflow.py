"""The request workflow through the selectors and services the pages use: who may take which
step (403 without the function, 404 out of scope), which steps a request's state allows, how a
guardian submits and staff register a letter, and corrections applied through the pupil
service."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from freezegun import freeze_time

from accounts.constants import Function, Role
from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent
from privacy_requests import services
from privacy_requests.constants import (
    Channel,
    IdentityCheck,
    Kind,
    PackageStatus,
    Status,
    Step,
)
from privacy_requests.models import AccessPackage, PrivacyRequest
from privacy_requests.selectors import guardian_request_target
from privacy_requests.services import RequestError, RequestStateError, request_fields_check
from privacy_requests.services.reads import request_open_for
from students.exceptions import FunctionNotAllowed
from students.models import Student
from suppliers.models import Disclosure
from tests.students.factories import make_staff

from .conftest import recipients

pytestmark = pytest.mark.usefixtures("english")

HANDLE = Function.HANDLE_REQUESTS
DECIDE = Function.DECIDE_REQUESTS
RELEASE = Function.RELEASE_PACKAGES

KEEP_REASONS = {
    "publications": "Foto's zijn met toestemming gepubliceerd",
    "contact": "Nodig voor de leerplicht",
}


# --- one setup per step: the request in a state that allows it, the step, its result -------


def _erasure_assessed(flow):
    request = flow.submit(Kind.ERASURE, categories=["religion", "progress"])
    flow.act(
        "director",
        request,
        HANDLE,
        services.erasure_assess,
        erase=["religion", "progress", "care"],
        keep=KEEP_REASONS,
    )
    return request


STEPS = {
    # action: (function the page uses, setup, service, arguments, status afterwards)
    "start": (HANDLE, lambda f: f.submit(), services.request_start, {}, Status.IN_PROGRESS),
    "wait": (
        HANDLE,
        lambda f: f.submit(),
        services.request_wait,
        {"question": "Welke gegevens bedoelt u precies?"},
        Status.WAITING,
    ),
    "extend": (
        HANDLE,
        lambda f: f.submit(),
        services.request_extend,
        {"months": 1, "reason": "Veel gegevens uit het oude systeem"},
        Status.RECEIVED,
    ),
    "reject": (
        DECIDE,
        lambda f: f.submit(),
        services.request_reject,
        {"reason": "Het verzoek gaat over een ander kind"},
        Status.REJECTED,
    ),
    "package": (HANDLE, lambda f: f.submit(), services.package_start, {}, Status.IN_PROGRESS),
    "release": (RELEASE, lambda f: f.built().request, None, {}, Status.COMPLETED),
    "correction": (
        HANDLE,
        lambda f: f.submit(
            Kind.CORRECTION, correction_field="postal_code", correction_value="4321zx"
        ),
        services.correction_accept,
        {},
        Status.COMPLETED,
    ),
    "complete": (
        HANDLE,
        lambda f: f.submit(Kind.CORRECTION, correction_field="other"),
        services.request_complete,
        {"outcome": "Het telefoonnummer is aangepast"},
        Status.COMPLETED,
    ),
    "limit": (
        DECIDE,
        lambda f: f.submit(Kind.RESTRICTION),
        services.limit_accept,
        {},
        Status.COMPLETED,
    ),
    "assess": (
        HANDLE,
        lambda f: f.submit(Kind.ERASURE),
        services.erasure_assess,
        {"erase": ["religion"], "keep": {**KEEP_REASONS, "care": "x", "progress": "y"}},
        Status.IN_PROGRESS,
    ),
    "decide": (
        DECIDE,
        _erasure_assessed,
        services.erasure_decide,
        {"approve": True},
        Status.COMPLETED,
    ),
}

ALLOWED = {
    "director": set(STEPS),
    "administration": {"start", "wait", "extend", "package", "correction", "complete", "assess"},
    "care_coordinator": {"release"},
    "teacher": set(),
    "privacy_officer": set(),
    "guardian": set(),
    "guardian_limited": set(),
}

MATRIX = [(role, action) for role in ALLOWED for action in STEPS]


def _take(flow, role, action, request):
    function, _setup, service, arguments, _status = STEPS[action]
    if action == "release":
        return flow.release(role, request)
    return flow.act(role, request, function, service, **arguments)


@pytest.mark.parametrize(("role", "action"), MATRIX)
def test_step_taken_or_refused_with_403_when_role_acts(world, flow, role, action):
    _function, setup, _service, _arguments, status_after = STEPS[action]
    request = setup(flow)
    before = flow.fresh(request)
    steps_before = before.steps.count()
    user = world.users[role]

    if action in ALLOWED[role]:
        _take(flow, role, action, request)
        after = flow.fresh(request)
        assert after.status == status_after
        assert after.steps.filter(actor=user).exists()
        if action == "extend":
            assert after.extension_months == 1
    else:
        with pytest.raises(FunctionNotAllowed):
            _take(flow, role, action, request)
        after = flow.fresh(request)
        assert (after.status, after.extension_months, after.erasure_assessment) == (
            before.status,
            before.extension_months,
            before.erasure_assessment,
        )
        assert after.steps.count() == steps_before
        assert AccessEvent.objects.filter(actor_id=user.pk, outcome=Outcome.DENIED).exists()


def test_pages_use_the_function_each_step_needs_when_posting_an_action():
    from privacy_requests.views import ACTIONS

    assert {action: entry[0] for action, entry in ACTIONS.items()} == {
        action: entry[0] for action, entry in STEPS.items()
    }


@pytest.mark.parametrize("function", [HANDLE, DECIDE, RELEASE])
def test_not_found_when_director_of_another_school_acts(world, flow, function):
    other_director = make_staff(Role.DIRECTOR, school=world.other_school)
    request = flow.built().request

    with pytest.raises(Http404):
        flow.find(other_director, request, function)
    # The director of the request's own school reaches it with the same function.
    assert flow.find("director", request, function).pk == request.pk


def test_care_coordinator_reaches_access_request_only_when_package_built(world, flow):
    request = flow.submit(Kind.ACCESS)

    with pytest.raises(Http404):
        flow.find("care_coordinator", request, RELEASE)
    flow.built(request)
    assert flow.find("care_coordinator", request, RELEASE).pk == request.pk


def test_privacy_officer_reads_but_cannot_act_when_overseeing(world, flow):
    request = flow.submit()
    officer = world.users["privacy_officer"]

    assert request_open_for(user=officer, request_id=request.pk).pk == request.pk
    for function in (HANDLE, DECIDE, RELEASE):
        with pytest.raises(FunctionNotAllowed):
            flow.find(officer, request, function)


# --- steps the state does not allow ---------------------------------------------------------


def test_start_refused_with_state_message_when_request_completed(world, flow):
    request = flow.built().request
    flow.release("director", request)

    with pytest.raises(RequestStateError) as refused:
        flow.act("administration", request, HANDLE, services.request_start)

    assert refused.value.status_code == 409
    assert "now “Completed”" in str(refused.value.message)
    assert flow.fresh(request).status == Status.COMPLETED


def test_second_release_refused_and_one_disclosure_when_released_twice(world, flow):
    request = flow.built().request
    flow.release("care_coordinator", request)

    with pytest.raises(RequestStateError) as refused:
        flow.release("director", request)

    assert "Only a built package that was not released" in str(refused.value.message)
    assert Disclosure.objects.filter(access_package__request=request).count() == 1
    assert flow.fresh(request).steps.filter(step=Step.PACKAGE_RELEASED).count() == 1


def test_release_refused_when_package_still_queued(world, flow, django_capture_on_commit_callbacks):
    request = flow.submit()
    found = flow.find("administration", request, HANDLE)
    with django_capture_on_commit_callbacks(execute=False):  # the job has not run yet
        package = services.package_start(user=world.users["administration"], request=found)

    with pytest.raises(RequestStateError):
        flow.release("director", request)

    package.refresh_from_db()
    assert package.status == PackageStatus.QUEUED
    assert not Disclosure.objects.exists()


def test_rejection_refused_with_message_when_reason_missing(world, flow):
    request = flow.submit()

    with pytest.raises(RequestError) as refused:
        flow.act("director", request, DECIDE, services.request_reject, reason="   ")

    assert "A rejection needs a reason" in str(refused.value.message)
    assert flow.fresh(request).status == Status.RECEIVED


def test_rejection_refused_when_request_already_rejected(world, flow):
    request = flow.submit()
    flow.act("director", request, DECIDE, services.request_reject, reason="Geen kind van u")

    with pytest.raises(RequestStateError):
        flow.act("director", request, DECIDE, services.request_reject, reason="Nogmaals")

    assert flow.fresh(request).decision_reason == "Geen kind van u"


def test_question_refused_when_empty(world, flow):
    request = flow.submit()

    with pytest.raises(RequestError) as refused:
        flow.act("administration", request, HANDLE, services.request_wait, question=" ")

    assert "Write what you need from the requester" in str(refused.value.message)
    assert flow.fresh(request).status == Status.RECEIVED


def test_handling_resumes_when_started_while_waiting(world, flow):
    request = flow.submit()
    flow.act("administration", request, HANDLE, services.request_wait, question="Welk jaar?")

    with pytest.raises(RequestStateError):
        flow.act("administration", request, HANDLE, services.request_wait, question="Nog iets?")
    flow.act("administration", request, HANDLE, services.request_start)

    request = flow.fresh(request)
    assert request.status == Status.IN_PROGRESS
    assert list(request.steps.values_list("step", flat=True)) == [
        Step.RECEIVED,
        Step.WAITING,
        Step.RESUMED,
    ]


@pytest.mark.parametrize(
    ("kind", "fields", "function", "service", "arguments"),
    [
        (Kind.ACCESS, {}, HANDLE, services.request_complete, {"outcome": "Klaar"}),
        (Kind.ACCESS, {}, HANDLE, services.correction_accept, {}),
        (Kind.ACCESS, {}, DECIDE, services.limit_accept, {}),
        (Kind.ACCESS, {}, HANDLE, services.erasure_assess, {"erase": [], "keep": {}}),
        (Kind.ERASURE, {}, DECIDE, services.erasure_decide, {"approve": True}),
        (
            Kind.CORRECTION,
            {"correction_field": "city", "correction_value": "Utrecht"},
            HANDLE,
            services.package_start,
            {},
        ),
        (
            Kind.CORRECTION,
            {"correction_field": "other"},
            HANDLE,
            services.correction_accept,
            {},
        ),
    ],
)
def test_step_refused_when_it_does_not_fit_the_kind_of_request(
    world, flow, kind, fields, function, service, arguments
):
    request = flow.submit(kind, **fields)

    with pytest.raises(RequestStateError) as refused:
        flow.act("director", request, function, service, **arguments)

    assert str(refused.value.message)
    request = flow.fresh(request)
    assert request.status == Status.RECEIVED
    assert not AccessPackage.objects.filter(request=request).exists()


def test_hand_completion_refused_when_outcome_missing(world, flow):
    request = flow.submit(Kind.CORRECTION, correction_field="other")

    with pytest.raises(RequestError) as refused:
        flow.act("administration", request, HANDLE, services.request_complete, outcome="")

    assert "Tell the requester what was done" in str(refused.value.message)
    assert flow.fresh(request).is_open


def test_extension_refused_when_request_closed(world, flow):
    request = flow.submit()
    flow.act("director", request, DECIDE, services.request_reject, reason="Dubbel verzoek")

    with pytest.raises(RequestStateError):
        flow.act(
            "administration", request, HANDLE, services.request_extend, months=1, reason="Druk"
        )

    assert flow.fresh(request).extension_months == 0


# --- submission -----------------------------------------------------------------------------


def test_guardian_reaches_own_child_when_submitting(world):
    student, guardian = guardian_request_target(
        user=world.users["guardian"], student_id=world.pupil3.pk
    )

    assert (student, guardian) == (world.pupil3, world.users["guardian"].guardian)


def test_403_and_nothing_created_when_guardian_without_authority_submits(world):
    user = world.users["guardian_limited"]

    with pytest.raises(FunctionNotAllowed) as refused:
        guardian_request_target(user=user, student_id=world.pupil3.pk)

    assert isinstance(refused.value, PermissionDenied)
    assert not PrivacyRequest.objects.exists()
    assert AccessEvent.objects.filter(
        actor_id=user.pk, outcome=Outcome.DENIED, student_id=world.pupil3.pk
    ).exists()


@pytest.mark.parametrize("target", ["pupil5", "other_pupil", "foreign_pupil", "missing", "junk"])
def test_404_when_guardian_submits_for_a_child_not_theirs(world, target):
    raw_id = {"missing": 999_999, "junk": "abc"}.get(target) or getattr(world, target).pk

    with pytest.raises(Http404):
        guardian_request_target(user=world.users["guardian"], student_id=raw_id)


@pytest.mark.parametrize("role", ["administration", "teacher", "privacy_officer"])
def test_403_when_staff_use_the_guardian_submission(world, role):
    with pytest.raises(FunctionNotAllowed):
        guardian_request_target(user=world.users[role], student_id=world.pupil3.pk)


def _check(world, **fields):
    return request_fields_check(school_id=world.school.pk, **fields)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "complaint", "description": "x"}, "kind", "Choose what you are asking for."),
        ({"kind": Kind.ACCESS, "description": "  "}, "description", "Describe your request"),
        ({"kind": Kind.ACCESS, "description": "x" * 5001}, "description", "under 5000"),
        (
            {"kind": Kind.CORRECTION, "description": "x", "correction_field": "bsn"},
            "correction_field",
            "Choose which data is wrong.",
        ),
        (
            {
                "kind": Kind.CORRECTION,
                "description": "x",
                "correction_field": "postal_code",
                "correction_value": "12345",
            },
            "correction_value",
            "A Dutch postal code looks like 1234 AB.",
        ),
        (
            {
                "kind": Kind.CORRECTION,
                "description": "x",
                "correction_field": "date_of_birth",
                "correction_value": "14-03-2018",
            },
            "correction_value",
            "Give the date as YYYY-MM-DD",
        ),
        (
            {
                "kind": Kind.CORRECTION,
                "description": "x",
                "correction_field": "surname",
                "correction_value": " ",
            },
            "correction_value",
            "This data cannot be empty.",
        ),
        (
            {"kind": Kind.ACCESS, "description": "x", "correction_field": "city"},
            "correction_field",
            "Only a correction request names data to correct.",
        ),
        (
            {"kind": Kind.ACCESS, "description": "x", "categories": ["contact"]},
            "categories",
            "Only a restriction or erasure names data categories.",
        ),
        (
            {"kind": Kind.RESTRICTION, "description": "x", "categories": ["shoe_size"]},
            "categories",
            "Unknown data category: shoe_size",
        ),
        (
            # "health" is a restriction category, not something an erasure request can take.
            {"kind": Kind.ERASURE, "description": "x", "categories": ["health"]},
            "categories",
            "Unknown data category: health",
        ),
        (
            {"kind": Kind.ACCESS, "description": "x", "purpose_codes": ["website"]},
            "purpose_codes",
            "Only an objection names consent purposes.",
        ),
        (
            {"kind": Kind.OBJECTION, "description": "x", "purpose_codes": ["website", "tv"]},
            "purpose_codes",
            "Choose purposes of your child's school.",
        ),
    ],
)
def test_field_named_with_clear_message_when_submission_is_wrong(world, fields, field, message):
    errors = _check(world, **fields)

    assert list(errors) == [field]
    assert any(message in str(text) for text in errors[field])


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": Kind.ACCESS, "description": "Ik wil alles zien"},
        {
            "kind": Kind.CORRECTION,
            "description": "Verkeerde postcode",
            "correction_field": "postal_code",
            "correction_value": "4321zx",
        },
        {
            "kind": Kind.CORRECTION,
            "description": "Telefoon klopt niet",
            "correction_field": "other",
        },
        {"kind": Kind.RESTRICTION, "description": "x", "categories": ["contact", "progress"]},
        {"kind": Kind.ERASURE, "description": "x", "categories": ["religion", "care"]},
        {"kind": Kind.OBJECTION, "description": "x", "purpose_codes": ["website"]},
    ],
)
def test_no_errors_when_submission_is_complete(world, fields):
    assert _check(world, **fields) == {}


def test_nothing_created_and_reason_given_when_submitting_a_wrong_request(world, flow):
    with pytest.raises(RequestError) as refused:
        flow.submit(Kind.CORRECTION, correction_field="postal_code", correction_value="nope")

    assert "A Dutch postal code looks like 1234 AB." in str(refused.value.message)
    assert not PrivacyRequest.objects.exists()
    assert mail.outbox == []


def test_same_request_returned_when_guardian_submits_twice(world, flow):
    first = flow.submit(Kind.ACCESS, description="Ik wil het dossier zien")
    second = flow.submit(Kind.ACCESS, description="  Ik wil het dossier zien ")

    assert second.pk == first.pk
    assert PrivacyRequest.objects.count() == 1
    assert first.steps.filter(step=Step.RECEIVED).count() == 1
    assert recipients() == [world.users["guardian"].email]  # one receipt, not two


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"purpose_codes": ["website"]}, {"purpose_codes": ["newsletter"]}),
        ({"purpose_codes": ["website"]}, {}),
    ],
)
def test_two_requests_when_same_text_names_different_purposes(world, flow, first, second):
    one = flow.submit(Kind.OBJECTION, description="Ik maak bezwaar", **first)
    two = flow.submit(Kind.OBJECTION, description="Ik maak bezwaar", **second)

    assert two.pk != one.pk
    assert flow.fresh(two).purpose_codes == second.get("purpose_codes", [])


def test_two_requests_when_same_text_asks_different_corrections(world, flow):
    one = flow.submit(
        Kind.CORRECTION,
        description="Klopt niet",
        correction_field="city",
        correction_value="Utrecht",
    )
    two = flow.submit(
        Kind.CORRECTION,
        description="Klopt niet",
        correction_field="street",
        correction_value="Dorpsstraat",
    )

    assert two.pk != one.pk
    assert (two.correction_field, two.correction_value) == ("street", "Dorpsstraat")


def test_new_request_when_same_text_is_submitted_after_the_first_closed(world, flow):
    first = flow.submit(Kind.ACCESS, description="Ik wil het dossier zien")
    flow.act("director", first, DECIDE, services.request_reject, reason="Onduidelijk")

    second = flow.submit(Kind.ACCESS, description="Ik wil het dossier zien")

    assert second.pk != first.pk
    assert second.status == Status.RECEIVED


def test_request_due_one_month_after_receipt_when_guardian_submits(world, flow):
    with freeze_time("2027-03-10 09:00"):
        request = flow.submit(Kind.ACCESS)

    assert request.channel == Channel.PORTAL
    assert request.identity_check == IdentityCheck.PORTAL_ACCOUNT
    assert request.received_on == datetime.date(2027, 3, 10)
    assert request.due_date == datetime.date(2027, 4, 10)
    assert request.submitted_by == world.users["guardian"]


# --- a letter registered by the school ------------------------------------------------------


def _register(world, flow, **overrides):
    fields = {
        "user": world.users["administration"],
        "student": world.pupil3,
        "guardian": world.users["guardian"].guardian,
        "identity_check": IdentityCheck.ID_DOCUMENT,
        "received_on": timezone.localdate() - datetime.timedelta(days=3),
        "kind": Kind.ACCESS,
        "description": "Brief van ouder: inzage in het dossier",
        **overrides,
    }
    return flow.run(services.request_register, **fields)


def test_deadline_runs_from_the_day_the_letter_came_in_when_registered(world, flow):
    with freeze_time("2027-03-10 09:00"):
        request = _register(world, flow, received_on=datetime.date(2027, 3, 3))

    assert request.channel == Channel.PAPER
    assert request.identity_check == IdentityCheck.ID_DOCUMENT
    assert request.due_date == datetime.date(2027, 4, 3)
    assert request.submitted_by == world.users["administration"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"identity_check": IdentityCheck.PORTAL_ACCOUNT}, "Say how the requester's identity"),
        ({"identity_check": "trust_me"}, "Say how the requester's identity"),
        ({"received_on": datetime.date(2027, 3, 11)}, "cannot be in the future"),
        ({"received_on": datetime.date(2027, 2, 6)}, "more than a month ago"),
        ({"guardian": "limited"}, "Only a guardian with parental authority"),
    ],
)
def test_letter_refused_with_reason_when_registration_is_wrong(world, flow, overrides, message):
    if overrides.get("guardian") == "limited":
        overrides = {"guardian": world.users["guardian_limited"].guardian}

    with freeze_time("2027-03-10 09:00"), pytest.raises(RequestError) as refused:
        _register(world, flow, **overrides)

    assert message in str(refused.value.message)
    assert not PrivacyRequest.objects.exists()


# --- correction -----------------------------------------------------------------------------


def test_value_corrected_through_pupil_service_when_correction_accepted(world, flow):
    request = flow.submit(
        Kind.CORRECTION, correction_field="postal_code", correction_value="4321zx"
    )
    mail.outbox.clear()

    flow.act("administration", request, HANDLE, services.correction_accept)

    student = Student.objects.get(pk=world.pupil3.pk)
    request = flow.fresh(request)
    assert student.postal_code == "4321 ZX"
    assert request.correction_old_value == "1234 AB"
    assert request.status == Status.COMPLETED
    assert "Postal code" in request.outcome and "4321" in request.outcome
    assert AccessEvent.objects.filter(
        actor_id=world.users["administration"].pk,
        action=Action.UPDATE,
        object_type="student",
        object_id=str(student.pk),
        data_kind=DataKind.BASICS,
        outcome=Outcome.ALLOWED,
    ).exists()
    assert [step.step for step in request.steps.all()][-2:] == [
        Step.CORRECTION_APPLIED,
        Step.COMPLETED,
    ]
    (message,) = mail.outbox
    assert message.to == [world.users["guardian"].email]
    assert "completed" in message.subject


def test_date_of_birth_corrected_and_old_value_kept_when_accepted(world, flow):
    request = flow.submit(
        Kind.CORRECTION, correction_field="date_of_birth", correction_value="2019-04-30"
    )

    flow.act("director", request, HANDLE, services.correction_accept)

    assert Student.objects.get(pk=world.pupil3.pk).date_of_birth == datetime.date(2019, 4, 30)
    assert flow.fresh(request).correction_old_value == "2019-05-01"


def test_correction_refused_with_reason_and_nothing_changed_when_value_cannot_be_used(world, flow):
    # Plausible when submitted, but after the enrolment date, which the pupil service refuses.
    request = flow.submit(
        Kind.CORRECTION, correction_field="date_of_birth", correction_value="2024-01-01"
    )
    mail.outbox.clear()

    with pytest.raises(RequestError) as refused:
        flow.act("administration", request, HANDLE, services.correction_accept)

    assert "cannot be after the enrolment date" in str(refused.value.message)
    assert Student.objects.get(pk=world.pupil3.pk).date_of_birth == datetime.date(2019, 5, 1)
    request = flow.fresh(request)
    assert request.is_open
    assert request.correction_old_value == ""
    assert mail.outbox == []


def test_request_completed_by_hand_when_correction_is_something_else(world, flow):
    request = flow.submit(
        Kind.CORRECTION, correction_field="other", description="Het telefoonnummer klopt niet"
    )

    flow.act(
        "administration",
        request,
        HANDLE,
        services.request_complete,
        outcome="Het telefoonnummer is aangepast.",
    )

    request = flow.fresh(request)
    assert request.status == Status.COMPLETED
    assert request.outcome == "Het telefoonnummer is aangepast."
    assert request.closed_at is not None
