"""Reads of privacy requests, scoped like everything else: guardians with authority see their
own children's requests, administration and director their school's, the care coordinator the
packages they review, the privacy officer the whole board's (read only). Missing and out of
scope answer the same 404; a role without the function 403; each refusal is an event."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import Function, Role
from audit.constants import Action, DataKind
from students.models import Guardian, Guardianship, ProcessingLimit, School, Student
from students.selectors import (
    function_require,
    not_allowed,
    not_found,
    parse_id,
    school_ids_with,
    scoped_get,
)

from .constants import CLOSED_STATUSES, OPEN_STATUSES, ActorKind, PackageStatus
from .models import AccessPackage, PrivacyRequest, RequestStep

REQUEST_FUNCTIONS = (
    Function.SUBMIT_REQUESTS,
    Function.HANDLE_REQUESTS,
    Function.DECIDE_REQUESTS,
    Function.RELEASE_PACKAGES,
    Function.OVERSEE_REQUESTS,
)


def _scope_q(user) -> Q:
    q = Q(pk__in=[])
    if user.has_function(Function.HANDLE_REQUESTS) or user.has_function(Function.DECIDE_REQUESTS):
        q |= Q(school_id__in=school_ids_with(user, "handle_school_requests"))
        q |= Q(school_id__in=school_ids_with(user, "decide_school_requests"))
    if user.has_function(Function.RELEASE_PACKAGES):
        # The care coordinator sees an access request once its package is there to review.
        q |= Q(
            school_id__in=school_ids_with(user, "release_school_packages"),
            package__status__in=[PackageStatus.BUILT, PackageStatus.RELEASED],
        )
    if user.has_function(Function.OVERSEE_REQUESTS):
        q |= Q(school_id__in=school_ids_with(user, "oversee_school_requests"))
    if user.has_function(Function.SUBMIT_REQUESTS):
        q |= Q(
            student_id__in=Guardianship.objects.filter(
                guardian__user_id=user.pk, has_authority=True
            ).values("student_id")
        )
    return q


def requests_visible_to(user) -> QuerySet[PrivacyRequest]:
    return (
        PrivacyRequest.objects.filter(_scope_q(user))
        .select_related("student", "school", "guardian", "package")
        .order_by("due_date", "id")
    )


def requests_list_for(user) -> QuerySet[PrivacyRequest]:
    """The inbox or the parent's list; 403 for a role that has nothing to do with requests."""
    function_require(user=user, function=REQUEST_FUNCTIONS, data_kind=DataKind.REQUEST)
    return requests_visible_to(user)


def requests_filter(
    qs: QuerySet[PrivacyRequest], *, status: str = "", kind: str = "", urgency: str = ""
) -> QuerySet[PrivacyRequest]:
    today = timezone.localdate()
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if urgency == "overdue":
        qs = qs.filter(status__in=OPEN_STATUSES, due_date__lt=today)
    elif urgency == "due_soon":
        qs = qs.filter(
            status__in=OPEN_STATUSES,
            due_date__gte=today,
            due_date__lte=today + datetime.timedelta(days=7),
        )
    return qs


def _acting_q(user, function: Function) -> Q:
    codename = {
        Function.HANDLE_REQUESTS: "handle_school_requests",
        Function.DECIDE_REQUESTS: "decide_school_requests",
        Function.RELEASE_PACKAGES: "release_school_packages",
    }[function]
    return Q(school_id__in=school_ids_with(user, codename))


def request_for_action(*, user, request_id, function: Function) -> PrivacyRequest:
    """A request this user may act on with this function: 403 without it; 404 when the
    request is out of scope; 403 when it is visible but this user may not do this to it."""
    function_require(
        user=user,
        function=function,
        object_type="privacy_request",
        object_id=request_id,
        data_kind=DataKind.REQUEST,
    )
    visible = requests_visible_to(user)
    request = scoped_get(
        user=user,
        queryset=visible,
        raw_id=request_id,
        object_type="privacy_request",
        data_kind=DataKind.REQUEST,
    )
    if not visible.filter(_acting_q(user, function), pk=request.pk).exists():
        _deny(user, request)
    return request


def _deny(user, request: PrivacyRequest):
    raise not_allowed(
        user=user,
        action=Action.UPDATE,
        object_type="privacy_request",
        object_id=request.pk,
        student_id=request.student_id,
        school_id=request.school_id,
        data_kind=DataKind.REQUEST,
    )


def guardian_request_target(*, user, student_id) -> tuple[Student, Guardian]:
    """The child a guardian asks about, and the guardian: 404 when not their child, 403 when
    they have no parental authority (they ask the school instead)."""
    pk = parse_id(student_id)
    function_require(
        user=user,
        function=(Function.SUBMIT_REQUESTS, Function.VIEW_OWN_CHILDREN),
        object_type="privacy_request",
        object_id=student_id,
        data_kind=DataKind.REQUEST,
        student_id=pk,
    )
    link = (
        Guardianship.objects.filter(guardian__user_id=user.pk, student_id=pk)
        .select_related("guardian", "student", "student__school")
        .first()
        if pk
        else None
    )
    if link is None:
        raise not_found(
            user=user,
            object_type="privacy_request",
            raw_id=student_id,
            student_id=pk,
            data_kind=DataKind.REQUEST,
        )
    if not link.has_authority or not user.has_function(Function.SUBMIT_REQUESTS):
        raise not_allowed(
            user=user,
            action=Action.CREATE,
            object_type="privacy_request",
            student_id=link.student_id,
            school_id=link.student.school_id,
            data_kind=DataKind.REQUEST,
        )
    return link.student, link.guardian


def children_for_requests(user) -> QuerySet[Student]:
    """The children a guardian may submit requests for (those they have authority over)."""
    return (
        Student.objects.filter(
            pk__in=Guardianship.objects.filter(
                guardian__user_id=user.pk, has_authority=True
            ).values("student_id")
        )
        .select_related("school")
        .order_by("date_of_birth", "id")
    )


def students_for_paper_request(user) -> QuerySet[Student]:
    return Student.objects.filter(
        school_id__in=school_ids_with(user, "handle_school_requests")
    ).select_related("school", "group")


def paper_request_target(*, user, student_id) -> Student:
    """A pupil of a school where this user handles requests (staff registering a letter)."""
    return scoped_get(
        user=user,
        queryset=students_for_paper_request(user),
        raw_id=student_id,
        object_type="student",
        function=Function.HANDLE_REQUESTS,
        data_kind=DataKind.REQUEST,
    )


def guardians_with_authority(student: Student) -> QuerySet[Guardian]:
    return Guardian.objects.filter(links__student=student, links__has_authority=True).order_by(
        "surname", "first_name", "id"
    )


def package_for_download(*, user, request_id) -> AccessPackage:
    """A released, unexpired package of the user's own child (guardians with authority only);
    anything else is 404, staff included: staff review the package on the request page."""
    pk = parse_id(request_id)
    package = (
        AccessPackage.objects.filter(
            request_id=pk,
            request__student_id__in=Guardianship.objects.filter(
                guardian__user_id=user.pk, has_authority=True
            ).values("student_id"),
        )
        .select_related("request")
        .first()
        if pk and user.has_function(Function.SUBMIT_REQUESTS)
        else None
    )
    if package is None or not package.downloadable:
        raise not_found(
            user=user,
            object_type="access_package",
            raw_id=request_id,
            data_kind=DataKind.REQUEST,
            model=PrivacyRequest,
        )
    return package


def steps_for(request: PrivacyRequest, *, for_requester: bool):
    steps = request.steps.select_related("actor").order_by("created_at", "id")
    return steps.filter(shown_to_requester=True) if for_requester else steps


@dataclass(frozen=True)
class TimelineEntry:
    """One step as a viewer sees it: ``by`` in words, ``by_kind`` as a code for the API.
    For the guardians' side: ``you``, ``other_guardian``, ``school`` or ``system``; for staff:
    ``guardian``, ``school`` or ``system`` (with the person's name in ``by``)."""

    step: RequestStep
    by: str
    by_kind: str


def _by(step: RequestStep, *, user, for_requester: bool) -> tuple[str, str]:
    if step.actor_kind == ActorKind.SYSTEM or step.actor_id is None:
        return ActorKind.SYSTEM.value, _("the system")
    if for_requester:
        # Guardians see kinds, never staff names: "you" is the one looking, whichever of
        # the child's guardians that is.
        if step.actor_kind == ActorKind.GUARDIAN:
            if step.actor_id == user.pk:
                return "you", _("you")
            return "other_guardian", _("the other parent or guardian")
        return ActorKind.SCHOOL.value, _("the school")
    if step.actor_kind == ActorKind.GUARDIAN:
        return ActorKind.GUARDIAN.value, _("%(name)s (parent or guardian)") % {"name": step.actor}
    return ActorKind.SCHOOL.value, _("%(name)s (school)") % {"name": step.actor}


def timeline_for(request: PrivacyRequest, *, user, for_requester: bool) -> list[TimelineEntry]:
    """The request's timeline for this viewer, each step naming truthfully who took it."""
    entries = []
    for step in steps_for(request, for_requester=for_requester):
        kind, label = _by(step, user=user, for_requester=for_requester)
        entries.append(TimelineEntry(step=step, by=label, by_kind=kind))
    return entries


def limits_for_request(request: PrivacyRequest) -> list[ProcessingLimit]:
    return list(ProcessingLimit.objects.filter(request_id=request.pk).order_by("-started_at"))


def limit_for_lift(*, user, limit_id) -> ProcessingLimit:
    """An active restriction or objection in a school where this user decides requests."""
    return scoped_get(
        user=user,
        queryset=ProcessingLimit.objects.active()
        .filter(student__school_id__in=school_ids_with(user, "decide_school_requests"))
        .select_related("student"),
        raw_id=limit_id,
        object_type="processing_limit",
        function=Function.DECIDE_REQUESTS,
        data_kind=DataKind.REQUEST,
    )


@dataclass(frozen=True)
class SchoolOversight:
    school: School
    open: int
    overdue: int
    closed: int
    closed_on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.closed if self.closed else None


def oversight_for(user) -> list[SchoolOversight]:
    """Per school of the board: open, overdue, closed and closed-on-time counts (one query)."""
    function_require(user=user, function=Function.OVERSEE_REQUESTS, data_kind=DataKind.REQUEST)
    today = timezone.localdate()
    schools = {
        s.pk: s
        for s in School.objects.filter(pk__in=school_ids_with(user, "oversee_school_requests"))
    }
    rows = (
        PrivacyRequest.objects.filter(school_id__in=list(schools))
        .values("school_id")
        .annotate(
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
            closed=Count("id", filter=Q(status__in=CLOSED_STATUSES)),
            # The plugin reads this key as a redefinition of the model's property, but
            # values() rows are dicts: the property is never shadowed.
            closed_on_time=Count(  # type: ignore[no-redef]
                "id", filter=Q(status__in=CLOSED_STATUSES, closed_at__date__lte=F("due_date"))
            ),
        )
    )
    counts = {row["school_id"]: row for row in rows}
    return [
        SchoolOversight(
            school=school,
            open=counts.get(pk, {}).get("open", 0),
            overdue=counts.get(pk, {}).get("overdue", 0),
            closed=counts.get(pk, {}).get("closed", 0),
            closed_on_time=counts.get(pk, {}).get("closed_on_time", 0),
        )
        for pk, school in sorted(schools.items(), key=lambda item: item[1].name)
    ]


def guardian_is_requester_side(user, request: PrivacyRequest) -> bool:
    return (
        user.has_role(Role.GUARDIAN)
        and Guardianship.objects.filter(
            guardian__user_id=user.pk, student_id=request.student_id, has_authority=True
        ).exists()
    )
