"""The school year turns: next year's groups (base and combination groups, as this year's),
pupils moved up a year group or kept back, Groep 8 leavers withdrawn with their destination,
teachers assigned. ``rollover_preview`` shows exactly what ``rollover_apply`` does, and the
apply happens in one transaction, once: a re-run changes nothing.

Applied by hand, it takes effect that day; scheduled, the daily job applies it on 1 August.
Teachers' old groups end the day before (the selectors stop at once, the daily job withdraws
the permissions); the old groups and placements stay as history for the school's staff.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record

from ..constants import WithdrawalDestination
from ..exceptions import StudentError
from ..lifecycle import withdrawn_notify
from ..models import Group, GroupTeacher, Placement, RolloverPlan, School, Student

logger = logging.getLogger(__name__)


class RolloverError(StudentError):
    pass


REAPPLY_DAYS = 180


@dataclass
class GroupPlan:
    name: str
    year_group_low: int
    year_group_high: int
    teacher_ids: list[int]
    source_id: int | None
    pupils: list[int] = field(default_factory=list)


@dataclass
class Move:
    student: Student
    from_group: Group | _Named | None  # after the turn only the former group's name is kept
    to_group: str | None  # a next-year group name, or None for a leaver
    year_from: int
    year_to: int | None
    action: str  # "promote", "keep_back", "leave"
    destination: str = ""


@dataclass(frozen=True)
class _Named:
    """An applied move's former group, by name (the row may have moved on since)."""

    name: str


@dataclass
class Preview:
    school: School
    school_year: int  # the year being prepared (e.g. 2027 for 2027-2028)
    groups: list[GroupPlan]
    moves: list[Move]
    plan: RolloverPlan | None

    @property
    def applied(self) -> bool:
        return self.plan is not None and self.plan.status == RolloverPlan.Status.APPLIED


def base_year(school: School) -> int:
    """The school year of the groups the pupils are in now."""
    # From the pupils' side: a group without pupils (next year's, made beforehand) must not
    # count, and filtering groups on ``students__withdrawn_on__isnull`` would match it.
    year = (
        Student.objects.filter(school=school, withdrawn_on__isnull=True, group__isnull=False)
        .aggregate(year=Max("group__school_year"))
        .get("year")
    )
    if year is None:
        from ..models import school_year_of

        year = school_year_of(timezone.localdate())
    return year


def plan_for(school: School, school_year: int) -> RolloverPlan | None:
    return RolloverPlan.objects.filter(school=school, school_year=school_year).first()


def _target(groups: list[GroupPlan], current: Group | None, year: int) -> GroupPlan | None:
    """Next year's group for a pupil in ``year``: the successor of the current group when it
    still fits (a combination group keeps its younger pupils), else the first that fits."""
    if current is not None:
        for item in groups:
            if item.source_id == current.pk and item.year_group_low <= year <= item.year_group_high:
                return item
    for item in groups:
        if item.year_group_low <= year <= item.year_group_high:
            return item
    return None


def recently_applied(school: School) -> RolloverPlan | None:
    """A school turns its year once: a plan applied in the last 180 days is the answer to a
    re-run (and what the preview shows) until the next year can be prepared."""
    return (
        RolloverPlan.objects.filter(
            school=school,
            status=RolloverPlan.Status.APPLIED,
            applied_at__gte=timezone.now() - datetime.timedelta(days=REAPPLY_DAYS),
        )
        .order_by("-applied_at", "-id")
        .first()
    )


def rollover_preview(*, school: School) -> Preview:
    """What the next school year would look like, from this year's groups and the plan; after
    the turn, what was applied."""
    recent = recently_applied(school)
    if recent is not None:
        return _applied_preview(school, recent)
    year = base_year(school)
    target_year = year + 1
    plan = plan_for(school, target_year)
    current_groups = list(
        Group.objects.filter(school=school, school_year=year).order_by("name", "id")
    )
    overrides = (plan.teachers if plan else {}) or {}
    teachers_now: dict[int, list[int]] = {}
    for row in GroupTeacher.objects.filter(group__in=current_groups).order_by("teacher_id"):
        teachers_now.setdefault(row.group_id, []).append(row.teacher_id)
    groups = [
        GroupPlan(
            name=group.name,
            year_group_low=group.year_group_low,
            year_group_high=group.year_group_high,
            teacher_ids=[int(t) for t in overrides.get(group.name, teachers_now.get(group.pk, []))],
            source_id=group.pk,
        )
        for group in current_groups
    ]
    for existing in Group.objects.filter(school=school, school_year=target_year):
        planned = next((g for g in groups if g.name == existing.name), None)
        if planned and (existing.year_group_low, existing.year_group_high) != (
            planned.year_group_low,
            planned.year_group_high,
        ):
            raise RolloverError(
                _(
                    "Next year's %(group)s already exists for other year groups; change or "
                    "remove it first."
                )
                % {"group": existing.name}
            )
    kept_back = {int(pk) for pk in (plan.kept_back if plan else [])}
    destinations = {int(k): v for k, v in ((plan.destinations if plan else {}) or {}).items()}
    moves = []
    pupils = (
        Student.objects.filter(school=school, withdrawn_on__isnull=True, group__in=current_groups)
        .select_related("group")
        .order_by("group__name", "surname", "given_name", "id")
    )
    for pupil in pupils:
        if pupil.pk in kept_back:
            new_year = pupil.year_group
            action = "keep_back"
        elif pupil.year_group >= 8:
            moves.append(
                Move(
                    student=pupil,
                    from_group=pupil.group,
                    to_group=None,
                    year_from=pupil.year_group,
                    year_to=None,
                    action="leave",
                    destination=destinations.get(pupil.pk, WithdrawalDestination.SECONDARY_SCHOOL),
                )
            )
            continue
        else:
            new_year = pupil.year_group + 1
            action = "promote"
        target = _target(groups, pupil.group, new_year)
        if target is None:
            raise RolloverError(
                _("No group next year takes year group %(year)s; add one first.")
                % {"year": new_year}
            )
        target.pupils.append(pupil.pk)
        moves.append(
            Move(
                student=pupil,
                from_group=pupil.group,
                to_group=target.name,
                year_from=pupil.year_group,
                year_to=new_year,
                action=action,
            )
        )
    return Preview(school=school, school_year=target_year, groups=groups, moves=moves, plan=plan)


def _applied_preview(school: School, plan: RolloverPlan) -> Preview:
    """After the turn the preview shows what was applied (stored with the plan)."""
    result = plan.result or {}
    students = {
        s.pk: s
        for s in Student.objects.filter(
            pk__in=[m["student"] for m in result.get("moves", [])]
        ).select_related("group")
    }
    moves = [
        Move(
            student=students[m["student"]],
            from_group=_Named(m["from_group"]) if m.get("from_group") else None,
            to_group=m["to_group"],
            year_from=m["year_from"],
            year_to=m["year_to"],
            action=m["action"],
            destination=m.get("destination", ""),
        )
        for m in result.get("moves", [])
        if m["student"] in students
    ]
    groups = [GroupPlan(**g) for g in result.get("groups", [])]
    return Preview(
        school=school, school_year=plan.school_year, groups=groups, moves=moves, plan=plan
    )


def preview_data(preview: Preview) -> dict:
    """The fixed JSON shape: ``groups`` and per-pupil ``moves``."""
    return {
        "school": {"id": preview.school.pk, "name": preview.school.name},
        "school_year": preview.school_year,
        "status": preview.plan.status if preview.plan else RolloverPlan.Status.DRAFT,
        "groups": [
            {
                "name": g.name,
                "year_group_low": g.year_group_low,
                "year_group_high": g.year_group_high,
                "teachers": g.teacher_ids,
                "pupils": len(g.pupils),
            }
            for g in preview.groups
        ],
        "moves": [
            {
                "student": m.student.pk,
                "from_group": m.from_group.name if m.from_group else None,
                "to_group": m.to_group,
                "year_from": m.year_from,
                "year_to": m.year_to,
                "action": m.action,
                "destination": m.destination,
            }
            for m in preview.moves
        ],
    }


def _plan_values(
    kept_back: list[int], destinations: dict[int, str], teachers: dict[str, list[int]]
) -> dict:
    """A plan's choices as they are stored (sorted ids, string keys)."""
    return {
        "kept_back": sorted({int(pk) for pk in kept_back}),
        "destinations": {str(k): v for k, v in destinations.items()},
        "teachers": {name: sorted({int(t) for t in ids}) for name, ids in teachers.items()},
    }


def _stored_values(plan: RolloverPlan) -> dict:
    return {
        "kept_back": plan.kept_back,
        "destinations": plan.destinations,
        "teachers": plan.teachers,
    }


def plan_unchanged(
    *,
    school: School,
    kept_back: list[int],
    destinations: dict[int, str],
    teachers: dict[str, list[int]],
) -> bool:
    """Whether the school's plan for next year already holds exactly these choices (the
    plan's form sent back unchanged): then nothing is saved."""
    plan = plan_for(school, base_year(school) + 1)
    return plan is not None and _stored_values(plan) == _plan_values(
        kept_back, destinations, teachers
    )


@transaction.atomic
def plan_save(
    *,
    user: User,
    school: School,
    kept_back: list[int],
    destinations: dict[int, str],
    teachers: dict[str, list[int]],
) -> RolloverPlan:
    """Save the plan; the same choices again write nothing (no change, no audit event)."""
    year = base_year(school) + 1
    plan, created = RolloverPlan.objects.select_for_update().get_or_create(
        school=school, school_year=year
    )
    if plan.status == RolloverPlan.Status.APPLIED:
        raise RolloverError(_("This school year has already been applied."))
    for value in destinations.values():
        if value not in WithdrawalDestination.values:
            raise RolloverError(_("Choose where each leaver goes."))
    values = _plan_values(kept_back, destinations, teachers)
    if not created and _stored_values(plan) == values:
        return plan
    plan.kept_back = values["kept_back"]
    plan.destinations = values["destinations"]
    plan.teachers = values["teachers"]
    plan.updated_by = user
    plan.updated_at = timezone.now()
    plan.save()
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="rollover_plan",
        object_id=plan.pk,
        school_id=school.pk,
        data_kind=DataKind.GROUP,
    )
    return plan


@transaction.atomic
def rollover_schedule(*, user: User, school: School) -> RolloverPlan:
    """Approve the plan for the daily job to apply on 1 August."""
    year = base_year(school) + 1
    plan, _created = RolloverPlan.objects.select_for_update().get_or_create(
        school=school, school_year=year
    )
    if plan.status == RolloverPlan.Status.APPLIED:
        return plan
    rollover_preview(school=school)  # refuses a plan that cannot be applied
    plan.status = RolloverPlan.Status.SCHEDULED
    plan.updated_by = user
    plan.updated_at = timezone.now()
    plan.save(update_fields=["status", "updated_by", "updated_at"])
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="rollover_plan",
        object_id=plan.pk,
        school_id=school.pk,
        data_kind=DataKind.GROUP,
    )
    return plan


@transaction.atomic
def rollover_apply(
    *, user: User | None, school: School, day: datetime.date | None = None
) -> tuple[RolloverPlan, bool]:
    """Apply the next school year in one transaction, effective ``day`` (today). Returns the
    plan and whether anything was done now (False: it had been applied already)."""
    from ..services.pupils import teacher_assign_to_group, teacher_remove_from_group

    day = day or timezone.localdate()
    # The school row is the lock: two directors pressing at once apply it once.
    School.objects.select_for_update().get(pk=school.pk)
    preview = rollover_preview(school=school)
    if preview.plan is not None and preview.applied:  # applied: the plan is stored
        return preview.plan, False
    year = preview.school_year
    plan, _created = RolloverPlan.objects.select_for_update().get_or_create(
        school=school, school_year=year
    )
    if plan.status == RolloverPlan.Status.APPLIED:
        return plan, False
    end = day - datetime.timedelta(days=1)
    old_groups = Group.objects.filter(school=school, school_year=year - 1)
    new_groups: dict[str, Group] = {}
    for item in preview.groups:
        group, _made = Group.objects.get_or_create(
            school=school,
            school_year=year,
            name=item.name,
            defaults={
                "year_group_low": item.year_group_low,
                "year_group_high": item.year_group_high,
            },
        )
        new_groups[item.name] = group
    # Teachers: this year's groups end yesterday, next year's start today.
    current = GroupTeacher.objects.filter(group__in=old_groups).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=end)
    )
    for unstarted in current.filter(starts_on__gt=end).select_related("teacher", "group"):
        teacher_remove_from_group(teacher=unstarted.teacher, group=unstarted.group, actor=user)
    current.update(ends_on=end)
    teacher_ids = {t for g in preview.groups for t in g.teacher_ids}
    teachers = {u.pk: u for u in User.objects.filter(pk__in=teacher_ids, is_active=True)}
    for item in preview.groups:
        for teacher_id in item.teacher_ids:
            if teacher_id in teachers:
                teacher_assign_to_group(
                    teacher=teachers[teacher_id],
                    group=new_groups[item.name],
                    actor=user,
                    starts_on=day,
                )
    moved = left = 0
    for move in preview.moves:
        student = Student.objects.select_for_update().get(pk=move.student.pk)
        for placement in Placement.objects.filter(student=student, ended_on__isnull=True):
            placement.ended_on = max(end, placement.started_on)
            placement.save(update_fields=["ended_on"])
        if move.action == "leave":
            student.withdrawn_on = max(end, student.enrolled_on)
            student.withdrawal_destination = move.destination
            student.group = None
            student.save(update_fields=["withdrawn_on", "withdrawal_destination", "group"])
            withdrawn_notify(actor=user, student=student)
            left += 1
        else:
            if move.to_group is None or move.year_to is None:  # set for every pupil who stays
                raise ValueError("A pupil who stays has a next-year group and year group.")
            group = new_groups[move.to_group]
            # A next-year group made beforehand may be for other year groups: refuse (and roll
            # everything back) rather than place a pupil in a group that cannot take them.
            if not group.year_group_low <= move.year_to <= group.year_group_high:
                raise RolloverError(
                    _("A pupil in year group %(year)s cannot be placed in %(group)s.")
                    % {"year": move.year_to, "group": group.name}
                )
            Placement.objects.create(
                student=student,
                group=group,
                school_year=year,
                started_on=max(day, student.enrolled_on),
            )
            student.group = group
            student.year_group = move.year_to
            student.save(update_fields=["group", "year_group"])
            moved += 1
        event_record(
            user=user,
            action=Action.UPDATE,
            object_type="student",
            object_id=student.pk,
            student_id=student.pk,
            school_id=school.pk,
            data_kind=DataKind.GROUP,
        )
    plan.status = RolloverPlan.Status.APPLIED
    plan.applied_by = user
    plan.applied_at = timezone.now()
    plan.result = {
        "effective": day.isoformat(),
        "groups": [
            {
                "name": g.name,
                "year_group_low": g.year_group_low,
                "year_group_high": g.year_group_high,
                "teacher_ids": g.teacher_ids,
                "source_id": g.source_id,
                "pupils": g.pupils,
            }
            for g in preview.groups
        ],
        "moves": [
            {
                "student": m.student.pk,
                "from_group": m.from_group.name if m.from_group else None,
                "to_group": m.to_group,
                "year_from": m.year_from,
                "year_to": m.year_to,
                "action": m.action,
                "destination": m.destination,
            }
            for m in preview.moves
        ],
        "moved": moved,
        "left": left,
    }
    plan.save()
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="rollover",
        object_id=plan.pk,
        school_id=school.pk,
        data_kind=DataKind.GROUP,
    )
    return plan, True


def rollover_scheduled_apply(*, day: datetime.date | None = None) -> int:
    """Daily job: on or after 1 August apply the plans that were scheduled for this year."""
    from ..models import school_year_of

    day = day or timezone.localdate()
    applied = 0
    for plan in RolloverPlan.objects.filter(
        status=RolloverPlan.Status.SCHEDULED, school_year__lte=school_year_of(day)
    ).select_related("school"):
        try:
            _plan, done = rollover_apply(user=None, school=plan.school, day=day)
        except RolloverError:
            # One school's problem must not hold up the others; the director sees it on the
            # page, where the preview explains it.
            logger.exception("rollover of school %s could not be applied", plan.school_id)
            continue
        applied += done
    return applied
