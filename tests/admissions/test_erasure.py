"""The admissions' share of erasure: the sealed answers of the application that led to a
pupil go with the pupil file and on an erasure request for care data or religion; the
enrolment's anonymisation leaves the application and the notice to the attendance officer
without the child's or the family's identifying data."""

from __future__ import annotations

import datetime

import pytest

from admissions.constants import ApplicationStatus, LeavingReason
from admissions.erasure import ANONYMISED_EMAIL
from admissions.models import Application, ApplicationEvent, ApplicationGuardian, Departure
from students import erasure
from students.constants import WithholdStatus
from students.models import CareRecord

from .factories_decisions import RELIGION, SUPPORT_NEEDS, ApplicationFactory

NOTICE = "Melding aan de leerplichtambtenaar\nBSN: 123456782\nNaam: Daan de Vries"


@pytest.fixture
def application(world) -> Application:
    """The application that led to pupil3, with its sealed answers, guardians and notes."""
    made = ApplicationFactory.create(
        school=world.pupil3.school,
        status=ApplicationStatus.ENROLLED,
        student=world.pupil3,
        sealed=True,
        arrived_in_netherlands_on=datetime.date(2022, 3, 1),
        born_abroad=True,
        guardians=[
            {"first_name": "Sanne", "address": "Dorpsstraat 1, 1234 AB Ergens"},
            {"first_name": "Piet", "surname": "de Vries", "phone": "06-99887766"},
        ],
    )
    ApplicationEvent.objects.create(
        application=made, kind="extended", note="Sanne van Dijk belde over de logopedie."
    )
    return made


def _erase(world, category: str, action: str) -> dict[int, dict[str, int]]:
    return erasure.erase(
        category=category, students=[world.pupil3], action=action, why=erasure.Why()
    )


def test_pupil_file_erasure_clears_the_applications_sealed_answers(world, application):
    other = ApplicationFactory(school=world.pupil3.school, sealed=True)  # not this pupil's
    counts = _erase(world, erasure.PUPIL_FILE, erasure.DELETE)
    assert counts[world.pupil3.pk]["application_answers"] == 1
    application.refresh_from_db()
    assert (application.support_needs, application.religion) == ("", "")
    other.refresh_from_db()
    assert (other.support_needs, other.religion) == (SUPPORT_NEEDS, RELIGION)


def test_enrolment_anonymisation_leaves_the_application_without_the_family(world, application):
    born = application.date_of_birth
    kept_event = ApplicationEvent.objects.filter(application=application).count()
    _erase(world, erasure.ENROLMENT, erasure.ANONYMISE)
    application.refresh_from_db()
    assert (
        application.first_names,
        application.given_name,
        application.surname_prefix,
        application.surname,
    ) == ("", "", "", "")
    assert application.date_of_birth == datetime.date(born.year, 1, 1)
    assert application.email == ANONYMISED_EMAIL.format(pk=application.pk)
    assert application.current_school == ""
    assert application.arrived_in_netherlands_on is None
    assert (application.support_needs, application.religion) == ("", "")
    assert not ApplicationGuardian.objects.filter(application=application).exists()
    events = ApplicationEvent.objects.filter(application=application)
    assert events.count() == kept_event  # the timeline stays, without its notes
    assert set(events.values_list("note", flat=True)) == {""}
    # The decision stays the school's record.
    assert application.status == ApplicationStatus.ENROLLED
    assert application.student_id == world.pupil3.pk


def test_enrolment_anonymisation_clears_the_attendance_notice_text(world):
    departure = Departure.objects.create(
        student=world.pupil3,
        left_on=world.pupil3.enrolled_on,
        reason=LeavingReason.ABROAD,
        attendance_notice_text=NOTICE,
    )
    counts = _erase(world, erasure.ENROLMENT, erasure.ANONYMISE)
    assert counts[world.pupil3.pk]["attendance_notices"] == 1
    departure.refresh_from_db()
    assert departure.attendance_notice_text == ""


@pytest.mark.parametrize(
    ("category", "cleared", "kept"),
    [("care", "support_needs", "religion"), ("religion", "religion", "support_needs")],
)
def test_erasure_request_clears_the_matching_sealed_answer(
    world, application, category, cleared, kept
):
    counts = erasure.request_erase(
        actor=world.users["director"], student=world.pupil3, categories=[category], request_id=None
    )
    application.refresh_from_db()
    assert getattr(application, cleared) == ""
    assert getattr(application, kept) in (SUPPORT_NEEDS, RELIGION)
    assert counts[category] >= 1
    if category == "care":  # the core's own part of the request still runs
        assert not CareRecord.objects.filter(
            student=world.pupil3, withhold_status=WithholdStatus.NONE
        ).exists()
