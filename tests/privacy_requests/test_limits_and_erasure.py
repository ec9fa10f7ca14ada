"""Restriction (AVG art. 18), objection (art. 21) and erasure (art. 17) once accepted: the
disclosure gate and the consent status honour a restriction or objection until it is lifted;
an approved erasure removes the chosen categories, keeps the pupil and what the law requires,
and says which is which."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from accounts.constants import Function
from audit.constants import Action, DataKind
from audit.models import AccessEvent
from consent.constants import Channel, Decision
from consent.constants import Status as ConsentStatus
from consent.models import ConsentDecision, Publication
from consent.selectors.status import statuses_for
from consent.services import consent_record
from privacy_requests import services
from privacy_requests.constants import ErasureCategory, Kind, Status, Step
from privacy_requests.selectors import limit_for_lift
from privacy_requests.services import RequestError, RequestStateError
from students.constants import LimitKind, Subject
from students.exceptions import FunctionNotAllowed, StudentError
from students.models import CareRecord, ProcessingLimit, ProgressRecord, ReligionRecord, Student
from suppliers.constants import LegalGround, RecipientKind
from suppliers.gate import LegalRequest, disclose, disclosure_plan, pseudonym
from suppliers.models import Recipient
from tests.students.factories import GuardianFactory, StudentFactory, link_guardian

pytestmark = pytest.mark.usefixtures("english")

HANDLE = Function.HANDLE_REQUESTS
DECIDE = Function.DECIDE_REQUESTS


# --- helpers --------------------------------------------------------------------------------


def _accept(flow, kind, **fields):
    request = flow.submit(kind, **fields)
    flow.act("director", request, DECIDE, services.limit_accept, note="Akkoord")
    return flow.fresh(request)


def _recipient(world, kind, attributes, **fields) -> Recipient:
    return Recipient.objects.create(
        board=world.school.board,
        kind=kind,
        name=f"{kind} ontvanger",
        legal_basis="test",
        attributes=attributes,
        **fields,
    )


def _grant(world, code, student=None, guardian=None):
    consent_record(
        student=student or world.pupil3,
        purpose=world.school.purposes.get(code=code),
        guardian_id=(guardian or world.users["guardian"].guardian).pk,
        decision=Decision.GRANTED,
        channel=Channel.PORTAL,
        recorded_by=world.users["guardian"],
    )


@pytest.fixture
def targets(world):
    """One recipient per basis, each of which receives Tim (pupil3) while nothing is limited,
    and a classmate who is never limited."""
    _grant(world, "data_sharing")
    classmate = StudentFactory.create(group=world.group3, given_name="Bram")
    parent = GuardianFactory.create()
    link_guardian(parent, classmate)
    _grant(world, "data_sharing", student=classmate, guardian=parent)
    return {
        "classmate": classmate,
        "agreement": {"agreement": world.suppliers["agreement"]},
        "consent": {
            "recipient": _recipient(
                world,
                RecipientKind.CONSENT,
                ["first_name", "group_name"],
                consent_purpose_code="data_sharing",
            )
        },
        "board": {"recipient": _recipient(world, RecipientKind.BOARD, ["first_name"])},
        "board_address": {
            "recipient": _recipient(world, RecipientKind.BOARD, ["first_name", "address"])
        },
        "legal_obligation": {  # DUO, about the two pupils the registration concerns
            "recipient": world.suppliers["recipient"],
            "legal": LegalRequest(
                ground=LegalGround.BRON_REGISTRATION,
                reference="BRON-2025-014",
                reason="Inschrijving doorgeven",
                student_ids=(world.pupil3.pk, classmate.pk),
            ),
        },
    }


def _receives(world, target: dict, student: Student) -> bool:
    plan = disclosure_plan(school=world.school, **target)
    run = disclose(actor=None, plan=plan, students=Student.objects.filter(school=world.school))
    return pseudonym(plan.recipient_key, student.pk) in {row["pseudonym"] for row in run.rows()}


def _status(world, code: str, student=None) -> str:
    purpose = world.school.purposes.get(code=code)
    pk = (student or world.pupil3).pk
    return statuses_for(student_ids=[pk], purposes=[purpose])[(pk, purpose.pk)]


# --- restriction ----------------------------------------------------------------------------


def test_every_recipient_receives_pupil_when_nothing_is_limited(world, targets):
    for name in ("agreement", "consent", "board", "board_address", "legal_obligation"):
        assert _receives(world, targets[name], world.pupil3), name


@pytest.mark.parametrize(
    ("target", "receives"),
    [
        ("agreement", False),
        ("consent", False),
        ("board", False),
        ("board_address", False),
        ("legal_obligation", True),
    ],
)
def test_gate_leaves_pupil_out_except_for_legal_duty_when_all_data_restricted(
    world, flow, targets, target, receives
):
    request = _accept(flow, Kind.RESTRICTION, description="Gegevens kloppen niet, eerst nakijken")

    assert Student.objects.get(pk=world.pupil3.pk).processing_restricted is True
    assert request.status == Status.COMPLETED
    limit = ProcessingLimit.objects.get(pk=request.limit_id)
    assert (limit.kind, limit.categories, limit.request_id) == (
        LimitKind.RESTRICTION,
        [],
        request.pk,
    )
    assert _receives(world, targets[target], world.pupil3) is receives
    assert _receives(world, targets[target], targets["classmate"]) is True


def test_consent_counts_as_refused_for_every_purpose_when_all_data_restricted(world, flow):
    _grant(world, "newsletter")
    assert _status(world, "website") == ConsentStatus.GRANTED

    _accept(flow, Kind.RESTRICTION)

    assert _status(world, "website") == ConsentStatus.REFUSED
    assert _status(world, "newsletter") == ConsentStatus.REFUSED


@pytest.mark.parametrize(
    ("target", "receives"),
    [
        ("board_address", False),
        ("board", True),
        ("agreement", True),
        ("consent", True),
        ("legal_obligation", True),
    ],
)
def test_pupil_left_out_only_where_address_goes_when_contact_data_restricted(
    world, flow, targets, target, receives
):
    _accept(flow, Kind.RESTRICTION, categories=["contact"])

    assert Student.objects.get(pk=world.pupil3.pk).processing_restricted is False
    assert _receives(world, targets[target], world.pupil3) is receives


def test_consent_unchanged_when_only_contact_data_restricted(world, flow):
    _accept(flow, Kind.RESTRICTION, categories=["contact"])

    assert _status(world, "website") == ConsentStatus.GRANTED


def _lift(flow, request, reason="De gegevens zijn nagekeken en kloppen"):
    limit = limit_for_lift(user=flow.world.users["director"], limit_id=request.limit_id)
    return flow.run(
        services.limit_lift, user=flow.world.users["director"], limit=limit, reason=reason
    )


def test_pupil_disclosed_again_and_requester_told_when_restriction_lifted(world, flow, targets):
    request = _accept(flow, Kind.RESTRICTION)
    mail.outbox.clear()

    limit = _lift(flow, request)

    assert limit.lifted_at is not None
    assert limit.lifted_by == world.users["director"]
    assert Student.objects.get(pk=world.pupil3.pk).processing_restricted is False
    assert _receives(world, targets["agreement"], world.pupil3) is True
    assert _status(world, "website") == ConsentStatus.GRANTED
    assert flow.fresh(request).steps.filter(step=Step.LIMIT_LIFTED).count() == 1
    (message,) = mail.outbox
    assert message.to == [world.users["guardian"].email]
    assert "lifted" in message.subject
    assert "De gegevens zijn nagekeken en kloppen" in message.body


def test_lift_recorded_as_event_of_the_pupils_school_when_lifted(world, flow):
    request = _accept(flow, Kind.RESTRICTION)

    _lift(flow, request)

    event = AccessEvent.objects.get(
        object_type="processing_limit", object_id=str(request.limit_id), action=Action.UPDATE
    )
    assert event.actor_id == world.users["director"].pk
    assert event.student_id == world.pupil3.pk
    assert event.school_id == world.school.pk


def test_flag_stays_while_another_full_restriction_is_in_force_when_one_is_lifted(world, flow):
    first = _accept(flow, Kind.RESTRICTION, description="Eerste beperking")
    _accept(flow, Kind.RESTRICTION, description="Tweede beperking")

    _lift(flow, first)

    assert Student.objects.get(pk=world.pupil3.pk).processing_restricted is True


@pytest.mark.parametrize("reason", ["", "  "])
def test_lift_refused_when_reason_missing(world, flow, reason):
    request = _accept(flow, Kind.RESTRICTION)

    with pytest.raises(StudentError) as refused:
        _lift(flow, request, reason=reason)

    assert "reason" in str(refused.value.message)
    assert ProcessingLimit.objects.get(pk=request.limit_id).is_active


def test_lift_refused_when_already_lifted(world, flow):
    request = _accept(flow, Kind.RESTRICTION)
    limit = ProcessingLimit.objects.get(pk=request.limit_id)
    _lift(flow, request)

    with pytest.raises(StudentError):
        flow.run(services.limit_lift, user=world.users["director"], limit=limit, reason="Nog eens")


def test_administration_cannot_lift_a_restriction(world, flow):
    request = _accept(flow, Kind.RESTRICTION)

    with pytest.raises(FunctionNotAllowed):
        limit_for_lift(user=world.users["administration"], limit_id=request.limit_id)


# --- objection ------------------------------------------------------------------------------


def test_only_named_purpose_refused_when_objection_accepted(world, flow):
    _grant(world, "newsletter")

    request = _accept(flow, Kind.OBJECTION, purpose_codes=["website"])

    assert _status(world, "website") == ConsentStatus.REFUSED
    assert _status(world, "newsletter") == ConsentStatus.GRANTED
    limit = ProcessingLimit.objects.get(pk=request.limit_id)
    assert (limit.kind, limit.purpose_codes) == (LimitKind.OBJECTION, ["website"])
    assert Student.objects.get(pk=world.pupil3.pk).processing_restricted is False
    # An objection is not a restriction: the pupil still goes where there is no consent use.
    assert _status(world, "website", student=world.pupil5) == ConsentStatus.UNKNOWN


def test_every_purpose_refused_when_objection_names_none(world, flow):
    _grant(world, "newsletter")

    _accept(flow, Kind.OBJECTION)

    purposes = list(world.school.purposes.all())
    statuses = statuses_for(student_ids=[world.pupil3.pk], purposes=purposes)
    assert set(statuses.values()) == {ConsentStatus.REFUSED}


def test_consent_recipient_leaves_pupil_out_when_objecting_to_its_purpose(world, flow, targets):
    _accept(flow, Kind.OBJECTION, purpose_codes=["data_sharing"])

    assert _receives(world, targets["consent"], world.pupil3) is False
    assert _receives(world, targets["agreement"], world.pupil3) is True


def test_consent_back_when_objection_lifted(world, flow):
    request = _accept(flow, Kind.OBJECTION, purpose_codes=["website"])

    _lift(flow, request)

    assert _status(world, "website") == ConsentStatus.GRANTED


# --- erasure --------------------------------------------------------------------------------

KEEP = {
    "publications": "De foto's zijn met toestemming gepubliceerd",
    "contact": "Nodig voor de leerplicht",
}


@pytest.fixture
def records(world):
    """Progress for Tim and for a classmate; a pending withholding next to the approved one."""
    for result in ("7.5", "8"):
        ProgressRecord.objects.create(
            student=world.pupil3,
            group=world.group3,
            subject=Subject.MATHS,
            period="M3",
            result=result,
        )
    ProgressRecord.objects.create(
        student=world.pupil5, subject=Subject.MATHS, period="M5", result="6"
    )
    pending = CareRecord.objects.create(
        student=world.pupil3,
        kind="child_protection",
        content="Zorgmelding in afwachting",
        justification="Meldcode",
        source="school",
        review_date=datetime.date(2027, 6, 30),
        withhold_status="requested",
        withhold_reason="Besluit nodig",
    )
    return {"pending": pending}


def _erasure(flow, erase=("religion", "progress", "care"), keep=None, role="administration"):
    request = flow.submit(Kind.ERASURE, categories=list(erase))
    flow.act(
        role,
        request,
        HANDLE,
        services.erasure_assess,
        erase=list(erase),
        keep=KEEP if keep is None else keep,
    )
    return flow.fresh(request)


def test_assessment_refused_naming_each_category_without_reason_when_kept(world, flow):
    request = flow.submit(Kind.ERASURE)

    with pytest.raises(RequestError) as refused:
        flow.act(
            "administration",
            request,
            HANDLE,
            services.erasure_assess,
            erase=["religion", "progress", "care"],
            keep={"publications": "Gepubliceerd", "contact": "  "},
        )

    message = str(refused.value.message)
    assert str(ErasureCategory.CONTACT.label) in message
    assert str(ErasureCategory.PUBLICATIONS.label) not in message
    request = flow.fresh(request)
    assert request.erasure_assessment == {}
    assert request.status == Status.RECEIVED


def test_assessment_kept_with_reasons_and_director_decides_when_assessed(world, flow):
    request = _erasure(flow)

    assert request.erasure_assessment["erase"] == ["religion", "care", "progress"]
    assert request.erasure_assessment["keep"] == KEEP
    assert request.erasure_assessment["by"] == world.users["administration"].pk
    assert request.status == Status.IN_PROGRESS
    assert ReligionRecord.objects.filter(student=world.pupil3).exists()  # nothing erased yet


def test_chosen_categories_erased_and_pupil_kept_when_director_approves(world, flow, records):
    request = _erasure(flow)
    mail.outbox.clear()

    flow.act("director", request, DECIDE, services.erasure_decide, approve=True)

    request = flow.fresh(request)
    assert request.status == Status.COMPLETED
    assert not ReligionRecord.objects.filter(student=world.pupil3).exists()
    assert not ProgressRecord.objects.filter(student=world.pupil3).exists()
    assert ProgressRecord.objects.filter(student=world.pupil5).count() == 1
    assert set(CareRecord.objects.filter(student=world.pupil3)) == {
        world.care["withheld"],
        records["pending"],
    }
    assert CareRecord.objects.filter(student=world.pupil5).count() == 2
    student = Student.objects.get(pk=world.pupil3.pk)
    assert (student.given_name, student.bsn, student.postal_code) == ("Tim", "111222333", "1234 AB")
    assert Publication.objects.filter(pupils=world.pupil3).count() == 2  # kept, with a reason
    assert ConsentDecision.objects.filter(student=world.pupil3).exists()

    assert request.erasure_result["erased"] == [
        {"category": str(ErasureCategory.RELIGION.label), "count": 1},
        {"category": str(ErasureCategory.CARE.label), "count": 2},
        {"category": str(ErasureCategory.PROGRESS.label), "count": 2},
    ]
    kept = {item["category"]: item["reason"] for item in request.erasure_result["kept"]}
    assert kept[str(ErasureCategory.PUBLICATIONS.label)] == KEEP["publications"]
    assert kept[str(ErasureCategory.CONTACT.label)] == KEEP["contact"]
    for always in (
        "Name, date of birth, BSN, enrolment and withdrawal data",
        "Consent decisions",
        "Record of who looked at the data",
        "Data sent outside the school",
    ):
        assert kept[always]
    # The withheld records are kept without a word about them.
    assert "Meldcode" not in str(request.erasure_result)

    for data_kind in (DataKind.RELIGION, DataKind.CARE, DataKind.PROGRESS):
        assert AccessEvent.objects.filter(
            action=Action.DELETE,
            student_id=world.pupil3.pk,
            data_kind=data_kind,
            actor_id=world.users["director"].pk,
        ).exists()
    (message,) = mail.outbox
    assert message.to == [world.users["guardian"].email]
    assert str(ErasureCategory.RELIGION.label) in message.body
    assert KEEP["contact"] in message.body


def test_address_and_photo_links_erased_when_those_are_approved(world, flow):
    request = _erasure(
        flow,
        erase=("contact", "publications"),
        keep={"religion": "Nodig", "care": "Nodig", "progress": "Nodig"},
    )

    flow.act("director", request, DECIDE, services.erasure_decide, approve=True)

    student = Student.objects.get(pk=world.pupil3.pk)
    assert (student.street, student.house_number, student.postal_code, student.city) == (
        "",
        "",
        "",
        "",
    )
    assert not Publication.objects.filter(pupils=world.pupil3).exists()
    assert Publication.objects.filter(pupils=world.other_pupil).exists()
    assert ReligionRecord.objects.filter(student=world.pupil3).exists()


def test_rejection_refused_and_nothing_erased_when_reason_missing(world, flow, records):
    request = _erasure(flow)

    with pytest.raises(RequestError) as refused:
        flow.act("director", request, DECIDE, services.erasure_decide, approve=False, reason="")

    assert "needs a reason" in str(refused.value.message)
    assert flow.fresh(request).status == Status.IN_PROGRESS
    assert ReligionRecord.objects.filter(student=world.pupil3).exists()


def test_nothing_erased_and_reason_kept_when_director_rejects(world, flow, records):
    request = _erasure(flow)

    flow.act(
        "director",
        request,
        DECIDE,
        services.erasure_decide,
        approve=False,
        reason="Het dossier is nodig voor de lopende begeleiding",
    )

    request = flow.fresh(request)
    assert request.status == Status.REJECTED
    assert request.decision_reason == "Het dossier is nodig voor de lopende begeleiding"
    assert request.erasure_result == {}
    assert ReligionRecord.objects.filter(student=world.pupil3).exists()
    assert ProgressRecord.objects.filter(student=world.pupil3).count() == 2


def test_decision_refused_when_request_not_yet_assessed(world, flow):
    request = flow.submit(Kind.ERASURE)

    with pytest.raises(RequestStateError) as refused:
        flow.act("director", request, DECIDE, services.erasure_decide, approve=True)

    assert "Assess the request before deciding" in str(refused.value.message)
    assert ReligionRecord.objects.filter(student=world.pupil3).exists()


def test_nothing_erased_while_a_legal_hold_is_in_force_when_director_approves(world, flow, records):
    from retention.exceptions import LegalHoldError
    from retention.services import hold_lift, hold_place

    request = _erasure(flow)
    hold = hold_place(
        user=world.users["director"], student=world.pupil3, reason="Geschil", until=None
    )

    with pytest.raises(LegalHoldError):
        flow.act("director", request, DECIDE, services.erasure_decide, approve=True)

    assert flow.fresh(request).status == Status.IN_PROGRESS
    assert ReligionRecord.objects.filter(student=world.pupil3).exists()
    assert ProgressRecord.objects.filter(student=world.pupil3).count() == 2

    hold_lift(user=world.users["director"], hold=hold)
    flow.act("director", request, DECIDE, services.erasure_decide, approve=True)

    assert flow.fresh(request).status == Status.COMPLETED
    assert not ReligionRecord.objects.filter(student=world.pupil3).exists()
