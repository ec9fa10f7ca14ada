"""A pupil's leaving: the rules of compulsory education, the notice to the attendance officer
through the gate, the pupil leaving the group and the teacher's scope, and a second leaving."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from admissions.constants import LeavingReason
from admissions.models import Departure
from admissions.services.leaving import (
    LeavingError,
    attendance_notice_mark_sent,
    compulsory_education_from,
    compulsory_education_until,
    of_compulsory_age,
    pupil_leave,
)
from admissions.todos_leaving import leaving_todos
from audit.models import AccessEvent
from students.constants import WithdrawalDestination
from students.models import Placement, Student
from suppliers.constants import LegalGround, RecipientKind
from suppliers.models import DisclosedPupil, Recipient
from tests.students.factories import GroupFactory, StudentFactory


@pytest.fixture(autouse=True)
def _english():
    """The services' messages are read in English here (the pages' Dutch is tested apart)."""
    with translation.override("en"):
        yield


TODAY = datetime.date(2026, 12, 4)
CONFIRMED = {
    "destination_brin": "07QX",
    "destination_name": "OBS De Regenboog, Utrecht",
    "enrolment_confirmed_on": datetime.date(2026, 11, 30),
}


@pytest.fixture(autouse=True)
def _today():
    with freeze_time("2026-12-04 10:00:00"):
        yield


@pytest.fixture
def officer(world) -> Recipient:
    return Recipient.objects.create(
        board=world.school.board,
        kind=RecipientKind.ATTENDANCE_OFFICER,
        name="Leerplicht Gemeente Noord",
        legal_basis="Leerplichtwet 1969",
        attributes=["first_name", "last_name", "date_of_birth", "address", "bsn"],
    )


def _leave(world, student=None, **kwargs) -> Departure:
    values = {"left_on": TODAY, "reason": LeavingReason.OTHER_SCHOOL, **CONFIRMED, **kwargs}
    return pupil_leave(
        actor=world.users["administration"], student=student or world.pupil3, **values
    )


# --- compulsory-education age -----------------------------------------------------------------


def test_compulsory_age_runs_from_the_month_after_the_5th_birthday_to_the_year_of_16():
    born = datetime.date(2019, 5, 14)
    assert compulsory_education_from(born) == datetime.date(2024, 6, 1)
    assert compulsory_education_until(born) == datetime.date(2035, 7, 31)  # turns 16 in May 2035
    assert not of_compulsory_age(born, datetime.date(2024, 5, 31))
    assert of_compulsory_age(born, datetime.date(2024, 6, 1))
    assert of_compulsory_age(born, datetime.date(2035, 7, 31))
    assert not of_compulsory_age(born, datetime.date(2035, 8, 1))
    # Born in December: the month after the 5th birthday is January.
    assert compulsory_education_from(datetime.date(2019, 12, 3)) == datetime.date(2025, 1, 1)
    # Turning 16 in September: the school year that started in August runs to 31 July after.
    assert compulsory_education_until(datetime.date(2019, 9, 2)) == datetime.date(2036, 7, 31)


# --- the rules --------------------------------------------------------------------------------


def test_leaving_for_another_school_is_refused_when_compulsory_age_and_no_confirmation(world):
    with pytest.raises(LeavingError) as refused:
        _leave(world, destination_brin="", destination_name="", enrolment_confirmed_on=None)
    assert set(refused.value.field_errors) == {
        "destination_brin",
        "destination_name",
        "enrolment_confirmed_on",
    }
    world.pupil3.refresh_from_db()
    assert world.pupil3.withdrawn_on is None
    assert world.pupil3.group_id == world.group3.pk
    assert not Departure.objects.exists()


def test_leaving_refuses_a_malformed_brin_and_dates_outside_the_enrolment(world):
    with pytest.raises(LeavingError) as refused:
        _leave(world, destination_brin="1234")
    assert set(refused.value.field_errors) == {"destination_brin"}
    with pytest.raises(LeavingError) as refused:
        _leave(world, left_on=TODAY + datetime.timedelta(days=1))
    assert set(refused.value.field_errors) == {"left_on"}
    with pytest.raises(LeavingError) as refused:
        _leave(world, left_on=world.pupil3.enrolled_on - datetime.timedelta(days=1))
    assert set(refused.value.field_errors) == {"left_on"}
    with pytest.raises(LeavingError) as refused:
        _leave(world, enrolment_confirmed_on=TODAY + datetime.timedelta(days=1))
    assert set(refused.value.field_errors) == {"enrolment_confirmed_on"}
    assert not Departure.objects.exists()


def test_pupil_leaves_group_and_teacher_scope_once_the_new_school_confirmed(world, client):
    teacher = world.users["teacher"]
    client.force_login(teacher)
    assert client.get(reverse("student-detail", args=[world.pupil3.pk])).status_code == 200

    departure = _leave(world, destination_brin="07qx ")

    pupil = Student.objects.get(pk=world.pupil3.pk)
    assert pupil.withdrawn_on == TODAY
    assert pupil.group_id is None
    assert pupil.withdrawal_destination == WithdrawalDestination.PRIMARY_SCHOOL
    assert not Placement.objects.filter(student=pupil, ended_on__isnull=True).exists()
    assert departure.destination_brin == "07QX"
    assert departure.enrolment_confirmed_on == CONFIRMED["enrolment_confirmed_on"]
    assert departure.attendance_notice is None
    assert AccessEvent.objects.filter(object_type="departure", student_id=pupil.pk).exists()
    # The teacher of the former group no longer reaches the pupil.
    assert client.get(reverse("student-detail", args=[pupil.pk])).status_code == 404


def test_pupil_below_compulsory_age_leaves_without_a_confirmation(world):
    toddler = StudentFactory.create(
        group=GroupFactory.create(school=world.school, name="Groep 1", year_group_low=1),
        date_of_birth=datetime.date(2022, 3, 1),  # compulsory from 1 April 2027
        enrolled_on=datetime.date(2026, 3, 2),
    )
    departure = _leave(
        world,
        student=toddler,
        destination_brin="",
        destination_name="",
        enrolment_confirmed_on=None,
    )
    assert departure.attendance_notice is None
    assert Student.objects.get(pk=toddler.pk).withdrawn_on == TODAY


def test_leaving_abroad_at_compulsory_age_produces_the_attendance_notice(world, officer):
    departure = _leave(
        world, reason=LeavingReason.ABROAD, destination_brin="", enrolment_confirmed_on=None
    )
    notice = departure.attendance_notice
    assert notice is not None
    assert notice.recipient == officer
    assert notice.legal_ground == LegalGround.WITHDRAWAL_NOTICE
    assert notice.legal_reference.startswith("UIT-12AB-")
    assert notice.legal_reason
    assert notice.file_checksum
    assert DisclosedPupil.objects.filter(disclosure=notice, student=world.pupil3).exists()
    assert departure.attendance_notice_due_on == TODAY + datetime.timedelta(days=7)
    text = Departure.objects.get(pk=departure.pk).attendance_notice_text
    assert "Vries" in text
    assert "111222333" in text  # the BSN the recipient receives
    # On the to-do list of the administration and the director until it is marked sent.
    admin = world.users["administration"]
    assert [item.link for item in leaving_todos(admin)] == [
        reverse("leaving-detail", args=[world.pupil3.pk]) + "#notice-heading"
    ]
    assert leaving_todos(world.users["director"])
    assert not leaving_todos(world.users["teacher"])
    attendance_notice_mark_sent(actor=admin, departure=departure)
    assert not leaving_todos(admin)


def test_leaving_with_no_known_destination_needs_the_boards_attendance_officer(world):
    with pytest.raises(LeavingError) as refused:
        _leave(world, reason=LeavingReason.UNKNOWN, destination_brin="", destination_name="")
    assert "reason" in refused.value.field_errors
    assert not Departure.objects.exists()
    assert Student.objects.get(pk=world.pupil3.pk).withdrawn_on is None


def test_a_second_leaving_is_refused_also_from_a_stale_copy(world):
    stale = Student.objects.get(pk=world.pupil3.pk)  # read before the first leaving
    _leave(world)
    with pytest.raises(LeavingError):
        _leave(world, student=stale)
    assert Departure.objects.filter(student=world.pupil3).count() == 1


# --- the current placement, the destination, the row locks ----------------------------------


def _placed_since(world, student, started_on: datetime.date) -> None:
    """The pupil's current group placement started on ``started_on`` (after the enrolment)."""
    Placement.objects.filter(student=student, ended_on__isnull=True).update(started_on=started_on)


def test_leaving_before_the_current_placement_is_refused_at_the_date(world):
    _placed_since(world, world.pupil3, TODAY - datetime.timedelta(days=5))
    with pytest.raises(LeavingError) as refused:
        _leave(world, left_on=TODAY - datetime.timedelta(days=6))
    assert set(refused.value.field_errors) == {"left_on"}
    assert "placement" in str(refused.value.field_errors["left_on"][0])
    assert not Departure.objects.exists()
    world.pupil3.refresh_from_db()
    assert world.pupil3.withdrawn_on is None
    # On the day the placement started the pupil may leave.
    assert _leave(world, left_on=TODAY - datetime.timedelta(days=5)).pk


@pytest.mark.parametrize(
    "reason", [LeavingReason.ABROAD, LeavingReason.UNKNOWN, LeavingReason.EXEMPTION]
)
def test_no_destination_is_kept_when_no_school_takes_over(world, officer, reason):
    departure = _leave(world, reason=reason, destination_name="OBS Ergens Anders")
    assert departure.destination_name == ""
    assert departure.destination_brin == ""
    text = Departure.objects.get(pk=departure.pk).attendance_notice_text
    assert "Ergens Anders" not in text


def test_leaving_locks_only_the_pupil_row(world, monkeypatch):
    from django.db.models import QuerySet

    seen: list[tuple[type, tuple]] = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        seen.append((self.model, kwargs.get("of", ())))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    _leave(world)
    assert seen[0] == (Student, ("self",))
