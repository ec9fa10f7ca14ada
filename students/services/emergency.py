"""A pupil's emergency contacts, kept by the school and by the child's guardians: one service
replaces the list as a whole (the forms edit it as a whole), records the change in the history
and answers whether anything changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User

from ..models import ChangeRecord, EmergencyContact, Student
from .history import change_record

MAX_EMERGENCY_CONTACTS = 4


@dataclass(frozen=True)
class EmergencyContactDetails:
    name: str
    phone: str
    relation: str = ""

    def line(self) -> str:
        relation = f" ({self.relation})" if self.relation else ""
        return f"{self.name}{relation}: {self.phone}"


def emergency_contacts_of(student: Student) -> list[EmergencyContactDetails]:
    return [
        EmergencyContactDetails(name=c.name, phone=c.phone, relation=c.relation)
        for c in student.emergency_contacts.all()
    ]


@transaction.atomic
def emergency_contacts_replace(
    *,
    actor: User,
    student: Student,
    contacts: Sequence[EmergencyContactDetails],
    channel: str,
) -> bool:
    """Make ``contacts`` the pupil's emergency contacts, in this order. Validated by the
    caller's form (names and phone numbers, at most ``MAX_EMERGENCY_CONTACTS``). Returns False
    and changes nothing when the list is the same."""
    Student.objects.select_for_update().filter(pk=student.pk).first()  # one editor at a time
    cleaned = [
        EmergencyContactDetails(
            name=c.name.strip(), phone=c.phone.strip(), relation=c.relation.strip()
        )
        for c in contacts
        if c.name.strip() or c.phone.strip()
    ]
    before = emergency_contacts_of(student)
    if before == cleaned:
        return False
    EmergencyContact.objects.filter(student=student).delete()
    EmergencyContact.objects.bulk_create(
        EmergencyContact(
            student=student, name=c.name, phone=c.phone, relation=c.relation, position=i
        )
        for i, c in enumerate(cleaned)
    )
    change_record(
        actor=actor,
        subject=ChangeRecord.Subject.EMERGENCY_CONTACTS,
        channel=channel,
        student=student,
        before={"emergency_contacts": [c.line() for c in before]},
        after={"emergency_contacts": [c.line() for c in cleaned]},
    )
    return True
