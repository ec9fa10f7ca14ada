"""A child's consent as guardians and staff see it, and who may record a decision: a guardian
with parental authority online, administration and director from a paper form."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.constants import Function
from audit.constants import Action, DataKind
from students.models import Guardianship, Student
from students.selectors import (
    function_require,
    group_ids_with,
    not_allowed,
    not_found,
    parse_id,
    school_ids_with,
)

from ..constants import Renewal
from ..models import ConsentDecision, ConsentPurpose
from .campaigns import campaign_lock_date
from .status import current_school_year, purposes_active, statuses_for


def students_with_consent_view(user) -> QuerySet[Student]:
    """Enrolled pupils whose consent status this staff member may see."""
    return Student.objects.filter(
        Q(school_id__in=school_ids_with(user, "view_school_consent"))
        | Q(group_id__in=group_ids_with(user, "view_group_consent")),
        withdrawn_on__isnull=True,
    )


@dataclass
class ChildConsent:
    student: Student
    guardian_id: int | None  # the acting guardian, when a guardian looks
    items: list[dict] = field(default_factory=list)
    locked_after: datetime.date | None = None

    @property
    def is_locked(self) -> bool:
        return self.locked_after is not None and timezone.localdate() > self.locked_after


def _history(student: Student, purposes: list[ConsentPurpose]) -> dict[int, list]:
    history: dict[int, list] = defaultdict(list)
    rows = (
        ConsentDecision.objects.filter(student=student, purpose__in=purposes)
        .select_related("guardian", "version")
        .order_by("-recorded_at", "-id")
    )
    for row in rows:
        history[row.purpose_id].append(row)
    return history


def _deny(*, user, student: Student, action=Action.VIEW):
    return not_allowed(
        user=user,
        action=action,
        object_type="consent",
        object_id=student.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=DataKind.CONSENT,
    )


def child_for_consent(*, user, student_id) -> tuple[Student, int | None]:
    """The pupil whose consent this user reads, and the acting guardian's id when a guardian
    reads their own child's (None for staff): guardians with authority and staff in scope;
    403 for a guardian without authority, 404 for anyone else."""
    pk = parse_id(student_id)
    function_require(
        user=user,
        function=(Function.GIVE_CONSENT, Function.VIEW_CONSENT),
        object_type="consent",
        object_id=student_id,
        data_kind=DataKind.CONSENT,
        student_id=pk,
    )
    student = (
        Student.objects.select_related("school", "group").filter(pk=pk).first() if pk else None
    )
    guardian_id = None
    if student is not None:
        link = (
            Guardianship.objects.filter(student=student, guardian__user_id=user.pk)
            .values_list("guardian_id", "has_authority")
            .first()
        )
        in_staff_scope = (
            user.has_function(Function.VIEW_CONSENT)
            and students_with_consent_view(user).filter(pk=student.pk).exists()
        )
        if link is not None and not in_staff_scope:
            if not link[1]:
                raise _deny(user=user, student=student)
            guardian_id = link[0]
        elif not in_staff_scope:
            student = None
    if student is None:
        raise not_found(
            user=user,
            object_type="consent",
            raw_id=student_id,
            student_id=pk,
            data_kind=DataKind.CONSENT,
        )
    return student, guardian_id


def child_consents(*, student: Student, guardian_id: int | None) -> ChildConsent:
    """Every active purpose of a pupil with its text, effective status, the acting
    guardian's own choice and the history, for a caller who reached the pupil through
    ``child_for_consent``."""
    year = current_school_year()
    purposes = purposes_active(student.school_id)
    statuses = statuses_for(student_ids=[student.pk], purposes=purposes, school_year=year)
    history = _history(student, purposes)
    result = ChildConsent(
        student=student,
        guardian_id=guardian_id,
        locked_after=campaign_lock_date(student.school_id, year),
    )
    for purpose in purposes:
        mine = None
        if guardian_id is not None:
            for row in history[purpose.pk]:
                valid = purpose.renewal == Renewal.UNTIL_WITHDRAWN or row.school_year == year
                if row.guardian_id == guardian_id and valid:
                    mine = row.decision
                    break
        result.items.append(
            {
                "purpose": purpose,
                "status": statuses[(student.pk, purpose.pk)],
                "my_decision": mine,
                "history": history[purpose.pk],
            }
        )
    return result


def guardian_for_decision(*, user, student_id) -> tuple[Student, int]:
    """The pupil and the acting guardian's id, for a guardian with authority; else 403/404."""
    pk = parse_id(student_id)
    function_require(
        user=user,
        function=Function.GIVE_CONSENT,
        object_type="consent",
        object_id=student_id,
        data_kind=DataKind.CONSENT,
        student_id=pk,
    )
    link = (
        Guardianship.objects.filter(student_id=pk, guardian__user_id=user.pk)
        .select_related("student", "student__school")
        .first()
        if pk
        else None
    )
    if link is None:
        raise not_found(
            user=user,
            object_type="consent",
            raw_id=student_id,
            student_id=pk,
            data_kind=DataKind.CONSENT,
        )
    if not link.has_authority:
        raise _deny(user=user, student=link.student, action=Action.CREATE)
    return link.student, link.guardian_id


def student_for_paper_form(*, user, student_id) -> Student:
    """Administration and director record paper forms for the school's pupils."""
    pk = parse_id(student_id)
    function_require(
        user=user,
        function=Function.RECORD_CONSENT,
        object_type="consent",
        object_id=student_id,
        data_kind=DataKind.CONSENT,
        student_id=pk,
    )
    student = (
        Student.objects.filter(pk=pk, school_id__in=school_ids_with(user, "record_school_consent"))
        .select_related("school")
        .first()
        if pk
        else None
    )
    if student is None:
        raise not_found(
            user=user,
            object_type="consent",
            raw_id=student_id,
            student_id=pk,
            data_kind=DataKind.CONSENT,
        )
    return student
