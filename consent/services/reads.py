"""Reads that leave evidence: opening a child's consent, a dashboard or a photo list is an
access event (consent), so these are services; the selectors they call only read, and record
a refusal. No transaction of their own: the event commits with the request."""

from __future__ import annotations

from django.db.models import Q

from accounts.constants import Function
from audit.constants import Action, DataKind
from audit.services import event_record
from students.models import Group, School
from students.selectors import (
    function_require,
    group_ids_with,
    not_found,
    parse_id,
    school_ids_with,
)

from ..selectors.dashboards import board_consent_overview, schools_for_dashboard
from ..selectors.guardians import ChildConsent, child_consents, child_for_consent


def child_consents_open_for(*, user, student_id) -> ChildConsent:
    """Every active purpose of a pupil with its text, effective status, the caller's own
    choice and the history: guardians with authority for their child, staff in scope.
    One access event (consent) per read."""
    student, guardian_id = child_for_consent(user=user, student_id=student_id)
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="consent",
        object_id=student.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=DataKind.CONSENT,
    )
    return child_consents(student=student, guardian_id=guardian_id)


def dashboard_school_open_for(*, user, school_id=None) -> School:
    """The school whose consent dashboard to show: the given one in scope, else the caller's
    own. One access event."""
    function_require(
        user=user,
        function=Function.VIEW_CONSENT_DASHBOARD,
        object_type="consent_dashboard",
        data_kind=DataKind.CONSENT,
    )
    schools = schools_for_dashboard(user).order_by("name")
    if school_id in (None, ""):
        school = schools.first()
    else:
        pk = parse_id(school_id)
        school = schools.filter(pk=pk).first() if pk else None
    if school is None:
        raise not_found(
            user=user,
            object_type="consent_dashboard",
            raw_id=school_id or "",
            data_kind=DataKind.CONSENT,
            model=School,
        )
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="consent_dashboard",
        object_id=school.pk,
        school_id=school.pk,
        data_kind=DataKind.CONSENT,
    )
    return school


def photo_list_open_for(*, user, group_id) -> Group:
    """The group whose photo list to print: its teachers and school staff with consent view.
    One access event."""
    pk = parse_id(group_id)
    function_require(
        user=user,
        function=Function.VIEW_CONSENT,
        object_type="photo_list",
        object_id=group_id,
        data_kind=DataKind.CONSENT,
    )
    group = (
        Group.objects.filter(
            Q(school_id__in=school_ids_with(user, "view_school_consent"))
            | Q(pk__in=group_ids_with(user, "view_group_consent")),
            pk=pk,
        )
        .select_related("school")
        .first()
        if pk
        else None
    )
    if group is None:
        raise not_found(
            user=user,
            object_type="photo_list",
            raw_id=group_id,
            data_kind=DataKind.CONSENT,
            model=Group,
        )
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="photo_list",
        object_id=group.pk,
        school_id=group.school_id,
        data_kind=DataKind.CONSENT,
    )
    return group


def board_consent_overview_open_for(*, user, school_year: int | None = None) -> dict:
    """The board's consent overview (``board_consent_overview``) over the schools of the
    caller's scope, in name order. One access event, under the board when it is one."""
    function_require(
        user=user,
        function=Function.VIEW_CONSENT_DASHBOARD,
        object_type="consent_dashboard_board",
        data_kind=DataKind.CONSENT,
    )
    schools = list(schools_for_dashboard(user).order_by("name"))
    boards = {school.board_id for school in schools}
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="consent_dashboard_board",
        object_id=boards.pop() if len(boards) == 1 else "",
        data_kind=DataKind.CONSENT,
    )
    return board_consent_overview(schools=schools, school_year=school_year)
