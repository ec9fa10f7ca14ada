"""Applying an EDEXML import: carrying out the plan the preview showed, nothing more.

:func:`edexml_carry_out` plans again inside the caller's transaction (one import per school at
a time) and, when the plan is still the one the preview showed, writes it: groups first, then
pupils (through :func:`students.services.student_enrol`, ``student_move`` and
``student_withdraw``), then the teachers' group proposals to the director. Every write records
its audit event. Importing the same file again changes nothing (the records' EDEXML keys).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from audit.constants import Action, DataKind
from audit.services import event_record
from students.constants import WithdrawalDestination
from students.models import Group, School, Student
from students.services import student_enrol, student_move, student_withdraw
from students.services.staff import teacher_proposals_record

from .planning import (
    CREATE,
    PROPOSE,
    SKIP,
    UPDATE,
    WITHDRAW,
    Preview,
    RecordAction,
    edexml_plan,
    plan_digest,
)
from .reading import EdexmlFile, Progress, Source, edexml_read
from .validation import EdexmlError


class PlanChangedError(EdexmlError):
    """The plan differs from the one the preview showed (the portal changed meanwhile)."""


@dataclass
class ImportResult:
    """What the import did: exactly the preview's plan, with the ids of the records."""

    preview: Preview
    group_ids: dict[str, int] = field(default_factory=dict)
    student_ids: dict[str, int] = field(default_factory=dict)
    # The accounts of the school's teachers the file names, and the proposals made for them.
    teacher_ids: dict[str, int] = field(default_factory=dict)
    proposal_ids: dict[str, list[int]] = field(default_factory=dict)

    def counts(self) -> dict[str, dict[str, int]]:
        return self.preview.counts()

    def summary(self) -> list[str]:
        return self.preview.summary()

    @property
    def proposed_groups(self) -> int:
        return sum(len(ids) for ids in self.proposal_ids.values())


def edexml_import(
    source: Source, *, school: School, actor, progress: Progress | None = None
) -> ImportResult:
    """Read the file, then carry out the plan in one transaction (idempotent by the EDEXML
    keys).

    Raises :class:`EdexmlError` (with ``errors``) for an unreadable or invalid file; then
    nothing is imported.
    """
    document = edexml_read(source, progress=progress)
    with transaction.atomic():
        return edexml_carry_out(document, school=school, actor=actor)


def edexml_carry_out(
    document: EdexmlFile, *, school: School, actor, expected_digest: str = ""
) -> ImportResult:
    """Plan and carry out, inside the caller's transaction. With ``expected_digest`` (the
    preview's :func:`plan_digest`) a plan that differs raises :class:`PlanChangedError` and
    nothing is written."""
    # One import per school at a time (a no-op on SQLite, which locks the whole file).
    School.objects.select_for_update().filter(pk=school.pk).first()
    preview = edexml_plan(document, school=school)
    if expected_digest and plan_digest(preview) != expected_digest:
        raise PlanChangedError(
            _(
                "The portal's pupils or groups changed after the check, so the import would no "
                "longer do what the preview showed. Nothing was imported. Check the file again."
            )
        )
    result = ImportResult(preview=preview)
    for record in preview.groups:
        _apply_group(record, school=school, year=preview.school_year, actor=actor, result=result)
    for record in preview.pupils:
        _apply_pupil(record, school=school, actor=actor, result=result)
    for record in preview.teachers:
        _apply_teacher(record, school=school, actor=actor, result=result)
    return result


# -- carrying out the plan -------------------------------------------------------------------
def _apply_group(record: RecordAction, *, school, year, actor, result: ImportResult) -> None:
    if record.action == SKIP:
        return
    detail = record.detail
    group = detail["group"]
    if record.action == CREATE:
        group = Group.objects.create(
            school=school,
            school_year=year,
            name=detail["name"],
            source_key=record.key,
            year_group_low=detail["low"],
            year_group_high=detail["high"],
        )
        event_record(
            user=actor,
            action=Action.CREATE,
            object_type="group",
            object_id=group.pk,
            data_kind=DataKind.GROUP,
            school_id=school.pk,
        )
    elif record.action == UPDATE:
        group.name = detail["name"]
        group.source_key = record.key
        group.year_group_low, group.year_group_high = detail["low"], detail["high"]
        group.save(update_fields=["name", "source_key", "year_group_low", "year_group_high"])
        event_record(
            user=actor,
            action=Action.UPDATE,
            object_type="group",
            object_id=group.pk,
            data_kind=DataKind.GROUP,
            school_id=school.pk,
        )
    detail["group"] = group
    result.group_ids[record.key] = group.pk


def _apply_pupil(record: RecordAction, *, school, actor, result: ImportResult) -> None:
    detail = record.detail
    if record.action == CREATE:
        values = detail["values"]
        group_plan = detail["group"]
        if group_plan is not None:
            student = student_enrol(
                actor=actor, school=school, group=group_plan.detail["group"], **values
            )
            Student.objects.filter(pk=student.pk).update(source_key=record.key)
        else:
            # student_enrol needs a group; this is its groupless twin (same row, same event).
            student = Student.objects.create(school=school, source_key=record.key, **values)
            event_record(
                user=actor,
                action=Action.CREATE,
                object_type="student",
                object_id=student.pk,
                student_id=student.pk,
                school_id=school.pk,
            )
        result.student_ids[record.key] = student.pk
    elif record.action == UPDATE:
        student = detail["student"]
        if detail["changed"]:
            for name, value in detail["changed"].items():
                setattr(student, name, value)
            student.save(update_fields=list(detail["changed"]))
            event_record(
                user=actor,
                action=Action.UPDATE,
                object_type="student",
                object_id=student.pk,
                student_id=student.pk,
                school_id=school.pk,
            )
        if detail["group"] is not None:
            student_move(actor=actor, student=student, group=detail["group"].detail["group"])
        result.student_ids[record.key] = student.pk
    elif record.action == WITHDRAW:
        student = student_withdraw(
            actor=actor,
            student=detail["student"],
            on=detail["on"],
            destination=WithdrawalDestination.OTHER,
        )
        result.student_ids[record.key] = student.pk


def _apply_teacher(record: RecordAction, *, school, actor, result: ImportResult) -> None:
    """Propose the teacher's groups to the director; nothing is assigned and no role given."""
    user = record.detail.get("user")
    if user is None:
        return
    result.teacher_ids[record.key] = user.pk
    if record.action != PROPOSE:
        return
    proposals = teacher_proposals_record(
        actor=actor,
        school=school,
        teacher=user,
        groups=[plan.detail["group"] for plan in record.detail["groups"]],
    )
    result.proposal_ids[record.key] = [proposal.pk for proposal in proposals]
