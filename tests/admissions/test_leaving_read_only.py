"""A pupil who left is read-only for day-to-day edits (``students.services.former``); corrections,
restrictions, erasure, withdrawing consent and withholding still apply."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient

from admissions.constants import LeavingReason
from admissions.services.leaving import pupil_leave
from consent.constants import Channel, Decision
from consent.services import consent_record
from students.constants import LimitKind, ReligionConsentChannel, ReligionStatus
from students.exceptions import FormerPupilError
from students.models import CareRecord, Guardianship, ProgressRecord, ReligionRecord, Student
from students.services import (
    care_record_create,
    care_record_update,
    care_withhold_request,
    guardian_link,
    progress_record_add,
    religion_clear,
    religion_consent_give,
    religion_set,
    student_move,
)
from students.services.limits import processing_limit_start, student_details_correct
from tests.students.factories import GuardianFactory

TODAY = datetime.date(2026, 12, 4)


@pytest.fixture(autouse=True)
def _today():
    with freeze_time("2026-12-04 10:00:00"):
        yield


@pytest.fixture
def former(world) -> Student:
    """Tim de Vries (Groep 3) left for another school that confirmed the enrolment."""
    pupil_leave(
        actor=world.users["administration"],
        student=world.pupil3,
        left_on=TODAY,
        reason=LeavingReason.OTHER_SCHOOL,
        destination_brin="07QX",
        destination_name="OBS De Regenboog",
        enrolment_confirmed_on=TODAY,
    )
    return Student.objects.get(pk=world.pupil3.pk)


CARE = {
    "kind": "diagnosis",
    "content": "Nieuwe observatie",
    "justification": "Voor de begeleiding",
    "source": "school",
    "review_date": datetime.date(2027, 6, 30),
    "visibility": "care_team",
}


def _guardian_id(world, student) -> int:
    return Guardianship.objects.filter(student=student, has_authority=True).values_list(
        "guardian_id", flat=True
    )[0]


# --- each writer of day-to-day data refuses -----------------------------------------------------


def test_moving_a_former_pupil_is_refused(world, former):
    with pytest.raises(FormerPupilError):
        student_move(actor=world.users["administration"], student=former, group=world.group5)


def test_adding_a_guardian_to_a_former_pupil_is_refused(world, former):
    with pytest.raises(FormerPupilError):
        guardian_link(actor=None, guardian=GuardianFactory.create(), student=former)


def test_progress_of_a_former_pupil_is_refused(world, former):
    with pytest.raises(FormerPupilError):
        progress_record_add(
            user=world.users["teacher"], student=former, subject="reading", period="M4", result="A"
        )
    assert not ProgressRecord.objects.filter(student=former).exists()


def test_care_records_of_a_former_pupil_cannot_be_added_or_changed(world, former):
    coordinator = world.users["care_coordinator"]
    before = CareRecord.objects.filter(student=former).count()
    with pytest.raises(FormerPupilError):
        care_record_create(user=coordinator, student=former, **CARE)
    record = world.care["teachers"]
    with pytest.raises(FormerPupilError):
        care_record_update(
            user=coordinator, record=record, expected_updated_at=record.updated_at, **CARE
        )
    assert CareRecord.objects.filter(student=former).count() == before
    record.refresh_from_db()
    assert record.content != CARE["content"]


def test_religion_of_a_former_pupil_cannot_be_recorded(world, former):
    admin = world.users["administration"]
    with pytest.raises(FormerPupilError):
        religion_set(user=admin, student=former, status=ReligionStatus.DECLINED)
    with pytest.raises(FormerPupilError):
        religion_consent_give(
            user=admin,
            student=former,
            guardian_id=_guardian_id(world, former),
            channel=ReligionConsentChannel.PAPER,
        )


def test_consent_for_a_former_pupil_is_refused_but_withdrawing_still_works(world, former):
    purpose = world.school.purposes.get(code="website")
    guardian_id = _guardian_id(world, former)
    admin = world.users["administration"]
    with pytest.raises(FormerPupilError):
        consent_record(
            student=former,
            purpose=purpose,
            guardian_id=guardian_id,
            decision=Decision.GRANTED,
            channel=Channel.PAPER,
            recorded_by=admin,
        )
    withdrawn = consent_record(
        student=former,
        purpose=purpose,
        guardian_id=guardian_id,
        decision=Decision.WITHDRAWN,
        channel=Channel.PAPER,
        recorded_by=admin,
    )
    assert withdrawn.pk


# --- what still applies to a former pupil ------------------------------------------------------


def test_corrections_restrictions_withholding_and_removal_still_apply(world, former):
    director = world.users["director"]
    student_details_correct(actor=director, student=former, field="city", raw_value="Utrecht")
    assert Student.objects.get(pk=former.pk).city == "Utrecht"
    limit = processing_limit_start(
        actor=director, student=former, kind=LimitKind.RESTRICTION, reason="Verzoek ouders"
    )
    assert limit.pk
    record = care_withhold_request(
        user=director, record=world.care["teachers"], reason="Veilig Thuis ingeschakeld"
    )
    assert record.withhold_reason
    religion_clear(user=world.users["administration"], student=former)
    assert not ReligionRecord.objects.filter(student=former).exists()


# --- the doors answer it ----------------------------------------------------------------------


def test_care_form_for_a_former_pupil_keeps_the_text_and_says_why(world, former, client):
    client.cookies["django_language"] = "en"
    client.force_login(world.users["care_coordinator"])
    data = {**CARE, "review_date": "2027-06-30", "withhold_reason": ""}
    response = client.post(reverse("care-record-create", args=[former.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "This pupil has left the school" in body
    assert "Nieuwe observatie" in body  # what was typed stays


def test_the_api_answers_409_for_consent_given_to_a_former_child(world, former):
    api = APIClient()
    api.force_authenticate(world.users["guardian"])
    response = api.post(
        reverse("api:student-consents", args=[former.pk]),
        {"purpose": "website", "decision": "granted"},
        format="json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["detail"]
