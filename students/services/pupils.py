"""Writes and workflows for schools, groups, pupils and guardians.

Permissions follow the relationship at once: the service that creates a relationship grants
the object permissions that go with it, in the same transaction.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group as RoleGroup
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from accounts.constants import Role
from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel.crypto import lookup_hash

from ..constants import WithdrawalDestination
from ..exceptions import PlacementError, StudentError, WithdrawalError
from ..lifecycle import withdrawn_notify
from ..models import (
    Board,
    ChangeRecord,
    Group,
    GroupTeacher,
    Guardian,
    Guardianship,
    Placement,
    School,
    Student,
    school_year_of,
)
from ..permissions import GROUP, ROLE_SCOPES, SCHOOL, role_codenames
from ..validators import validate_bsn
from .former import pupil_require_enrolled
from .history import change_record
from .records import religion_consent_authority_ended


def role_grant(*, user: User, role: Role) -> None:
    group, _created = RoleGroup.objects.get_or_create(name=role)
    user.groups.add(group)
    user.__dict__.pop("_role_names", None)


@transaction.atomic
def staff_assign_to_school(*, user: User, school: School, role: Role) -> None:
    """Give a director, administration or care coordinator their school scope."""
    if ROLE_SCOPES.get(role) != SCHOOL:
        raise ValueError(f"{role} is not a school role")
    role_grant(user=user, role=role)
    for codename in role_codenames(role, SCHOOL):
        assign_perm(f"students.{codename}", user, school)


@transaction.atomic
def school_create(*, board: Board, name: str, brin: str) -> School:
    """A new school of a board; the board's privacy officers oversee it at once."""
    school = School.objects.create(board=board, name=name, brin=brin)
    officers = User.objects.filter(
        groups__name=Role.PRIVACY_OFFICER,
        schooluserobjectpermission__content_object__board=board,
    ).distinct()
    for officer in officers:
        for codename in role_codenames(Role.PRIVACY_OFFICER, SCHOOL):
            assign_perm(f"students.{codename}", officer, school)
    return school


@transaction.atomic
def privacy_officer_assign_to_board(*, user: User, board: Board) -> None:
    """The board's privacy officer oversees every school of the board."""
    role_grant(user=user, role=Role.PRIVACY_OFFICER)
    for school in board.schools.all():
        for codename in role_codenames(Role.PRIVACY_OFFICER, SCHOOL):
            assign_perm(f"students.{codename}", user, school)


@transaction.atomic
def teacher_assign_to_group(
    *,
    teacher: User,
    group: Group,
    actor: User | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    substitute: bool = False,
) -> GroupTeacher:
    """Give a teacher a group, for good or for a period (a substitute). The permissions are
    granted at once; the selectors only honour them within the period, and the daily job
    withdraws them when it ends. The grant is an audit event, and so is its end."""
    if starts_on and ends_on and ends_on < starts_on:
        raise PlacementError(_("The last day cannot be before the first day."))
    if ends_on and ends_on < timezone.localdate():
        raise PlacementError(_("The last day cannot be in the past."))
    role_grant(user=teacher, role=Role.TEACHER)
    assignment, _created = GroupTeacher.objects.update_or_create(
        group=group,
        teacher=teacher,
        defaults={
            "starts_on": starts_on,
            "ends_on": ends_on,
            "is_substitute": substitute,
            "access_started_at": None,
            "access_ended_at": None,
        },
    )
    for codename in role_codenames(Role.TEACHER, GROUP):
        assign_perm(f"students.{codename}", teacher, group)
    event_record(
        user=actor,
        action=Action.CREATE,
        object_type="group_teacher",
        object_id=assignment.pk,
        school_id=group.school_id,
        data_kind=DataKind.GROUP,
    )
    return assignment


@transaction.atomic
def teacher_remove_from_group(*, teacher: User, group: Group, actor: User | None = None) -> None:
    GroupTeacher.objects.filter(group=group, teacher=teacher).delete()
    for codename in role_codenames(Role.TEACHER, GROUP):
        remove_perm(f"students.{codename}", teacher, group)
    event_record(
        user=actor,
        action=Action.UPDATE,
        object_type="group",
        object_id=group.pk,
        school_id=group.school_id,
        data_kind=DataKind.GROUP,
    )


def teacher_periods_sync(*, day: datetime.date | None = None) -> dict[str, int]:
    """Daily: record the start of periods that began and withdraw the permissions of periods
    that ended (each an audit event). Safe to run twice: each start and end is done once."""
    day = day or timezone.localdate()
    started = ended = 0
    for assignment in GroupTeacher.objects.filter(
        starts_on__lte=day, access_started_at__isnull=True
    ).select_related("group"):
        with transaction.atomic():
            if GroupTeacher.objects.filter(pk=assignment.pk, access_started_at__isnull=True).update(
                access_started_at=timezone.now()
            ):
                event_record(
                    user=None,
                    action=Action.CREATE,
                    object_type="group_teacher_start",
                    object_id=assignment.pk,
                    school_id=assignment.group.school_id,
                    data_kind=DataKind.GROUP,
                )
                started += 1
    for assignment in GroupTeacher.objects.filter(
        ends_on__lt=day, access_ended_at__isnull=True
    ).select_related("group", "teacher"):
        with transaction.atomic():
            if not GroupTeacher.objects.filter(
                pk=assignment.pk, access_ended_at__isnull=True
            ).update(access_ended_at=timezone.now()):
                continue
            for codename in role_codenames(Role.TEACHER, GROUP):
                remove_perm(f"students.{codename}", assignment.teacher, assignment.group)
            event_record(
                user=None,
                action=Action.DELETE,
                object_type="group_teacher_end",
                object_id=assignment.pk,
                school_id=assignment.group.school_id,
                data_kind=DataKind.GROUP,
            )
            ended += 1
    return {"started": started, "ended": ended}


def _check_group_fits(*, group: Group, school: School, year_group: int) -> None:
    if group.school_id != school.pk:
        raise PlacementError(_("The group belongs to another school."))
    if not group.year_group_low <= year_group <= group.year_group_high:
        raise PlacementError(
            _("A pupil in year group %(year)s cannot be placed in %(group)s.")
            % {"year": year_group, "group": group.name}
        )


@transaction.atomic
def student_enrol(
    *,
    actor: User | None,
    school: School,
    group: Group,
    first_names: str,
    given_name: str,
    surname: str,
    date_of_birth: datetime.date,
    sex: str,
    year_group: int,
    enrolled_on: datetime.date,
    surname_prefix: str = "",
    street: str = "",
    house_number: str = "",
    postal_code: str = "",
    city: str = "",
    bsn: str = "",
) -> Student:
    _check_group_fits(group=group, school=school, year_group=year_group)
    if bsn:
        validate_bsn(bsn)
    student = Student.objects.create(
        school=school,
        group=group,
        first_names=first_names,
        given_name=given_name,
        surname_prefix=surname_prefix,
        surname=surname,
        date_of_birth=date_of_birth,
        sex=sex,
        year_group=year_group,
        enrolled_on=enrolled_on,
        street=street,
        house_number=house_number,
        postal_code=postal_code,
        city=city,
        bsn=bsn,
        bsn_hash=lookup_hash(bsn) if bsn else "",
    )
    Placement.objects.create(
        student=student, group=group, school_year=group.school_year, started_on=enrolled_on
    )
    event_record(
        user=actor,
        action=Action.CREATE,
        object_type="student",
        object_id=student.pk,
        student_id=student.pk,
        school_id=school.pk,
    )
    return student


@transaction.atomic
def student_move(
    *, actor: User | None, student: Student, group: Group, on: datetime.date | None = None
) -> Student:
    """Move a pupil to another group; scope follows at once (it hangs on the group)."""
    on = on or timezone.localdate()
    student = Student.objects.select_for_update().get(pk=student.pk)
    pupil_require_enrolled(student)
    _check_group_fits(group=group, school=student.school, year_group=student.year_group)
    if student.group_id == group.pk:
        return student
    Placement.objects.filter(student=student, ended_on__isnull=True).update(ended_on=on)
    Placement.objects.create(
        student=student, group=group, school_year=group.school_year, started_on=on
    )
    student.group = group
    student.save(update_fields=["group"])
    event_record(
        user=actor,
        action=Action.UPDATE,
        object_type="student",
        object_id=student.pk,
        student_id=student.pk,
        school_id=student.school_id,
    )
    return student


def placement_open_since(student: Student) -> datetime.date | None:
    """The start of the pupil's current (open) group placement, the latest if several are
    open: a withdrawal ends it, so it cannot be dated before."""
    return (
        Placement.objects.filter(student=student, ended_on__isnull=True)
        .order_by("-started_on")
        .values_list("started_on", flat=True)
        .first()
    )


@transaction.atomic
def student_withdraw(
    *,
    actor: User | None,
    student: Student,
    on: datetime.date,
    destination: WithdrawalDestination,
) -> Student:
    student = Student.objects.select_for_update().get(pk=student.pk)
    if not student.is_enrolled:
        raise WithdrawalError(_("The pupil has already been withdrawn."))
    if on < student.enrolled_on:
        raise WithdrawalError(_("The withdrawal date cannot be before the enrolment date."))
    if on > timezone.localdate():
        raise WithdrawalError(_("The withdrawal date cannot be in the future."))
    if destination not in WithdrawalDestination.values:
        raise WithdrawalError(_("Choose where the pupil goes."))
    placed_on = placement_open_since(student)
    if placed_on is not None and on < placed_on:
        raise WithdrawalError(
            _(
                "The withdrawal date cannot be before the start of the pupil's current group "
                "placement (%(date)s)."
            )
            % {"date": date_format(placed_on, "DATE_FORMAT")}
        )
    Placement.objects.filter(student=student, ended_on__isnull=True).update(ended_on=on)
    student.withdrawn_on = on
    student.withdrawal_destination = destination
    student.group = None
    student.save(update_fields=["withdrawn_on", "withdrawal_destination", "group"])
    event_record(
        user=actor,
        action=Action.UPDATE,
        object_type="student",
        object_id=student.pk,
        student_id=student.pk,
        school_id=student.school_id,
    )
    withdrawn_notify(actor=actor, student=student)
    return student


@transaction.atomic
def guardian_link(
    *, actor: User | None, guardian: Guardian, student: Student, has_authority: bool = True
) -> Guardianship:
    pupil_require_enrolled(student)
    link, created = Guardianship.objects.update_or_create(
        guardian=guardian, student=student, defaults={"has_authority": has_authority}
    )
    if guardian.user is not None:
        role_grant(user=guardian.user, role=Role.GUARDIAN)
    event_record(
        user=actor,
        action=Action.CREATE if created else Action.UPDATE,
        object_type="guardianship",
        object_id=link.pk,
        student_id=student.pk,
        school_id=student.school_id,
    )
    return link


def group_school_year_current() -> int:
    return school_year_of(timezone.localdate())


@transaction.atomic
def guardian_authority_set(
    *,
    actor: User,
    link: Guardianship,
    has_authority: bool,
    decided_on: datetime.date | None = None,
    reference: str = "",
    channel: str = ChangeRecord.Channel.SCHOOL,
) -> Guardianship:
    """A court decision changes parental authority: a guardian without it is switched to the
    limited view at once (basics and progress; no consent, no requests). The decision's date
    and reference are kept with the link, for the staff who manage pupils. The consent to
    record religion this parent gave ends with their authority (and a stated religion that
    rested on it goes): see ``religion_consent_authority_ended``."""
    student = Student.objects.select_for_update().get(pk=link.student_id)  # before the link
    link = Guardianship.objects.select_for_update().select_related("guardian").get(pk=link.pk)
    if decided_on is not None and decided_on > timezone.localdate():
        raise StudentError(
            field_errors={"decided_on": [_("The decision's date cannot be in the future.")]}
        )
    if link.has_authority == has_authority:
        return link
    fields = ("has_authority", "authority_decided_on", "authority_reference")
    before = {name: getattr(link, name) for name in fields}
    link.has_authority = has_authority
    link.authority_decided_on = decided_on
    link.authority_reference = reference.strip()
    link.save(update_fields=list(fields))
    # The history entry and the audit event (students/services/history.py); a guardian whose
    # contact data is confidential: the entry is shown to the school and that guardian only.
    change_record(
        actor=actor,
        subject=ChangeRecord.Subject.AUTHORITY,
        channel=channel,
        student=student,
        guardian=link.guardian,
        before=before,
        after={name: getattr(link, name) for name in fields},
        confidential=link.guardian.contact_confidential,
        reason=reference,
        school_id=student.school_id,
    )
    if not has_authority:
        religion_consent_authority_ended(user=actor, student=student, guardian_id=link.guardian_id)
    return link
