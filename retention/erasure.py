"""Retention's side of erasure: the rule categories mapped onto the core's erasure registry
(``students/erasure.py``), where each app registers how its own data goes, and what retention
keeps for everyone: the tombstone lines (``ErasureRecord``), the archive of anonymised grade
lists (``ArchivedResult``), the legal hold that refuses erasure on request, and the removal of
access events past the board's log policy.

Every function here runs inside the caller's transaction, for one pupil or for a batch of
pupils whose rows the caller has locked (a retention run: each kind of data of the whole batch
in one statement), and writes each pupil's tombstone lines that say what went, how, when and
why, never the data, with an audit event per line. The pupil row is anonymised in place, never
deleted. Evidence (consent decisions, access events) is removed only through the path the
PostgreSQL triggers allow: a transaction-local flag, and for access events a bound that only
events past their retention satisfy. Stored files are removed from storage only once the
transaction commits, so a rollback loses nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import cast

from django.db import connection, models, transaction
from django.utils import timezone

from audit.chain import chain_extend, seq_ranges
from audit.constants import DataKind
from audit.models import AccessEvent, RetentionCheckpoint
from students import erasure
from students.constants import WithdrawalDestination
from students.erasure import Why
from students.models import Student

from .constants import Category, RuleAction
from .exceptions import LegalHoldError
from .models import (
    ArchivedResult,
    ErasureRecord,
    LegalHold,
    RetentionRule,
    RetentionRun,
)

__all__ = [
    "AUDIT_BATCH",
    "Why",
    "audit_events_purge",
    "consent_evidences_erase",
    "enrolment_anonymise",
    "erasure_hooks_register",
    "pupil_file_erase",
    "pupil_files_erase",
]

AUDIT_BATCH = 5000

# Which kind of data a rule's tombstone line removes, for its audit event (the pupil file is
# special-category: care data and religion).
DATA_KINDS: dict[str, str] = {
    Category.PUPIL_FILE: DataKind.CARE,
    Category.PUPIL_FILE_SPECIAL: DataKind.CARE,
    Category.ENROLMENT: DataKind.BASICS,
    Category.CONSENT_EVIDENCE: DataKind.CONSENT,
}


# --- What retention keeps for the registry --------------------------------------------------


def _tombstones_write(
    students: Sequence[Student], category: str, action: str, counts: Mapping[int, int], why: Why
) -> None:
    """The tombstone line of each pupil, one INSERT for all."""
    ErasureRecord.objects.bulk_create(
        [
            ErasureRecord(
                student=student,
                category=category,
                action=action,
                count=counts[student.pk],
                # the core types these as models (it does not import retention); retention
                # passes its own rule and run
                rule=cast("RetentionRule | None", why.rule),
                run=cast("RetentionRun | None", why.run),
                request_id=why.request_id,
                actor=why.actor,
            )
            for student in students
        ]
    )


def _grades_archive(rows: list[dict]) -> None:
    """Anonymised grades, kept with no link to the pupil."""
    ArchivedResult.objects.bulk_create([ArchivedResult(**row) for row in rows])


def _hold_refuse(student: Student) -> None:
    """Nothing of a pupil under a legal hold in force is erased on request."""
    today = timezone.localdate()
    if any(hold.in_force_on(today) for hold in LegalHold.objects.filter(student=student)):
        raise LegalHoldError


def erasure_hooks_register() -> None:
    erasure.tombstones_register(_tombstones_write)
    erasure.archive_register("grades", _grades_archive)
    erasure.guard_register("legal_hold", _hold_refuse)


# --- The rule categories --------------------------------------------------------------------


def pupil_file_erase(*, student: Student, action: str, why: Why, category: str) -> dict[str, int]:
    """``pupil_files_erase`` for one pupil."""
    return pupil_files_erase(students=[student], action=action, why=why, category=category)[
        student.pk
    ]


def pupil_files_erase(
    *, students: Sequence[Student], action: str, why: Why, category: str
) -> dict[int, dict[str, int]]:
    """The pupil file of each pupil (``category``: the ordinary one or that of a pupil who
    left for special education): care data and religion are deleted (all of it, withheld
    records too: their period has ended); grade lists are archived without the pupil
    (anonymise) or deleted; appearances in publications and the access packages' files go.

    The caller holds the pupils' rows locked (``select_for_update``), so no record can be
    added to them meanwhile: each kind is counted per pupil and then deleted for all the
    pupils at once, a fixed number of statements whatever the number of pupils, plus one
    audit event per pupil. Returns the counts per pupil, per part."""
    return erasure.erase(
        category=erasure.PUPIL_FILE,
        students=students,
        action=action,
        why=why,
        record_as=category,
        data_kind=DATA_KINDS[category],
    )


def consent_evidences_erase(*, students: Sequence[Student], why: Why) -> dict[int, int]:
    """The pupils' consent decisions past their evidence period (and the takedowns that point
    at them), all in one DELETE inside the caller's transaction, through the owner's purge
    function on PostgreSQL. The caller holds the pupils' rows locked. Returns the number of
    decisions per pupil."""
    counts = erasure.erase(
        category=erasure.CONSENT_EVIDENCE,
        students=students,
        action=RuleAction.DELETE,
        why=why,
        data_kind=DATA_KINDS[Category.CONSENT_EVIDENCE],
    )
    return {pk: sum(parts.values()) for pk, parts in counts.items()}


def enrolment_anonymise(
    *, student: Student, why: Why, pupil_file_action: str = RuleAction.ANONYMISE
) -> int:
    """Turn the pupil into a tombstone: the pupil file goes first if it has not gone yet; then
    no name, no BSN, no address, birth date reduced to the year; group history, guardian
    links, disclosure links, processing limits and stored files go; guardians left without
    any child are anonymised too. Returns how many linked records went."""
    if not ErasureRecord.objects.filter(
        student=student, category__in=[Category.PUPIL_FILE, Category.PUPIL_FILE_SPECIAL]
    ).exists():
        pupil_file_erase(
            student=student,
            action=pupil_file_action,
            why=why,
            category=Category.PUPIL_FILE_SPECIAL
            if student.withdrawal_destination == WithdrawalDestination.SPECIAL_EDUCATION
            else Category.PUPIL_FILE,
        )
    counts = erasure.erase(
        category=erasure.ENROLMENT,
        students=[student],
        action=RuleAction.ANONYMISE,
        why=why,
        data_kind=DATA_KINDS[Category.ENROLMENT],
    )[student.pk]
    return sum(counts.values()) - 1  # the pupil row itself counts as one


# --- Access events --------------------------------------------------------------------------


def _access_events_purge(
    batch: list[tuple[int, datetime.datetime, int]],
    *,
    before: datetime.datetime,
    run: RetentionRun | None,
) -> int:
    """Delete one batch of chained access events (pk, created_at, chain number) and write its
    checkpoint (``audit.models.RetentionCheckpoint``). On PostgreSQL through
    ``retention_purge_access_events``, which removes only chained events older than ``before``
    of pupils not held, refuses a ``before`` within 12 months, and writes the checkpoint itself
    (migration retention 0007)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT retention_purge_access_events(%s::bigint[], %s, %s)",
                [[row[0] for row in batch], before, run.pk if run is not None else None],
            )
            return cursor.fetchone()[0]
    deleted = models.QuerySet.delete(AccessEvent.objects.filter(pk__in=[row[0] for row in batch]))[
        0
    ]
    last_pk, last_at, _seq = max(batch, key=lambda row: (row[1], row[0]))
    RetentionCheckpoint.objects.create(
        table=AccessEvent._meta.db_table,
        up_to_id=last_pk,
        up_to_created_at=last_at,
        deleted_count=deleted,
        removed_seal_ranges=seq_ranges(row[2] for row in batch),
        run_id=run.pk if run is not None else None,
    )
    return deleted


def audit_events_purge(
    *,
    before: datetime.datetime,
    held_ids: Iterable[int],
    run: RetentionRun | None,
    school_id: int | None = None,
) -> int:
    """Remove access events older than ``before`` (never those of a pupil under legal hold),
    oldest first, in batches, each with a checkpoint so the audit chain verifies from there.

    Events are linked into the chain first and only chained ones go: each checkpoint names the
    chain numbers its batch removed, the only gaps the chain verification accepts."""
    chain_extend()
    held = list(held_ids)
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                AccessEvent.objects.filter(created_at__lt=before, seal_seq__isnull=False)
                .filter(**({"school_id": school_id} if school_id is not None else {}))
                .exclude(student_id__in=held)
                .order_by("created_at", "id")
                .values_list("pk", "created_at", "seal_seq")[:AUDIT_BATCH]
            )
            if not batch:
                return total
            deleted = _access_events_purge(batch, before=before, run=run)
            if deleted != len(batch):
                # The database refused part of the batch (a hold placed meanwhile): stop here
                # rather than loop; the next run continues.
                return total + deleted
            total += deleted
