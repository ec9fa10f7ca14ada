"""Who reaches a pupil's progress, care data, religion and access log (``reach_for``), and
what they see there.

Opening these records is exactly one access event, allowed or denied, flagged
special-category for care data and religion: a refusal is recorded here, the read itself by
the services in students/services/reads.py. Lists of pupils and search never touch these
records.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.constants import Function, Role
from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent

from ..constants import (
    WITHHELD_STATUSES,
    CareVisibility,
    ReligionConsentDecision,
    ReligionStatus,
    WithholdStatus,
)
from ..models import (
    CareRecord,
    GroupUserObjectPermission,
    Guardian,
    Guardianship,
    ProcessingLimit,
    ReligionConsent,
    ReligionRecord,
    SchoolUserObjectPermission,
    Student,
)
from .pupils import function_require, not_allowed, not_found, parse_id, teaching_group_ids

ACCESS_LOG_MONTHS = 12


def _has_school_perm(user, codename: str, school_id: int) -> bool:
    return SchoolUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename=codename, content_object_id=school_id
    ).exists()


def _has_group_perm(user, codename: str, group_id: int | None) -> bool:
    if group_id is None:
        return False
    return GroupUserObjectPermission.objects.filter(
        user_id=user.pk,
        permission__codename=codename,
        content_object_id=group_id,
        content_object_id__in=teaching_group_ids(user),
    ).exists()


def _guardian_authority(user, student_id: int) -> bool | None:
    """None when the user is not a guardian of the pupil, else whether they have authority."""
    if not user.has_role(Role.GUARDIAN):
        return None
    link = (
        Guardianship.objects.filter(guardian__user_id=user.pk, student_id=student_id)
        .values_list("has_authority", flat=True)
        .first()
    )
    return link


@dataclass(frozen=True)
class Reach:
    """How a user reaches one pupil's records: through the school, a group or as guardian."""

    student: Student
    level: str  # "school", "group" or "guardian"


def reach_for(
    *,
    user,
    student_id,
    function: Function,
    data_kind: DataKind,
    school_perm: str | None,
    group_perm: str | None = None,
    guardian_needs_authority: bool = True,
) -> Reach:
    """Decide access to one kind of a pupil's data, or raise (403/404) after one denied event."""
    pk = parse_id(student_id)
    function_require(
        user=user,
        function=function,
        object_type=data_kind,
        object_id=student_id,
        data_kind=data_kind,
        student_id=pk,
    )
    student = (
        Student.objects.select_related("school", "group").filter(pk=pk).first() if pk else None
    )
    if student is not None:
        if school_perm and _has_school_perm(user, school_perm, student.school_id):
            return Reach(student, "school")
        if group_perm and _has_group_perm(user, group_perm, student.group_id):
            return Reach(student, "group")
        authority = _guardian_authority(user, student.pk)
        if authority or (authority is False and not guardian_needs_authority):
            return Reach(student, "guardian")
        if authority is False:
            # A parent without parental authority: a guardian, but not for this data.
            raise not_allowed(
                user=user,
                object_type=data_kind,
                object_id=student.pk,
                student_id=student.pk,
                school_id=student.school_id,
                data_kind=data_kind,
            )
    raise not_found(
        user=user,
        object_type=data_kind,
        raw_id=student_id,
        student_id=pk,
        data_kind=data_kind,
        school_id=student.school_id if student is not None else None,
    )


def care_records_within(reach: Reach) -> QuerySet[CareRecord]:
    records = CareRecord.objects.filter(student=reach.student)
    if reach.level == "group":
        records = records.filter(visibility=CareVisibility.TEACHERS)
    elif reach.level == "guardian":
        records = records.exclude(withhold_status__in=WITHHELD_STATUSES)
    return records.select_related("created_by")


def care_write_reach(*, user, student_id) -> Student:
    """The pupil for writing care data (care coordinator, director), or 403/404."""
    return reach_for(
        user=user,
        student_id=student_id,
        function=Function.WRITE_CARE,
        data_kind=DataKind.CARE,
        school_perm="write_school_care",
    ).student


def religion_write_reach(*, user, student_id) -> Student:
    return reach_for(
        user=user,
        student_id=student_id,
        function=Function.WRITE_RELIGION,
        data_kind=DataKind.RELIGION,
        school_perm="write_school_religion",
    ).student


def religion_for_write(*, user, student_id) -> tuple[Student, ReligionRecord | None]:
    """A pupil and their religion entry to change (None: none recorded), or 403/404; the
    form compares what is sent with it, so a form saved unchanged writes nothing."""
    student = religion_write_reach(user=user, student_id=student_id)
    return student, ReligionRecord.objects.filter(student=student).first()


def religion_writes_for_others(*, user, student: Student) -> bool:
    """Whether the user records a parent's answer from a signed paper form, naming the parent:
    only with school-level write reach on religion (administration, the director). Anyone
    else who writes religion (a parent with authority, even one who also holds a staff role)
    speaks for themselves only, through the portal."""
    return user.has_function(Function.WRITE_RELIGION) and _has_school_perm(
        user, "write_school_religion", student.school_id
    )


def religion_unconsented(school_ids) -> QuerySet[ReligionRecord]:
    """Stated religion entries of these schools' pupils that no parent's consent holds for
    (recorded before consent was asked, or left after it ended): the school resolves them."""
    latest = ReligionConsent.objects.filter(student_id=OuterRef("student_id")).order_by("-id")
    return (
        ReligionRecord.objects.filter(
            status=ReligionStatus.STATED, student__school_id__in=school_ids
        )
        .annotate(consent_latest=Subquery(latest.values("decision")[:1]))
        .filter(Q(consent_latest__isnull=True) | ~Q(consent_latest=ReligionConsentDecision.GRANTED))
    )


def religion_consent_current(*, student: Student) -> ReligionConsent | None:
    """The parent's explicit consent a stated religion rests on, or None: the pupil's latest
    consent row if it is a grant (a withdrawal by any parent with authority ends it)."""
    latest = (
        ReligionConsent.objects.filter(student=student)
        .select_related("guardian")
        .order_by("-id")
        .first()
    )
    return latest if latest and latest.decision == ReligionConsentDecision.GRANTED else None


def religion_consent_guardians(*, student: Student) -> list[Guardian]:
    """The parents who can give or withdraw the consent: those with parental authority."""
    return list(
        Guardian.objects.filter(links__student=student, links__has_authority=True).order_by(
            "surname", "first_name", "id"
        )
    )


def progress_write_reach(*, user, student_id) -> Student:
    """Teachers write progress for the pupils of their own groups only."""
    return reach_for(
        user=user,
        student_id=student_id,
        function=Function.WRITE_PROGRESS,
        data_kind=DataKind.PROGRESS,
        school_perm=None,
        group_perm="write_group_progress",
    ).student


@dataclass(frozen=True)
class AccessLogEntry:
    created_at: datetime.datetime
    role: str
    data_kind: str
    special_category: bool


def access_log_entries(
    *, student: Student, for_guardians: bool, months: int = ACCESS_LOG_MONTHS, limit: int = 1000
) -> list[AccessLogEntry]:
    """A pupil's access log for a caller who already reached the pupil (or for the access
    package). Guardians see the school's reads, never a hint of a record withheld from them."""
    since = timezone.now() - datetime.timedelta(days=months * 31)
    events = AccessEvent.objects.filter(
        student_id=student.pk,
        created_at__gte=since,
        outcome=Outcome.ALLOWED,
        action__in=[Action.VIEW, Action.CREATE, Action.UPDATE],
    ).exclude(data_kind=DataKind.AUDIT)
    if for_guardians:
        events = events.exclude(role=Role.GUARDIAN).exclude(role="")
        # Nothing may hint at a record withheld from guardians, not even a read of it.
        withheld_ids = [
            str(pk)
            for pk in CareRecord.objects.filter(
                student=student, withhold_status__in=WITHHELD_STATUSES
            ).values_list("pk", flat=True)
        ]
        if withheld_ids:
            events = events.exclude(
                object_type__in=("care_record", "care_withholding"), object_id__in=withheld_ids
            )
    rows = events.order_by("-created_at", "-id").values_list(
        "created_at", "role", "data_kind", "special_category"
    )[:limit]
    return [AccessLogEntry(*row) for row in rows]


def withholdings_pending_for(*, user) -> QuerySet[CareRecord]:
    """Requested withholdings in the schools where this user decides on them."""
    schools = SchoolUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename="approve_school_withholding"
    ).values("content_object_id")
    return (
        CareRecord.objects.filter(
            withhold_status=WithholdStatus.REQUESTED, student__school_id__in=schools
        )
        .select_related("student", "student__group", "withhold_requested_by")
        .order_by("created_at", "id")
    )


def progress_writable_by(*, user, student: Student) -> bool:
    """Whether to offer the form: a teacher of the pupil's current group."""
    return user.has_function(Function.WRITE_PROGRESS) and _has_group_perm(
        user, "write_group_progress", student.group_id
    )


def care_record_for_write(*, user, student_id, record_id) -> CareRecord:
    """A care record to change (care coordinator, director of the school), or 403/404."""
    student = care_write_reach(user=user, student_id=student_id)
    rid = parse_id(record_id)
    record = CareRecord.objects.filter(student=student, pk=rid).first() if rid else None
    if record is None:
        raise not_found(
            user=user,
            object_type="care_record",
            raw_id=record_id,
            student_id=student.pk,
            data_kind=DataKind.CARE,
        )
    return record


def limits_active_for(student_ids) -> dict[int, list[ProcessingLimit]]:
    """Restrictions and objections in force per pupil, in one query. Used by the disclosure
    gate and the consent status, which apply them to every pupil they touch."""
    return _per_pupil(ProcessingLimit.objects.active().filter(student_id__in=list(student_ids)))


def limits_active_at(school_id: int) -> dict[int, list[ProcessingLimit]]:
    """The same for every pupil of a school, in one query: for a pass over a whole school,
    where an IN list of every pupil would cost more than the few limits found."""
    return _per_pupil(ProcessingLimit.objects.active().filter(student__school_id=school_id))


def _per_pupil(limits) -> dict[int, list[ProcessingLimit]]:
    result: dict[int, list[ProcessingLimit]] = {}
    for limit in limits:
        result.setdefault(limit.student_id, []).append(limit)
    return result


def limits_for(*, student: Student) -> list[ProcessingLimit]:
    """Active limits of a pupil the caller already reached through a selector (for banners)."""
    return list(ProcessingLimit.objects.active().filter(student=student))
