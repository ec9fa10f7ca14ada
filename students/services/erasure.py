"""The core's own erasure handlers (registered in ``students/apps.py``): the pupil file's care
data, religion and grade lists, the enrolment's links and the pupil row itself, and the
categories an erasure request can take away from the core's data.

Each runs inside the caller's transaction with the pupils' rows locked (``students/erasure.py``
says how the registry calls them). The pupil row is anonymised in place, never deleted, so
ids in the evidence stay valid and point at nobody.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import overload

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.constants import DataKind

from .. import erasure
from ..constants import WITHHELD_STATUSES
from ..models import (
    AddressChange,
    CareRecord,
    ChangeRecord,
    EmergencyContact,
    Guardian,
    Guardianship,
    Placement,
    ProcessingLimit,
    ProgressRecord,
    ReligionConsent,
    ReligionRecord,
    Student,
)
from .records import religion_clear

CONTACT_FIELDS = ("street", "house_number", "postal_code", "city")


# --- The pupil file (retention) -------------------------------------------------------------
# Care data and religion are deleted, all of it, withheld records too: their period has ended.
# Each kind is counted per pupil and deleted for all the pupils at once: one statement each.


def care_erase(students: Sequence[Student], action: str) -> dict[int, int]:
    care = CareRecord.objects.filter(student_id__in=[s.pk for s in students])
    counts = erasure.counts_per_pupil(care)
    care.delete()
    return counts


def religion_erase(students: Sequence[Student], action: str) -> dict[int, int]:
    """The religion entries go, and with them the parents' consents they rested on (evidence
    of a consent is kept as long as what it allowed, no longer). Counts the entries."""
    ids = [s.pk for s in students]
    # The pupils' rows first, as every writer of religion holds them (services/records.py).
    list(Student.objects.select_for_update().filter(pk__in=ids).values_list("pk"))
    religion = ReligionRecord.objects.filter(student_id__in=ids)
    counts = erasure.counts_per_pupil(religion)
    religion.delete()
    consents = ReligionConsent.objects.filter(student_id__in=ids)
    consents._raw_delete(consents.db)  # append-only evidence: its period has ended
    return counts


def progress_erase(students: Sequence[Student], action: str) -> dict[int, int]:
    """Grade lists are archived without the pupil (``ANONYMISE``: school, school year, year
    group, subject, period and result only) or deleted."""
    progress = ProgressRecord.objects.filter(student_id__in=[s.pk for s in students])
    grades = list(
        progress.order_by("student_id", "id").values_list(
            "student_id",
            "group_id",
            "group__school_year",
            "group__year_group_low",
            "subject",
            "period",
            "result",
        )
    )
    counts: dict[int, int] = {}
    for row in grades:
        counts[row[0]] = counts.get(row[0], 0) + 1
    if action == erasure.ANONYMISE:
        year_group = {student.pk: student.year_group for student in students}
        by_school = {student.pk: student.school_id for student in students}
        erasure.archive(
            "grades",
            [
                {
                    "school_id": by_school[student_id],
                    "school_year": school_year,
                    "year_group": year_group[student_id] if group_id is None else group_low,
                    "subject": subject,
                    "period": period,
                    "result": result,
                }
                for student_id, group_id, school_year, group_low, subject, period, result in grades
            ],
        )
    progress.delete()
    return counts


# --- The enrolment (retention) --------------------------------------------------------------


def _guardian_anonymise(guardian: Guardian) -> None:
    # The history of their details holds their old names, addresses and numbers.
    ChangeRecord.objects.filter(guardian=guardian).delete()
    guardian.first_name = ""
    guardian.surname_prefix = ""
    guardian.surname = ""
    guardian.email = ""
    guardian.phone = ""
    guardian.address = ""
    guardian.save(
        update_fields=["first_name", "surname_prefix", "surname", "email", "phone", "address"]
    )
    guardian.address_changes.all().delete()  # the moves they reported hold addresses too
    user = guardian.user
    if user is not None and not user.is_school_staff:
        # The parent's account goes with them (anonymised in place, never deleted, so ids in
        # the evidence stay valid): no name, no address, no login.
        from accounts.services import api_tokens_revoke

        api_tokens_revoke(user=user)
        user.email = f"anonymised-{user.pk}@invalid"
        user.full_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "full_name", "is_active", "password"])


def links_remove(students: Sequence[Student], action: str) -> dict[int, int]:
    """Group history and guardian links go; guardians left without any child are anonymised
    (and their parent account closed)."""
    counts = {}
    for student in students:
        removed = Placement.objects.filter(student=student).delete()[0]
        guardian_ids = list(
            Guardianship.objects.filter(student=student).values_list("guardian_id", flat=True)
        )
        removed += Guardianship.objects.filter(student=student).delete()[0]
        # Nor is the pupil named any more in a move a guardian reported.
        AddressChange.students.through._default_manager.filter(student_id=student.pk).delete()
        for guardian in Guardian.objects.filter(pk__in=guardian_ids).exclude(links__isnull=False):
            _guardian_anonymise(guardian)
        counts[student.pk] = removed
    return counts


def history_remove(students: Sequence[Student], action: str) -> dict[int, int]:
    """The pupil's emergency contacts and the history of the pupil's data (its values hold
    old names and addresses) go with the enrolment's data; a guardian's own history goes when
    the guardian is anonymised (``_guardian_anonymise``)."""
    ids = [student.pk for student in students]
    contacts = EmergencyContact.objects.filter(student_id__in=ids)
    changes = ChangeRecord.objects.filter(student_id__in=ids)
    counts = erasure.counts_per_pupil(contacts)
    for pk, count in erasure.counts_per_pupil(changes).items():
        counts[pk] = counts.get(pk, 0) + count
    contacts.delete()
    changes.delete()
    return counts


def limits_remove(students: Sequence[Student], action: str) -> dict[int, int]:
    return {
        student.pk: ProcessingLimit.objects.filter(student=student).delete()[0]
        for student in students
    }


@overload
def _year_only(day: datetime.date) -> datetime.date: ...
@overload
def _year_only(day: datetime.date | None) -> datetime.date | None: ...
def _year_only(day: datetime.date | None) -> datetime.date | None:
    return datetime.date(day.year, 1, 1) if day else None


def pupil_anonymise(students: Sequence[Student], action: str) -> dict[int, int]:
    """The pupil becomes a tombstone: no name, no BSN, no address, birth date reduced to the
    year. Counts as one record (the row itself)."""
    for student in students:
        student.first_names = ""
        student.given_name = ""
        student.surname_prefix = ""
        student.surname = ""
        student.date_of_birth = _year_only(student.date_of_birth)
        student.enrolled_on = _year_only(student.enrolled_on)
        student.withdrawn_on = _year_only(student.withdrawn_on)
        student.sex = "X"
        student.street = student.house_number = student.postal_code = student.city = ""
        student.bsn = ""
        student.bsn_hash = ""
        # What enrolment adds (students/services/enrolment.py) goes too.
        student.previous_school = ""
        student.born_abroad = False
        student.arrived_in_netherlands_on = None
        student.source_key = ""
        student.processing_restricted = True
        student.anonymised_at = timezone.now()
        student.save()
    return dict.fromkeys((student.pk for student in students), 1)


# --- An erasure request ---------------------------------------------------------------------


def religion_erase_on_request(student: Student) -> int:
    """The entry goes and the consent it rested on ends with it (a withdrawal row on the
    parent's behalf, kept as evidence): a new entry needs new consent."""
    return int(religion_clear(user=None, student=student))


def care_erase_on_request(student: Student) -> int:
    """A care record withheld from guardians under the Meldcode is never erased on a
    guardian's request (child protection, AVG art. 23): it stays, unmentioned."""
    return (
        CareRecord.objects.filter(student=student)
        .exclude(withhold_status__in=WITHHELD_STATUSES)
        .delete()[0]
    )


def progress_erase_on_request(student: Student) -> int:
    return ProgressRecord.objects.filter(student=student).delete()[0]


def contact_erase_on_request(student: Student) -> int:
    count = int(any(getattr(student, f) for f in CONTACT_FIELDS))
    for name in CONTACT_FIELDS:
        setattr(student, name, "")
    student.save(update_fields=list(CONTACT_FIELDS))
    return count


def contact_history_erase_on_request(student: Student) -> int:
    """The old addresses in the history of the pupil's data go with the address (the history
    keeps that they changed) and so do the emergency contacts; counts the contacts."""
    for record in ChangeRecord.objects.filter(
        student=student, subject=ChangeRecord.Subject.PUPIL
    ).only("pk", "values"):
        kept = {k: v for k, v in record.values.items() if k not in CONTACT_FIELDS}
        if kept != record.values:
            ChangeRecord.objects.filter(pk=record.pk).update(values=kept)
    ChangeRecord.objects.filter(
        student=student, subject=ChangeRecord.Subject.EMERGENCY_CONTACTS
    ).update(values={})
    return EmergencyContact.objects.filter(student=student).delete()[0]


def erasure_handlers_register() -> None:
    """The core's handlers, in the order the registry runs them among the other apps' (the
    pupil row last, after every link to it)."""
    erasure.handler_register(erasure.PUPIL_FILE, "care", care_erase, order=10)
    erasure.handler_register(erasure.PUPIL_FILE, "religion", religion_erase, order=20)
    erasure.handler_register(erasure.PUPIL_FILE, "progress", progress_erase, order=30)
    erasure.handler_register(erasure.ENROLMENT, "links", links_remove, order=10)
    erasure.handler_register(erasure.ENROLMENT, "history", history_remove, order=20)
    erasure.handler_register(erasure.ENROLMENT, "processing_limits", limits_remove, order=30)
    erasure.handler_register(erasure.ENROLMENT, "pupil", pupil_anonymise, order=100)
    erasure.request_handler_register(
        "religion", religion_erase_on_request, data_kind=DataKind.RELIGION
    )
    erasure.request_handler_register("care", care_erase_on_request, data_kind=DataKind.CARE)
    erasure.request_handler_register(
        "progress", progress_erase_on_request, data_kind=DataKind.PROGRESS
    )
    erasure.request_handler_register("contact", contact_erase_on_request, data_kind=DataKind.BASICS)
    erasure.request_handler_register(
        "contact",
        contact_history_erase_on_request,
        data_kind=DataKind.BASICS,
        name="history",
        order=10,
    )
    erasure.kept_register(
        "enrolment",
        _("Name, date of birth, BSN, enrolment and withdrawal data"),
        _(
            "The school must keep these for funding, DUO and the attendance rules until "
            "5 years after the pupil leaves."
        ),
        order=10,
    )
    erasure.kept_register(
        "access_events",
        _("Record of who looked at the data"),
        _("Security logging the school board is required to keep."),
        order=30,
    )
