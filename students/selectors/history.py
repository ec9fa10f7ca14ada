"""The history of a pupil's data as a reader may see it: the changes of the pupil's details,
emergency contacts and parental authority, and of the details of each of its guardians (a
guardian's own-data change belongs to every child of that guardian), in words.

Who sees what:

- staff who see the pupil page see its whole history; the date and reference of a court
  decision only the staff who manage pupils (as ``guardians_of_for``);
- a guardian sees the history of the child's data, their OWN details, and of another guardian
  only the changes of parental authority, and nothing at all (no entry) about another guardian
  whose contact data is confidential now or whose change was made while it was. Staff are
  named to staff only; a guardian reads only the road ("by the school, on its pages");
- a value is shown only where the reader may see the field (a guardian without parental
  authority: no address); the BSN's value and a confidential guardian's contact data were
  never kept (``services/history.py``);
- while the child's address is another guardian's confidential address (the child lives with
  that parent), a guardian other than that parent sees no change of the child's address at
  all, not even that it changed (``pupil_address_hidden_for``).

One query for staff, two for a guardian, whatever the number of changes. Reading the history
is part of reading the pupil page, whose open is the access event.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.constants import Function

from ..constants import Sex
from ..models import ChangeRecord, Guardian, Guardianship, Student
from .pupils import StudentAccess
from .self_service import PUPIL_ADDRESS_FIELDS, pupil_address_hidden_for

# The pupil's fields shown with the contact data (students/templates _basics.html): a reader
# without contact access sees that they changed, not their values.
PUPIL_CONTACT_FIELDS = frozenset(
    {
        "street",
        "house_number",
        "postal_code",
        "city",
        "previous_school",
        "born_abroad",
        "arrived_in_netherlands_on",
    }
)
# A court decision's date and reference: for the staff who manage pupils only.
DECISION_FIELDS = frozenset({"authority_decided_on", "authority_reference"})
_MODELS: dict[str, type[Student] | type[Guardian] | type[Guardianship]] = {
    ChangeRecord.Subject.PUPIL: Student,
    ChangeRecord.Subject.GUARDIAN: Guardian,
    ChangeRecord.Subject.AUTHORITY: Guardianship,
}


@dataclass(frozen=True)
class HistoryReader:
    """Who reads a history: staff (``guardian_id`` None) or a guardian of the child."""

    user_id: int | None
    is_staff: bool
    contact: bool
    decisions: bool = False
    guardian_id: int | None = None


@dataclass(frozen=True)
class FieldChange:
    label: str
    # None: the value is not shown (never kept, or not for this reader).
    old: str | None = None
    new: str | None = None

    @property
    def shown(self) -> bool:
        return self.old is not None or self.new is not None


@dataclass(frozen=True)
class ChangeEntry:
    at: datetime.datetime
    subject: str
    title: str
    by: str
    channel: str
    changes: tuple[FieldChange, ...]
    reason: str = ""

    @property
    def some_hidden(self) -> bool:
        return any(not change.shown for change in self.changes)


def reader_for(*, user, access: StudentAccess) -> HistoryReader:
    return HistoryReader(
        user_id=user.pk,
        is_staff=access.is_staff_view,
        contact=access.contact,
        decisions=access.is_staff_view and user.has_function(Function.MANAGE_PUPILS),
        guardian_id=None if access.is_staff_view else access.guardian_self_id,
    )


def changes_for(
    user, student: Student, access: StudentAccess, *, limit: int | None = None
) -> list[ChangeEntry]:
    """The pupil's history as ``user`` (with ``access`` to the pupil) may see it, newest
    first; at most ``limit`` entries. Empty for a reader who sees neither."""
    if not (access.is_staff_view or access.guardian_self_id is not None):
        return []
    return changes_visible(student, reader_for(user=user, access=access), limit=limit)


def changes_for_guardian(
    student: Student, *, guardian_id: int, user_id: int | None, has_authority: bool
) -> list[ChangeEntry]:
    """The history as one guardian of the child sees it (their access package)."""
    reader = HistoryReader(
        user_id=user_id, is_staff=False, contact=has_authority, guardian_id=guardian_id
    )
    return changes_visible(student, reader)


def _records(student: Student, reader: HistoryReader) -> QuerySet[ChangeRecord]:
    guardians = Guardianship.objects.filter(student_id=student.pk).values("guardian_id")
    records = ChangeRecord.objects.filter(
        Q(student_id=student.pk) | Q(student__isnull=True, guardian_id__in=guardians)
    )
    if not reader.is_staff:
        me = reader.guardian_id if reader.guardian_id is not None else -1
        other = ~Q(guardian_id=me) & Q(guardian__isnull=False)
        records = (
            records.exclude(
                # Another guardian's own details: theirs, not this reader's.
                Q(subject=ChangeRecord.Subject.GUARDIAN) & other
            )
            .exclude(
                # Anything about a guardian whose data is (or was, then) confidential.
                Q(guardian__contact_confidential=True) & other
            )
            .exclude(
                # A confidential record not about this reader: also a child's record of a move
                # with a confidential parent (the child lives at that parent's address).
                Q(confidential=True) & ~Q(guardian_id=me)
            )
        )
    return records.select_related("actor", "guardian").order_by("-at", "-id")


def changes_visible(
    student: Student, reader: HistoryReader, *, limit: int | None = None
) -> list[ChangeEntry]:
    # The child's address is now another guardian's confidential address (the child lives
    # with that parent): for this guardian no change of it, old or new, value or name, shows.
    # Decided once per history (one query), not per record.
    hide_address = pupil_address_hidden_for(guardian_id=reader.guardian_id, student=student)
    records = _records(student, reader)
    if limit is not None and not hide_address:
        records = records[:limit]
    entries = [
        entry
        for record in records
        if (entry := _entry(record, reader, hide_address=hide_address)) is not None
    ]
    return entries[:limit] if limit is not None else entries


def _by(record: ChangeRecord, reader: HistoryReader) -> str:
    """Who made the change, for this reader; "" where the road (the channel) says it all: the
    school's staff to a guardian (a guardian never reads a staff member's name), a job."""
    actor = record.actor
    if actor is None:
        return ""
    if reader.user_id is not None and actor.pk == reader.user_id:
        return _("you")
    if record.channel == ChangeRecord.Channel.GUARDIAN:
        if reader.is_staff and actor.full_name:
            return _("%(name)s (parent)") % {"name": actor.full_name}
        return _("a parent")
    if not reader.is_staff:
        return ""
    return actor.full_name or actor.email


def _title(record: ChangeRecord, reader: HistoryReader) -> str:
    own = reader.guardian_id is not None and record.guardian_id == reader.guardian_id
    name = record.guardian.display_name if record.guardian else ""
    subject = record.subject
    if subject == ChangeRecord.Subject.PUPIL:
        return _("Your child's details") if reader.guardian_id else _("The pupil's details")
    if subject == ChangeRecord.Subject.EMERGENCY_CONTACTS:
        return _("Emergency contacts")
    if subject == ChangeRecord.Subject.AUTHORITY:
        if own:
            return _("Your parental authority")
        return _("Parental authority of %(name)s") % {"name": name}
    if own:
        return _("Your own details")
    return _("Details of %(name)s") % {"name": name}


def field_label(subject: str, name: str) -> str:
    if name == "emergency_contacts":
        return _("Emergency contacts")
    model = _MODELS.get(subject)
    try:
        field = model._meta.get_field(name) if model else None
    except LookupError:
        field = None
    verbose = getattr(field, "verbose_name", None)
    return capfirst(str(verbose)) if verbose else capfirst(name.replace("_", " "))


def show_value(name: str, value) -> str:
    """A kept value in words: dates in the reader's language, yes/no, codes as labels."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if name == "sex" and value in Sex.values:
        return str(Sex(value).label)
    if name == "language":
        return str(dict(settings.LANGUAGES).get(value, value))
    if isinstance(value, str) and len(value) == 10 and (day := parse_date(value)):
        return date_format(day, "DATE_FORMAT")
    return str(value)


def _may_see_value(record: ChangeRecord, name: str, reader: HistoryReader) -> bool:
    if record.subject == ChangeRecord.Subject.PUPIL and name in PUPIL_CONTACT_FIELDS:
        return reader.contact
    if record.subject == ChangeRecord.Subject.AUTHORITY and name in DECISION_FIELDS:
        return reader.decisions
    return True


def _entry(
    record: ChangeRecord, reader: HistoryReader, *, hide_address: bool = False
) -> ChangeEntry | None:
    """The record in words; None when nothing of it is for this reader."""
    changes = []
    names = list(record.fields)
    if hide_address and record.subject == ChangeRecord.Subject.PUPIL:
        names = [name for name in names if name not in PUPIL_ADDRESS_FIELDS]
        if not names:
            return None
    for name in names:
        label = field_label(record.subject, name)
        kept = record.values.get(name)
        if kept is None or not _may_see_value(record, name, reader):
            changes.append(FieldChange(label))
        else:
            old, new = kept
            changes.append(FieldChange(label, show_value(name, old), show_value(name, new)))
    return ChangeEntry(
        at=record.at,
        subject=record.subject,
        title=_title(record, reader),
        by=_by(record, reader),
        channel=record.get_channel_display(),
        changes=tuple(changes),
        reason=record.reason if reader.decisions or record.subject != "authority" else "",
    )
