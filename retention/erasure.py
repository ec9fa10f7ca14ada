"""The one erasure service: it deletes or anonymises a pupil's data category by category, for
retention rules and for approved erasure requests alike (DESIGN rule 4).

Every function here runs inside the caller's transaction, for one pupil or for a batch of
pupils whose rows the caller has locked (a retention run: each kind of data of the whole batch
in one statement), and writes each pupil's tombstone lines (``ErasureRecord``) that say what
went, how, when and why, never the data, with an audit event per line. The
pupil row is anonymised in place, never deleted. Evidence (consent decisions, access events)
is removed only through the path the PostgreSQL triggers allow: a transaction-local flag, and
for access events a bound that only events past their retention satisfy. Stored files are
removed from storage only once the transaction commits, so a rollback loses nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from audit.chain import chain_extend, seq_ranges
from audit.constants import Action, DataKind
from audit.models import AccessEvent, RetentionCheckpoint
from audit.services import event_record
from consent.models import ConsentDecision, Publication, Takedown
from students.constants import WITHHELD_STATUSES, WithdrawalDestination
from students.models import (
    CareRecord,
    Guardian,
    Guardianship,
    Placement,
    ProcessingLimit,
    ProgressRecord,
    ReligionRecord,
    Student,
)
from suppliers.models import DisclosedPupil, Export

from .constants import Category, RuleAction
from .exceptions import LegalHoldError
from .models import (
    ArchivedResult,
    ErasureRecord,
    LegalHold,
    RetentionRule,
    RetentionRun,
)

AUDIT_BATCH = 5000


@dataclass(frozen=True)
class Why:
    """Under which rule or request, by whom, in which run."""

    actor: User | None = None
    rule: RetentionRule | None = None
    run: RetentionRun | None = None
    request_id: int | None = None


# Which kind of data a tombstone line removes, for its audit event (care and religion are
# special-category events).
DATA_KINDS = {
    "religion": DataKind.RELIGION,
    "care": DataKind.CARE,
    "progress": DataKind.PROGRESS,
    "publications": DataKind.CONSENT,
    "contact": DataKind.BASICS,
    Category.PUPIL_FILE: DataKind.CARE,
    Category.PUPIL_FILE_SPECIAL: DataKind.CARE,
    Category.ENROLMENT: DataKind.BASICS,
    Category.CONSENT_EVIDENCE: DataKind.CONSENT,
}


def _record(student: Student, category: str, action: str, count: int, why: Why) -> None:
    _records([student], category, action, {student.pk: count}, why)


def _records(
    students: Sequence[Student], category: str, action: str, counts: dict[int, int], why: Why
) -> None:
    """The tombstone line of each pupil (one INSERT for all) and each pupil's audit event."""
    ErasureRecord.objects.bulk_create(
        [
            ErasureRecord(
                student=student,
                category=category,
                action=action,
                count=counts[student.pk],
                rule=why.rule,
                run=why.run,
                request_id=why.request_id,
                actor=why.actor,
            )
            for student in students
        ]
    )
    for student in students:
        event_record(
            user=why.actor,
            action=Action.DELETE,
            object_type=f"erasure:{category}",
            object_id=counts[student.pk],
            student_id=student.pk,
            school_id=student.school_id,
            data_kind=DATA_KINDS.get(category, DataKind.BASICS),
        )


def _per_pupil(queryset: models.QuerySet) -> dict[int, int]:
    """How many of the queryset's rows each pupil has, in one query."""
    rows = queryset.order_by().values("student_id").annotate(n=Count("pk"))
    return {row["student_id"]: row["n"] for row in rows}


def _delete_files_on_commit(fields: Iterable) -> None:
    for field in fields:
        if field:
            storage, name = field.storage, field.name
            transaction.on_commit(lambda s=storage, n=name: s.delete(n))


def _consent_decisions_purge(student_ids: list[int]) -> None:
    """Delete the pupils' consent decisions. On PostgreSQL through
    ``retention_purge_consent_decisions``, which refuses unless every pupil left at least 12
    months ago and is not held (migration retention 0007)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT retention_purge_consent_decisions(%s::bigint[])", [student_ids])
        return
    decisions = ConsentDecision.objects.filter(student_id__in=student_ids)
    decisions._raw_delete(decisions.db)


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


def _package_files_remove(student_ids: Sequence[int]) -> dict[int, int]:
    """The stored files of the pupils' access packages go (once the transaction commits);
    per pupil, how many packages had files."""
    from privacy_requests.models import AccessPackage

    removed: dict[int, int] = {}
    packages = (
        AccessPackage.objects.filter(request__student_id__in=student_ids)
        .exclude(json_file="", pdf_file="")
        .select_related("request")
        .only("json_file", "pdf_file", "request__student")
    )
    for package in packages:
        _delete_files_on_commit([package.json_file, package.pdf_file])
        AccessPackage.objects.filter(pk=package.pk).update(json_file="", pdf_file="")
        student_id = package.request.student_id
        removed[student_id] = removed.get(student_id, 0) + 1
    return removed


def _export_files_remove(student: Student) -> int:
    """Stored export files that hold this pupil go; the disclosure evidence stays."""
    exports = Export.objects.filter(disclosure__links__student=student).exclude(file="")
    removed = 0
    for export in exports:
        _delete_files_on_commit([export.file])
        Export.objects.filter(pk=export.pk).update(file="")
        removed += 1
    return removed


PUPIL_FILE_PARTS = ("care", "religion", "progress", "publications", "package_files")


def pupil_file_erase(*, student: Student, action: str, why: Why, category: str) -> dict[str, int]:
    """``pupil_files_erase`` for one pupil."""
    return pupil_files_erase(students=[student], action=action, why=why, category=category)[
        student.pk
    ]


def pupil_files_erase(
    *, students: Sequence[Student], action: str, why: Why, category: str
) -> dict[int, dict[str, int]]:
    """The pupil file of each pupil: care data and religion are deleted (all of it, withheld
    records too: their period has ended); grade lists are archived without the pupil
    (anonymise) or deleted; appearances in publications and the access packages' files go.

    The caller holds the pupils' rows locked (``select_for_update``), so no record can be
    added to them meanwhile: each kind is counted per pupil and then deleted for all the
    pupils at once, a fixed number of statements whatever the number of pupils, plus one
    audit event per pupil. Returns the counts per pupil."""
    ids = [student.pk for student in students]
    counts = {pk: dict.fromkeys(PUPIL_FILE_PARTS, 0) for pk in ids}
    care = CareRecord.objects.filter(student_id__in=ids)
    religion = ReligionRecord.objects.filter(student_id__in=ids)
    publications = Publication.pupils.through.objects.filter(student_id__in=ids)
    progress = ProgressRecord.objects.filter(student_id__in=ids)
    for name, queryset in (("care", care), ("religion", religion), ("publications", publications)):
        for student_id, n in _per_pupil(queryset).items():
            counts[student_id][name] = n
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
    for row in grades:
        counts[row[0]]["progress"] += 1
    if action == RuleAction.ANONYMISE:
        year_group = {student.pk: student.year_group for student in students}
        by_school = {student.pk: student.school_id for student in students}
        ArchivedResult.objects.bulk_create(
            [
                ArchivedResult(
                    school_id=by_school[student_id],
                    school_year=school_year,
                    year_group=year_group[student_id] if group_id is None else group_low,
                    subject=subject,
                    period=period,
                    result=result,
                )
                for student_id, group_id, school_year, group_low, subject, period, result in grades
            ]
        )
    # None of these has rows that cascade from it: each delete is one statement.
    for queryset in (care, religion, progress, publications):
        queryset.delete()
    for student_id, n in _package_files_remove(ids).items():
        counts[student_id]["package_files"] = n
    _records(
        students,
        category,
        action,
        {pk: sum(parts.values()) for pk, parts in counts.items()},
        why,
    )
    return counts


def consent_evidence_erase(*, student: Student, why: Why) -> int:
    """``consent_evidences_erase`` for one pupil."""
    return consent_evidences_erase(students=[student], why=why)[student.pk]


def consent_evidences_erase(*, students: Sequence[Student], why: Why) -> dict[int, int]:
    """The pupils' consent decisions past their evidence period, through the owner's purge
    function on PostgreSQL (``_consent_decisions_purge``). Takedowns that point at them are
    resolved history and go with them.

    The caller holds the pupils' rows locked. All their decisions go in one DELETE inside
    the caller's transaction, so no one ever sees a part of them gone (the order within it
    cannot be observed). Takedowns are the only rows that point at a decision; once these
    are gone nothing can, so the DELETE needs no collector (which would read every decision
    and its takedowns first). Returns the number of decisions per pupil."""
    ids = [student.pk for student in students]
    Takedown.objects.filter(Q(student_id__in=ids) | Q(decision__student_id__in=ids)).delete()
    counts = dict.fromkeys(ids, 0) | _per_pupil(ConsentDecision.objects.filter(student_id__in=ids))
    _consent_decisions_purge(ids)
    _records(students, Category.CONSENT_EVIDENCE, RuleAction.DELETE, counts, why)
    return counts


def _guardian_anonymise(guardian: Guardian) -> None:
    guardian.first_name = ""
    guardian.surname_prefix = ""
    guardian.surname = ""
    guardian.email = ""
    guardian.phone = ""
    guardian.address = ""
    guardian.save(
        update_fields=["first_name", "surname_prefix", "surname", "email", "phone", "address"]
    )
    user = guardian.user
    if user is not None and not user.is_school_staff:
        # The parent's account goes with them (DESIGN rule 4: anonymised in place, never
        # deleted, so ids in the evidence stay valid): no name, no address, no login.
        from accounts.services import api_tokens_revoke

        api_tokens_revoke(user=user)
        user.email = f"anonymised-{user.pk}@invalid"
        user.full_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "full_name", "is_active", "password"])


def _year_only(day: datetime.date | None) -> datetime.date | None:
    return datetime.date(day.year, 1, 1) if day else None


def enrolment_anonymise(
    *, student: Student, why: Why, pupil_file_action: str = RuleAction.ANONYMISE
) -> int:
    """Turn the pupil into a tombstone: no name, no BSN, no address, birth date reduced to
    the year; group history, guardian links, disclosure links, processing limits and stored
    files go; guardians left without any child are anonymised too."""
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
    removed = 0
    removed += Placement.objects.filter(student=student).delete()[0]
    guardian_ids = list(
        Guardianship.objects.filter(student=student).values_list("guardian_id", flat=True)
    )
    removed += Guardianship.objects.filter(student=student).delete()[0]
    for guardian in Guardian.objects.filter(pk__in=guardian_ids).exclude(links__isnull=False):
        _guardian_anonymise(guardian)
    # The export files are found through the disclosure links: remove them first.
    removed += _export_files_remove(student)
    removed += DisclosedPupil.objects.filter(student=student).delete()[0]
    removed += ProcessingLimit.objects.filter(student=student).delete()[0]
    _requests_anonymise(student)
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
    student.source_key = ""
    student.processing_restricted = True
    student.anonymised_at = timezone.now()
    student.save()
    _record(student, Category.ENROLMENT, RuleAction.ANONYMISE, removed + 1, why)
    return removed


def _requests_anonymise(student: Student) -> None:
    """The pupil's privacy requests keep their dates and outcome for the on-time record;
    the free text the guardians and staff typed goes."""
    from privacy_requests.models import PrivacyRequest, RequestStep

    requests = PrivacyRequest.objects.filter(student=student)
    RequestStep.objects.filter(request__in=requests).update(note="")
    requests.update(
        description="",
        correction_value="",
        correction_old_value="",
        outcome="",
        decision_reason="",
        extension_reason="",
    )
    # The reasons staff typed for keeping data on an erasure request are free text too;
    # which categories were erased or kept, and how many, stays.
    for request in requests.exclude(erasure_assessment={}, erasure_result={}):
        if "keep" in request.erasure_assessment:
            request.erasure_assessment["keep"] = dict.fromkeys(
                request.erasure_assessment["keep"], ""
            )
        for item in request.erasure_result.get("kept", []):
            item["reason"] = ""
        request.save(update_fields=["erasure_assessment", "erasure_result"])
    _package_files_remove([student.pk])


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


def request_categories_erase(
    *, actor: User, student: Student, categories: list[str], request_id: int
) -> dict[str, int]:
    """An approved erasure request: the chosen categories of one pupil, each a tombstone
    line under the request. A care record withheld from guardians under the Meldcode is never
    erased on a guardian's request (child protection, AVG art. 23): it stays, unmentioned."""
    from privacy_requests.constants import ErasureCategory

    today = timezone.localdate()
    if any(hold.in_force_on(today) for hold in LegalHold.objects.filter(student=student)):
        raise LegalHoldError
    why = Why(actor=actor, request_id=request_id)
    counts: dict[str, int] = {}
    for category in categories:
        if category == ErasureCategory.RELIGION:
            counts[category] = ReligionRecord.objects.filter(student=student).delete()[0]
        elif category == ErasureCategory.CARE:
            counts[category] = (
                CareRecord.objects.filter(student=student)
                .exclude(withhold_status__in=WITHHELD_STATUSES)
                .delete()[0]
            )
        elif category == ErasureCategory.PROGRESS:
            counts[category] = ProgressRecord.objects.filter(student=student).delete()[0]
        elif category == ErasureCategory.PUBLICATIONS:
            counts[category] = Publication.pupils.through.objects.filter(
                student_id=student.pk
            ).delete()[0]
        elif category == ErasureCategory.CONTACT:
            fields = ("street", "house_number", "postal_code", "city")
            counts[category] = int(any(getattr(student, f) for f in fields))
            for name in fields:
                setattr(student, name, "")
            student.save(update_fields=list(fields))
        else:
            raise ValueError(f"unknown erasure category {category!r}")
        _record(student, category, RuleAction.DELETE, counts[category], why)
    return counts
