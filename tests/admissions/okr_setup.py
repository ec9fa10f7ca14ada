"""The education report's test objects, shared by tests/admissions/test_okr*.py and the
permission matrix: a pupil who left for another school (the Departure the leaving service
would create, and the withdrawal itself), a report prepared, and one sent."""

from __future__ import annotations

import datetime

from django.utils import timezone

from admissions.constants import LeavingReason
from admissions.models import Departure
from admissions.services.okr import (
    education_report_care_mark,
    education_report_save,
    education_report_send,
)
from students.constants import Subject, WithdrawalDestination
from students.models import ProgressRecord, Student
from students.services.pupils import student_withdraw

SUMMARY = "Leert het best met korte instructie en directe feedback; leest vlot voor zijn leeftijd."
DESTINATION = ("OBS De Regenboog", "56EF")


def pupil_leave(student: Student, *, actor=None, destination=DESTINATION) -> Departure:
    """The pupil leaves today for another primary school that confirmed the enrolment. A pupil
    who already left (another world of the same database, e.g. the phone-width walk) keeps
    that leaving, with this destination."""
    today = timezone.localdate()
    if student.withdrawn_on is not None or Departure.objects.filter(student=student).exists():
        Departure.objects.filter(student=student).update(
            destination_name=destination[0] if destination else "",
            destination_brin=destination[1] if destination else "",
            enrolment_confirmed_on=today - datetime.timedelta(days=3),
        )
        return Departure.objects.get(student=student)
    departure = Departure.objects.create(
        student=student,
        left_on=today,
        reason=LeavingReason.OTHER_SCHOOL,
        destination_name=destination[0] if destination else "",
        destination_brin=destination[1] if destination else "",
        enrolment_confirmed_on=today - datetime.timedelta(days=3),
        recorded_by=actor,
    )
    student_withdraw(
        actor=actor, student=student, on=today, destination=WithdrawalDestination.PRIMARY_SCHOOL
    )
    return departure


def progress_of(student: Student) -> list[ProgressRecord]:
    return [
        ProgressRecord.objects.create(
            student=student, subject=Subject.READING, period="Midden groep 3", result="A"
        ),
        ProgressRecord.objects.create(
            student=student, subject=Subject.MATHS, period="Midden groep 3", result="III"
        ),
    ]


def report_prepared(world, student: Student, *, care: dict | None = None) -> Departure:
    """A leaving with its report saved by the administration (and care records marked by the
    director when ``care`` maps record -> reason)."""
    departure = pupil_leave(student, actor=world.users["administration"])
    records = progress_of(student)
    education_report_save(
        user=world.users["administration"],
        departure=departure,
        summary=SUMMARY,
        progress_ids=[records[0].pk],
    )
    if care:
        education_report_care_mark(
            user=world.users["director"],
            departure=departure,
            marks={record.pk: reason for record, reason in care.items()},
        )
    return departure


def report_sent(world, student: Student, *, care: dict | None = None) -> Departure:
    departure = report_prepared(world, student, care=care)
    education_report_send(user=world.users["administration"], departure=departure)
    departure.refresh_from_db()
    return departure


MARK_REASON = "Met de rekenkaart kan hij in de nieuwe groep meedoen."


def matrix_reports(world, *, sent: bool) -> dict[str, Departure]:
    """For the permission matrix: pupil3 left with the teachers' care record marked by the
    director (its report sent when ``sent``), pupil5 left with its report sent, and the pupil
    of the other school left with a report prepared. Made once per world."""

    made = getattr(world, "_okr_reports", None)
    if made is not None:
        return made
    care = {world.care["teachers"]: MARK_REASON}
    made = {
        "pupil3": (report_sent if sent else report_prepared)(world, world.pupil3, care=care),
        "pupil5": report_sent(world, world.pupil5),
    }
    other = world.other_pupil
    other.refresh_from_db()
    made["other_pupil"] = pupil_leave(other, destination=("OBS Elders", ""))
    world._okr_reports = made
    return made
