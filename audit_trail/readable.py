"""The audit trail in words, for the person who reviews it.

Events hold ids (``audit.models.AccessEvent``); this module turns a page of them (or a chunk of
a download) into what a reader can review: the names of staff, the pupil (by name for a reader
who sees pupils, the director; by pupil number, school and group for the board's privacy
officer, who never sees a pupil's name), and each object in words with a link where the reader
may open it. Names are looked up when the page is shown and never written into the events, so
the hash chain is untouched, and a renamed colleague shows with their name of today.

Every lookup is one query for the whole batch (``events_readable``), so a page of 50 events
costs the same number of queries as a page of one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.db.models import Case, CharField, Exists, OuterRef, QuerySet, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import STAFF_ROLES, Function, Role
from accounts.models import User
from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent
from students.audit_objects import (
    Describer,
    Description,
    describer_for,
    describer_register,
    object_type_label,
)
from students.models import CareRecord, Group, Placement, School, Student
from students.selectors import students_named, students_visible_to
from students.selectors.staff import staff_of, staff_schools_for


@dataclass
class Reader:
    """Who reads the trail, and what of the pupils they may see (read once per request)."""

    user: User
    # The director sees pupils (by name, with links); the privacy officer does not.
    sees_pupils: bool = False
    # The names of the schools whose events the reader oversees (the filter lists them already).
    school_names: dict[int, str] = field(default_factory=dict)
    _openable: set[int] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, user, schools: Iterable[School] = ()) -> Reader:
        return cls(
            user=user,
            sees_pupils=user.has_function(Function.VIEW_PUPILS),
            school_names={school.pk: school.name for school in schools},
        )

    def may(self, function: str) -> bool:
        return self.sees_pupils and self.user.has_function(function)


@dataclass(frozen=True)
class Pupil:
    number: int
    name: str | None  # None for a reader who does not see pupils, or a pupil outside scope
    url: str | None
    group: str


@dataclass(frozen=True)
class ReadableEvent:
    event: AccessEvent
    actor: str  # a name, or '' when there is no one or the reader may not see who
    roles: str
    action: str
    data_kind: str
    object: Description
    pupil: Pupil | None
    school: str
    outcome: str

    @property
    def pupil_label(self) -> str:
        if self.pupil is None:
            return ""
        return self.pupil.name or pupil_number_label(self.pupil.number)


def pupil_number_label(number: int) -> str:
    return f"{_('Pupil number')} {number}"


def role_labels(value: str) -> str:
    names = [part for part in (value or "").split(",") if part]
    return ", ".join(str(Role(n).label) if n in Role.values else n for n in names)


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _users(ids: set[int]) -> dict[int, tuple[str, bool]]:
    """user id -> (name, whether they are school or board staff)."""
    if not ids:
        return {}
    links = User.groups.through
    staff = links.objects.filter(user_id=OuterRef("pk"), group__name__in=STAFF_ROLES)
    rows = (
        User.objects.filter(pk__in=ids)
        .annotate(is_staff_member=Exists(staff))
        .values_list("pk", "full_name", "email", "is_staff_member")
    )
    return {pk: (name or email, is_staff) for pk, name, email, is_staff in rows}


def _pupils(
    reader: Reader, student_ids: set[int]
) -> tuple[dict[int, str], dict[int, str], dict[int, list[tuple]]]:
    """For the pupils of a batch: the names of those the reader may open (none for the privacy
    officer: the name is not even read), their current group, and their group history (for
    the group on an event's day). Two queries."""
    if not student_ids:
        return {}, {}, {}
    pupils = Student.objects.filter(pk__in=student_ids)
    fields = ["pk", "group__name"]
    if reader.sees_pupils:
        visible = students_visible_to(reader.user, include_former=True).filter(pk=OuterRef("pk"))
        pupils = pupils.annotate(
            shown_name=Case(
                When(
                    Exists(visible),
                    then=Concat("given_name", Value(" "), "surname_prefix", Value(" "), "surname"),
                ),
                default=Value(""),
                output_field=CharField(),
            )
        )
        fields.append("shown_name")
    names, current = {}, {}
    for row in pupils.values_list(*fields):
        if row[1]:
            current[row[0]] = row[1]
        if len(row) > 2 and row[2]:
            names[row[0]] = " ".join(row[2].split())
    history: dict[int, list[tuple]] = {}
    for student_id, name, start, end in Placement.objects.filter(
        student_id__in=student_ids
    ).values_list("student_id", "group__name", "started_on", "ended_on"):
        history.setdefault(student_id, []).append((start, end, name))
    return names, current, history


def _group_on(student_id: int, day: datetime.date, current, history) -> str:
    for start, end, name in history.get(student_id, ()):
        if start <= day and (end is None or day <= end):
            return name
    return current.get(student_id, "")


def events_readable(reader: Reader, events: Iterable[AccessEvent]) -> list[ReadableEvent]:
    """The events in words (see the module's docstring); a fixed number of queries."""
    events = list(events)
    student_ids = {e.student_id for e in events if e.student_id}
    user_ids = {e.actor_id for e in events if e.actor_id}
    user_ids |= _ids([e for e in events if e.object_type in USER_OBJECTS])
    users = _users(user_ids)
    names, current, history = _pupils(reader, student_ids)
    reader._openable = set(names)
    schools = reader.school_names
    missing = {e.school_id for e in events if e.school_id and e.school_id not in schools}
    if missing:
        found = School.objects.filter(pk__in=missing).values_list("pk", "name")
        schools = {**schools, **dict(found)}
    objects = _objects(reader, events, users)
    result = []
    for e in events:
        pupil = None
        if e.student_id:
            day = timezone.localtime(e.created_at).date()
            name = names.get(e.student_id)
            pupil = Pupil(
                number=e.student_id,
                name=name,
                url=reverse("student-detail", args=[e.student_id]) if name else None,
                group=_group_on(e.student_id, day, current, history),
            )
        result.append(
            ReadableEvent(
                event=e,
                actor=_actor(reader, users.get(e.actor_id) if e.actor_id else None, e.role),
                roles=role_labels(e.role) or _nobody(e),
                action=_label(Action, e.action),
                data_kind=_label(DataKind, e.data_kind),
                object=objects.get(e.pk) or _plain(e),
                pupil=pupil,
                school=schools.get(e.school_id, "") if e.school_id else "",
                outcome=_label(Outcome, e.outcome),
            )
        )
    return result


def events_readable_chunks(
    reader: Reader, events: QuerySet[AccessEvent], *, size: int = 500
) -> Iterator[ReadableEvent]:
    """All events of a queryset in words, read and resolved one chunk at a time (a download)."""
    chunk: list[AccessEvent] = []
    for event in events.iterator(chunk_size=size):
        chunk.append(event)
        if len(chunk) == size:
            yield from events_readable(reader, chunk)
            chunk = []
    if chunk:
        yield from events_readable(reader, chunk)


def _actor(reader: Reader, user: tuple[str, bool] | None, roles: str | None = None) -> str:
    """The name of who acted. A parent's name would tell which family a pupil number belongs
    to: the privacy officer sees staff by name, and a guardian (also a colleague acting as a
    parent) by their role only."""
    if user is None:
        return ""
    name, is_staff = user
    if reader.sees_pupils:
        return name
    if not is_staff:
        return ""
    if roles is not None and not set(roles.split(",")) & STAFF_ROLES:
        return ""
    return name


def _nobody(event: AccessEvent) -> str:
    """No role: a job of the portal itself (allowed, no one acting), or someone not logged in."""
    if event.actor_id is None and event.outcome == Outcome.ALLOWED:
        return _("the portal itself")
    return _("not logged in")


def _plain(event: AccessEvent) -> Description:
    """An object no describer knows: its kind in words, with its number when it has one."""
    label = object_type_label(event.object_type)
    if _pk(event.object_id) and event.object_type not in PUPIL_PAGES:
        return Description(f"{label} {event.object_id}")
    return Description(label)


# -- the describers of the objects of the core (pupils, care, groups, schools, staff) --------

USER_OBJECTS = frozenset({"staff", "account", "staff_deactivation"})

# The pages about one pupil that an event may record: the route, and the function it needs.
PUPIL_PAGES = {
    "student": ("student-detail", Function.VIEW_PUPILS),
    "care_file": ("student-care", Function.VIEW_CARE),
    "religion": ("student-religion", Function.VIEW_RELIGION),
    "progress": ("student-progress", Function.VIEW_PROGRESS),
    "access_log": ("student-access-log", Function.VIEW_ACCESS_LOG),
}


def _objects(reader, events, users) -> dict[int, Description]:
    by_type: dict[str, list[AccessEvent]] = {}
    for e in events:
        by_type.setdefault(e.object_type, []).append(e)
    found: dict[int, Description] = {}
    for object_type, batch in by_type.items():
        if object_type in USER_OBJECTS:
            found.update(_describe_users(reader, batch, users))
            continue
        describe = describer_for(object_type)
        if describe is not None:
            found.update(describe(reader, batch))
    return found


def _openable(reader: Reader, student_id: int | None) -> bool:
    return bool(student_id) and student_id in (reader._openable or ())


def _describe_pupil_page(reader: Reader, events: Sequence[AccessEvent]) -> dict[int, Description]:
    found = {}
    for e in events:
        route, function = PUPIL_PAGES[e.object_type]
        url = None
        if _openable(reader, e.student_id) and reader.may(function):
            url = reverse(route, args=[e.student_id])
        found[e.pk] = Description(object_type_label(e.object_type), url)
    return found


def _pk(object_id: str) -> int | None:
    """An object id as a database id, or None (ids from a URL are whatever was typed)."""
    return (
        int(object_id)
        if object_id.isascii() and object_id.isdigit() and len(object_id) < 19
        else None
    )


def _ids(events: Sequence[AccessEvent]) -> set[int]:
    return {pk for e in events if (pk := _pk(e.object_id))}


def _named(label: str, name: str | None, object_id: str) -> Description:
    return Description(f"{label}: {name}" if name else f"{label} {object_id}".strip())


def _describe_care_records(reader: Reader, events: Sequence[AccessEvent]) -> dict[int, Description]:
    ids = _ids(events)
    existing: dict[int, int] = {}
    if ids and reader.may(Function.VIEW_CARE):
        existing = dict(CareRecord.objects.filter(pk__in=ids).values_list("pk", "student_id"))
    found = {}
    label = object_type_label("care_record")
    for e in events:
        pk = _pk(e.object_id)
        student_id = existing.get(pk) if pk else None
        url = None
        if student_id and _openable(reader, student_id):
            url = reverse("care-record-detail", args=[student_id, pk])
        found[e.pk] = Description(f"{label} {e.object_id}".strip(), url)
    return found


def _describe_named(model, object_type: str):
    def describe(reader: Reader, events: Sequence[AccessEvent]) -> dict[int, Description]:
        ids = _ids(events)
        names = dict(model.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
        label = object_type_label(object_type)
        found = {}
        for e in events:
            name = (
                names.get(int(e.object_id))
                if e.object_id.isdigit() and len(e.object_id) < 19
                else None
            )
            found[e.pk] = Description(
                f"{label}: {name}" if name else f"{label} {e.object_id}".strip()
            )
        return found

    return describe


def _describe_users(reader: Reader, events, users) -> dict[int, Description]:
    """A colleague's account by name (for a reader who may see who), linked to the staff page
    for a reader who manages the staff of a school they work at (one query)."""
    managed: set[int] = set()
    ids = _ids(events)
    if ids and reader.user.has_function(Function.MANAGE_STAFF):
        managed = set(
            staff_of(staff_schools_for(reader.user)).filter(pk__in=ids).values_list("pk", flat=True)
        )
    found = {}
    for e in events:
        label = object_type_label(e.object_type)
        pk = _pk(e.object_id)
        user = users.get(pk)
        name = _actor(reader, user)
        url = reverse("accounts:staff") + "#accounts-heading" if name and pk in managed else None
        found[e.pk] = Description(_named(label, name, e.object_id).label, url)
    return found


# The core's describers take the trail's own reader (it knows which pupils it may open).
for _type in PUPIL_PAGES:
    describer_register(_type, cast(Describer, _describe_pupil_page))
describer_register("care_record", cast(Describer, _describe_care_records))
describer_register("group", _describe_named(Group, "group"))
describer_register("school", _describe_named(School, "school"))


# -- filters by name -------------------------------------------------------------------------


def _terms(text: str) -> list[str]:
    return text.split()[:5]


def staff_named(text: str) -> QuerySet:
    """Staff (school and board) whose name holds every word typed: a subquery of ids."""
    users = User.objects.filter(groups__name__in=STAFF_ROLES)
    for term in _terms(text):
        users = users.filter(full_name__icontains=term)
    return users.values("pk")


def pupils_named(user, text: str) -> QuerySet:
    """Pupils in the user's scope whose name as the lists show it holds every word typed (the
    pupil list's own search, ``students_named``): a subquery of ids."""
    return students_named(students_visible_to(user, include_former=True), text).values("pk")
