"""The admissions' share of a pupil's data when it is erased (registered in
``admissions/apps.py``, called through ``students/erasure.py``):

- the pupil file (retention): the sealed answers of the application that led to the pupil
  (support needs and religion) go with the care data and religion they are;
- the enrolment (retention, anonymised): the application becomes as nameless as the pupil
  (the child's names blanked and the date of birth reduced to the year, as the core does for
  the pupil; the applicant's address replaced, the guardians named in it deleted, the notes
  on its timeline and its withdrawal note cleared) and the text of the notice to the
  attendance officer (it holds the BSN and the names) is cleared; the disclosure's evidence
  stays with suppliers;
- an erasure request for care data or religion: the matching sealed answer goes too.

The application row itself stays (its decision and dates are the school's record), pointing
at a pupil who is nobody.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Count, Q

from audit.constants import DataKind
from students import erasure

from .models import Application, ApplicationEvent, ApplicationGuardian, Departure

if TYPE_CHECKING:
    from students.models import Student

# Where the applicant's e-mail address was: no one, and no mail can go there.
ANONYMISED_EMAIL = "anonymised-application-{pk}@invalid"


def _ids(students: Sequence[Student]) -> list[int]:
    return [student.pk for student in students]


def application_answers_erase(students: Sequence[Student], action: str) -> dict[int, int]:
    """The pupil file: the sealed answers (support needs, religion) of the pupils'
    applications are cleared, one statement; counts the applications that held any."""
    answered = Application.objects.filter(student_id__in=_ids(students)).filter(
        ~Q(support_needs="") | ~Q(religion="")
    )
    counts = erasure.counts_per_pupil(answered)
    answered.update(support_needs="", religion="")
    return counts


def applications_anonymise(students: Sequence[Student], action: str) -> dict[int, int]:
    """The enrolment: each application of the pupils loses the child's and the family's
    identifying data. Counts the applications and the guardians deleted."""
    ids = _ids(students)
    guardians = ApplicationGuardian.objects.filter(application__student_id__in=ids)
    counts = erasure.counts_per_pupil(Application.objects.filter(student_id__in=ids))
    named = guardians.order_by().values("application__student_id").annotate(n=Count("pk"))
    for row in named:
        student_id = row["application__student_id"]
        counts[student_id] = counts.get(student_id, 0) + row["n"]
    guardians.delete()
    ApplicationEvent.objects.filter(application__student_id__in=ids).exclude(note="").update(
        note=""
    )
    for application in Application.objects.filter(student_id__in=ids):
        born = application.date_of_birth
        application.first_names = ""
        application.given_name = ""
        application.surname_prefix = ""
        application.surname = ""
        application.date_of_birth = datetime.date(born.year, 1, 1)
        application.email = ANONYMISED_EMAIL.format(pk=application.pk)
        application.confirmation_hash = ""
        application.current_school = ""
        application.born_abroad = False
        application.arrived_in_netherlands_on = None
        application.support_needs = ""
        application.religion = ""
        application.withdrawal_note = ""
        application.save(
            update_fields=[
                "first_names",
                "given_name",
                "surname_prefix",
                "surname",
                "date_of_birth",
                "email",
                "confirmation_hash",
                "current_school",
                "born_abroad",
                "arrived_in_netherlands_on",
                "support_needs",
                "religion",
                "withdrawal_note",
            ]
        )
    return counts


def attendance_notices_clear(students: Sequence[Student], action: str) -> dict[int, int]:
    """The enrolment: the text of the notice to the attendance officer (BSN, names) goes; the
    disclosure that records it was sent stays. One statement; counts the notices."""
    notices = Departure.objects.filter(student_id__in=_ids(students)).exclude(
        attendance_notice_text=""
    )
    counts = erasure.counts_per_pupil(notices)
    notices.update(attendance_notice_text="")
    return counts


def support_needs_erase_on_request(student: Student) -> int:
    """An erasure request for care data: the support needs the parents gave go too."""
    return (
        Application.objects.filter(student_id=student.pk)
        .exclude(support_needs="")
        .update(support_needs="")
    )


def religion_answer_erase_on_request(student: Student) -> int:
    """An erasure request for religion: the religion the parents gave goes too."""
    return (
        Application.objects.filter(student_id=student.pk).exclude(religion="").update(religion="")
    )


def erasure_handlers_register() -> None:
    # The pupil file: with the care data and religion (orders 10 and 20 in the core).
    erasure.handler_register(
        erasure.PUPIL_FILE, "application_answers", application_answers_erase, order=15
    )
    # The enrolment: before the pupil row itself (order 100 in the core).
    erasure.handler_register(erasure.ENROLMENT, "applications", applications_anonymise, order=35)
    erasure.handler_register(
        erasure.ENROLMENT, "attendance_notices", attendance_notices_clear, order=36
    )
    # An erasure request: after the core's own part of the category.
    erasure.request_handler_register(
        "care",
        support_needs_erase_on_request,
        data_kind=DataKind.CARE,
        name="application_support_needs",
        order=10,
    )
    erasure.request_handler_register(
        "religion",
        religion_answer_erase_on_request,
        data_kind=DataKind.RELIGION,
        name="application_religion",
        order=10,
    )
