"""The erasure registry: which app removes which of a pupil's data, and how.

The core knows no capability. Each app registers, in its ``AppConfig.ready()``, the handlers
that erase or anonymise the data it owns, per data category; retention (its rules and runs,
``retention/services.py``) and privacy requests (an approved erasure request,
``privacy_requests/erasure.py``) call the functions below, never the owners' code.

Two kinds of handler:

- a *part* of a category (``handler_register``), used by retention runs: it removes its share
  of the category for a batch of pupils whose rows the caller holds locked, a fixed number of
  statements whatever the number of pupils where it can, and returns how many records it
  removed per pupil (a pupil it does not mention removed none). ``erase`` runs a category's
  parts in ascending ``order`` and writes each pupil's tombstone line with their sum;
- an erasure request's category (``request_handler_register``): it removes that category of
  one pupil and returns how many records went. Several apps may each remove their share of
  a category (a part ``name``); the request runs them in ascending ``order`` and counts the
  records they removed together. ``request_erase`` asks the guards first (a
  legal hold refuses), then writes a tombstone line per category under the request.

Everything runs inside the caller's transaction. A tombstone line (written by the registered
writer, retention's ``ErasureRecord``) says what went, how, when and why, never the data, and
each line is an audit event. Stored files are removed from storage only once the transaction
commits (``files_delete_on_commit``), so a rollback loses nothing.

Also registered here: what an erasure request can never take away and why (``kept``), which
pupils still hold a category's data (``holding``, for what is due), where anonymised data is
kept without a person (``archive``, the grade lists), and the labels of tombstone categories.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Count, Q
from django.db.models.expressions import BaseExpression
from django.utils.functional import Promise

from audit.constants import Action, DataKind
from audit.services import event_record

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Student

# The categories whose parts several apps register (retention's rules name them).
PUPIL_FILE = "pupil_file"
ENROLMENT = "enrolment"
CONSENT_EVIDENCE = "consent_evidence"

# What happens to the data: removed, or kept without the person (grade lists).
DELETE = "delete"
ANONYMISE = "anonymise"

# A part's handler: the pupils (rows locked by the caller) and the action; records removed
# per pupil id.
PartErase = Callable[[Sequence["Student"], str], Mapping[int, int]]
# An erasure request's handler: one pupil (row locked); records removed.
RequestErase = Callable[["Student"], int]
# Writes the tombstone lines: pupils, category, action, count per pupil id, why.
TombstoneWriter = Callable[[Sequence["Student"], str, str, Mapping[int, int], "Why"], None]


@dataclass(frozen=True)
class Why:
    """Under which rule or request, by whom, in which run. ``rule`` and ``run`` are the
    retention rule and run the tombstone line points at (models of retention, which the core
    does not import), or None."""

    actor: User | None = None
    rule: models.Model | None = None
    run: models.Model | None = None
    request_id: int | None = None


@dataclass(frozen=True)
class Handler:
    category: str
    name: str  # the part it removes; the key of its count in ``erase``'s answer
    order: int
    erase: PartErase


@dataclass(frozen=True)
class RequestHandler:
    category: str
    erase: RequestErase
    data_kind: str
    name: str = ""
    order: int = 0


@dataclass(frozen=True)
class Kept:
    category: Promise | str
    reason: Promise | str
    order: int


_handlers: dict[str, dict[str, Handler]] = {}
_request_handlers: dict[str, dict[str, RequestHandler]] = {}
_kept: dict[str, Kept] = {}
_holding: dict[str, Callable[[], BaseExpression | Q]] = {}
_archives: dict[str, Callable[[list[dict]], None]] = {}
_guards: dict[str, Callable[[Student], None]] = {}
_labels: dict[str, Promise | str] = {}
_tombstone_writer: list[TombstoneWriter] = []


# --- Registering (from AppConfig.ready()) ---------------------------------------------------
# Registering again under the same name replaces the earlier entry, so a second ready() call
# changes nothing.


def handler_register(category: str, name: str, erase: PartErase, *, order: int) -> None:
    """``erase`` removes the part ``name`` of ``category`` for a batch of pupils."""
    _handlers.setdefault(category, {})[name] = Handler(category, name, order, erase)


def request_handler_register(
    category: str, erase: RequestErase, *, data_kind: str, name: str = "", order: int = 0
) -> None:
    """``erase`` removes (its part ``name`` of) ``category`` of one pupil on an approved
    erasure request; the category's audit event is of the ``data_kind`` of its first part.
    Without a name the part is the category's own (its owner's)."""
    part = name or category
    _request_handlers.setdefault(category, {})[part] = RequestHandler(
        category, erase, data_kind, part, order
    )


def kept_register(name: str, category: Promise | str, reason: Promise | str, *, order: int) -> None:
    """Data an erasure request cannot take away, and why (lazy texts: read in the language of
    the moment). Listed in ascending ``order``."""
    _kept[name] = Kept(category, reason, order)


def holding_register(category: str, condition: Callable[[], BaseExpression | Q]) -> None:
    """``condition()`` is a filter on pupils: those that still hold data of ``category``."""
    _holding[category] = condition


def archive_register(kind: str, keep: Callable[[list[dict]], None]) -> None:
    """``keep(rows)`` stores anonymised rows of ``kind`` (e.g. ``"grades"``) without a person."""
    _archives[kind] = keep


def guard_register(name: str, guard: Callable[[Student], None]) -> None:
    """``guard(student)`` raises when nothing of the pupil may be erased on request now."""
    _guards[name] = guard


def labels_register(choices: Iterable[tuple[str, Promise | str]]) -> None:
    """The labels of tombstone categories (key, label)."""
    _labels.update(choices)


def tombstones_register(writer: TombstoneWriter) -> None:
    """The one writer of tombstone lines (retention's ``ErasureRecord``)."""
    _tombstone_writer[:] = [writer]


# --- Reading the registry -------------------------------------------------------------------


def handlers(category: str) -> list[Handler]:
    """The parts of ``category`` in the order they run."""
    found = sorted(_handlers.get(category, {}).values(), key=lambda h: (h.order, h.name))
    if not found:
        raise ImproperlyConfigured(f"no erasure handler registered for {category!r}")
    return found


def kept() -> list[dict]:
    """What an erasure request cannot take away, and why, in the current language."""
    return [
        {"category": str(item.category), "reason": str(item.reason)}
        for item in sorted(_kept.values(), key=lambda item: item.order)
    ]


def holding(category: str) -> BaseExpression | Q:
    """A filter on pupils: those that still hold data of ``category``."""
    return _holding[category]()


def category_labels() -> dict[str, Promise | str]:
    return dict(_labels)


def archive(kind: str, rows: list[dict]) -> None:
    """Keep anonymised rows of ``kind``; refuses if nobody keeps them (they would be lost)."""
    keep = _archives.get(kind)
    if keep is None:
        raise ImproperlyConfigured(f"no archive registered for {kind!r}")
    keep(rows)


# --- Erasing --------------------------------------------------------------------------------


def erase(
    *,
    category: str,
    students: Sequence[Student],
    action: str,
    why: Why,
    record_as: str | None = None,
    data_kind: str = DataKind.BASICS,
) -> dict[int, dict[str, int]]:
    """Run the parts of ``category`` for the pupils (their rows locked by the caller), then
    write each pupil's tombstone line (under ``record_as``, default ``category``) with the
    number of records all parts removed, and its audit event of ``data_kind``. Returns the
    count of each part per pupil."""
    parts = handlers(category)
    counts = {student.pk: dict.fromkeys((h.name for h in parts), 0) for student in students}
    for handler in parts:
        for student_id, n in handler.erase(students, action).items():
            counts[student_id][handler.name] = n
    tombstones_record(
        students,
        record_as or category,
        action,
        {pk: sum(named.values()) for pk, named in counts.items()},
        why,
        data_kind=data_kind,
    )
    return counts


def request_erase(
    *, actor: User, student: Student, categories: list[str], request_id: int | None
) -> dict[str, int]:
    """An approved erasure request: the chosen categories of one pupil (row locked by the
    caller), each a tombstone line under the request. Every guard is asked first; one that
    raises (a legal hold in force) refuses the whole request."""
    for guard in _guards.values():
        guard(student)
    why = Why(actor=actor, request_id=request_id)
    counts: dict[str, int] = {}
    for category in categories:
        parts = sorted(
            _request_handlers.get(category, {}).values(), key=lambda h: (h.order, h.name)
        )
        if not parts:
            raise ValueError(f"unknown erasure category {category!r}")
        counts[category] = sum(part.erase(student) for part in parts)
        tombstones_record(
            [student],
            category,
            DELETE,
            {student.pk: counts[category]},
            why,
            data_kind=parts[0].data_kind,
        )
    return counts


def tombstones_record(
    students: Sequence[Student],
    category: str,
    action: str,
    counts: Mapping[int, int],
    why: Why,
    *,
    data_kind: str = DataKind.BASICS,
) -> None:
    """The tombstone line of each pupil (one INSERT for all) and each pupil's audit event."""
    if not _tombstone_writer:
        raise ImproperlyConfigured("no writer of tombstone lines registered")
    _tombstone_writer[0](students, category, action, counts, why)
    for student in students:
        event_record(
            user=why.actor,
            action=Action.DELETE,
            object_type=f"erasure:{category}",
            object_id=counts[student.pk],
            student_id=student.pk,
            school_id=student.school_id,
            data_kind=data_kind,
        )


# --- Helpers for handlers -------------------------------------------------------------------


def counts_per_pupil(queryset: models.QuerySet) -> dict[int, int]:
    """How many of the queryset's rows each pupil has, in one query (the rows need a
    ``student_id``)."""
    rows = queryset.order_by().values("student_id").annotate(n=Count("pk"))
    return {row["student_id"]: row["n"] for row in rows}


def files_delete_on_commit(fields: Iterable) -> None:
    """Remove the stored files from storage once the transaction commits."""
    for field in fields:
        if field:
            transaction.on_commit(partial(field.storage.delete, field.name))
