"""The history of a pupil's and a guardian's data: every change recorded once, by the services
that make it (the school's edit pages and API, the parents' own page, a confirmed move, a
correction request), never by a view.

``change_record`` compares what was with what is and records only what differs. It keeps the
old and new values of ordinary fields, and **never** the values of a sealed field or of a
confidential guardian's contact data (names only): a history must not undo a seal or a
confidential flag. Every change is also an access event (``event_record``); a change of a
guardian's own data carries no pupil id, so it never shows in a child's access log, which the
other guardian reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record

from ..models import ChangeRecord, Guardian, Student

# Fields whose values are sealed at rest: a history keeps their names only.
SEALED_FIELDS = frozenset({"bsn"})
# A guardian's contact data, which ``Guardian.contact_confidential`` keeps from the other
# guardians: for a confidential guardian (before or after the change), names only.
GUARDIAN_CONTACT_FIELDS = frozenset({"email", "phone", "address"})


def _plain(value: Any) -> Any:
    """A value as JSON can keep it (dates as ISO text)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):  # the emergency contacts' lines
        return [_plain(item) for item in value]
    return str(value)


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The names of the fields whose values differ, in the order of ``after``."""
    return [name for name in after if _plain(before.get(name)) != _plain(after[name])]


def change_record(
    *,
    actor: User | None,
    subject: str,
    channel: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    student: Student | None = None,
    guardian: Guardian | None = None,
    confidential: bool = False,
    hidden_fields: Iterable[str] = (),
    reason: str = "",
    school_id: int | None = None,
) -> ChangeRecord | None:
    """Record the change from ``before`` to ``after`` (field name → value), if anything
    changed; returns None when nothing did (an unchanged save records nothing).

    ``confidential`` marks a change of a confidential guardian's data: the values of their
    contact fields are not kept and the record is shown only to the school and that guardian.
    ``hidden_fields`` are further fields whose values must not be kept. Call it inside the
    transaction that saves the change.
    """
    changed = differences(before, after)
    if not changed:
        return None
    hidden = set(SEALED_FIELDS) | set(hidden_fields)
    if confidential:
        hidden |= GUARDIAN_CONTACT_FIELDS
    values = {
        name: [_plain(before.get(name)), _plain(after[name])]
        for name in changed
        if name not in hidden
    }
    record = ChangeRecord.objects.create(
        subject=subject,
        student=student,
        guardian=guardian,
        fields=changed,
        values=values,
        confidential=confidential,
        channel=channel,
        reason=reason.strip()[:300],
        actor=actor,
    )
    if subject == ChangeRecord.Subject.GUARDIAN:
        # About the guardian, not a child: no pupil id, so no child's access log shows it.
        event_record(
            user=actor,
            action=Action.UPDATE,
            object_type="guardian",
            object_id=guardian.pk if guardian else "",
            school_id=school_id,
            data_kind=DataKind.BASICS,
        )
    else:
        event_record(
            user=actor,
            action=Action.UPDATE,
            object_type="student" if subject == ChangeRecord.Subject.PUPIL else subject,
            object_id=student.pk if student else "",
            student_id=student.pk if student else None,
            school_id=school_id if school_id is not None else getattr(student, "school_id", None),
            data_kind=DataKind.BASICS,
        )
    return record
