"""Reads for the school's side of an application: the inbox, one application, its clock.

Scope: the schools where the user handles applications (``handle_school_applications``: the
director and the administration) or reads their sealed answers
(``read_school_application_support``: the director and the care coordinator). The care
coordinator only advises: she opens the inbox of open applications (the child, the reference,
the clock) and an application's page with the sealed answers, nothing more; the decided
applications, the refusal letter and the API are for those who handle applications. An
application that is not yet confirmed never counted and is shown to nobody. 403 for a role
without the function, 404 for an application that is missing or of another school
(students.selectors: ``function_require``, ``scoped_get``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.constants import Function
from audit.constants import DataKind
from students.models import School, SchoolUserObjectPermission
from students.selectors import function_require, school_ids_with, scoped_get
from students.start_page import Urgency, urgency_for

from ..constants import (
    DECIDED_STATUSES,
    DECISION_PERIOD,
    OPEN_STATUSES,
    PROVISIONAL_PLACE_AFTER,
    ApplicationStatus,
)
from ..models import Application, ApplicationEvent, ApplicationGuardian

#: Either function opens the inbox of open applications and an application's page (the care
#: coordinator only the child's name, the clock and the sealed answers).
INBOX_FUNCTIONS = (Function.HANDLE_APPLICATIONS, Function.READ_APPLICATION_SUPPORT)
HANDLE = "handle_school_applications"
DECIDE = "decide_school_applications"
READ_SUPPORT = "read_school_application_support"
#: The decided applications the inbox shows: those of the last year (retention deletes those
#: that did not lead to enrolment a year after the decision).
DECIDED_SHOWN = datetime.timedelta(days=365)


# --- The clock ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """An open application's decision clock: 6 weeks from the day it was complete, once
    extended by 4 weeks; and the day 10 weeks have passed (DOMAIN: a child with a support need
    without a decision is then entitled to a provisional place)."""

    due_on: datetime.date
    days_left: int  # negative: days late
    extended: bool
    provisional_on: datetime.date | None
    provisional_passed: bool
    urgency: Urgency

    @property
    def words(self) -> str:
        if self.days_left > 0:
            return ngettext("%(count)s day left", "%(count)s days left", self.days_left) % {
                "count": self.days_left
            }
        if self.days_left == 0:
            return _("due today")
        late = -self.days_left
        return ngettext("%(count)s day late", "%(count)s days late", late) % {"count": late}

    @property
    def css(self) -> str:
        return self.urgency.css


def clock_for(application: Application, today: datetime.date | None = None) -> Clock | None:
    """The clock of an open application; None once decided (or never complete)."""
    if application.status not in OPEN_STATUSES or application.complete_on is None:
        return None
    today = today or timezone.localdate()
    due_on = application.decision_due_on or application.complete_on + DECISION_PERIOD
    provisional_on = application.complete_on + PROVISIONAL_PLACE_AFTER
    return Clock(
        due_on=due_on,
        days_left=(due_on - today).days,
        extended=application.extended_on is not None,
        provisional_on=provisional_on,
        provisional_passed=provisional_on <= today,
        urgency=urgency_for(due_on, today=today),
    )


# --- Scope -------------------------------------------------------------------------------


def application_school_ids(user):
    """Subquery: the schools whose applications this user opens."""
    return School.objects.filter(
        Q(pk__in=school_ids_with(user, HANDLE)) | Q(pk__in=school_ids_with(user, READ_SUPPORT))
    ).values("pk")


def applications_visible_to(user) -> QuerySet[Application]:
    return Application.objects.filter(school_id__in=application_school_ids(user)).exclude(
        status=ApplicationStatus.UNCONFIRMED
    )


def applications_handled_by(user) -> QuerySet[Application]:
    """The applications of the schools where the user handles applications."""
    return Application.objects.filter(school_id__in=school_ids_with(user, HANDLE)).exclude(
        status=ApplicationStatus.UNCONFIRMED
    )


def applications_open_for(*, user, handled_only: bool = False) -> QuerySet[Application]:
    """The inbox: the open applications (received or extended) of the user's schools, most
    urgent first (the earliest decision date). 403 without the function. ``handled_only``:
    only for those who handle applications (the API: 403 for the care coordinator)."""
    if handled_only:
        function_require(
            user=user, function=Function.HANDLE_APPLICATIONS, object_type="application"
        )
        applications = applications_handled_by(user)
    else:
        function_require(user=user, function=INBOX_FUNCTIONS, object_type="application")
        applications = applications_visible_to(user)
    return (
        applications.filter(status__in=OPEN_STATUSES)
        .select_related("school")
        .order_by("decision_due_on", "submitted_at", "pk")
    )


def applications_decided_for(*, user, today: datetime.date | None = None) -> QuerySet[Application]:
    """The applications decided in the last year, the latest first: for those who handle
    applications (their decisions, reasons and notes), 403 for anyone else."""
    function_require(user=user, function=Function.HANDLE_APPLICATIONS, object_type="application")
    today = today or timezone.localdate()
    return (
        applications_handled_by(user)
        .filter(status__in=DECIDED_STATUSES, decided_on__gte=today - DECIDED_SHOWN)
        .select_related("school", "decided_by")
        .order_by("-decided_on", "-pk")
    )


def application_get_for(*, user, application_id) -> Application:
    """One application the user opens: 403 without the function, 404 out of scope."""
    return scoped_get(
        user=user,
        queryset=applications_visible_to(user).select_related(
            "school", "school__board", "decided_by", "student"
        ),
        raw_id=application_id,
        object_type="application",
        function=INBOX_FUNCTIONS,
        data_kind=DataKind.BASICS,
    )


def application_for_step(*, user, application_id, function: Function, codename: str):
    """An application of a school where the user holds ``codename`` (a decision: the
    director; a withdrawal: also the administration): 403 without the function, 404 out of
    scope."""
    return scoped_get(
        user=user,
        queryset=Application.objects.filter(school_id__in=school_ids_with(user, codename))
        .exclude(status=ApplicationStatus.UNCONFIRMED)
        .select_related("school", "school__board", "decided_by"),
        raw_id=application_id,
        object_type="application",
        function=function,
        data_kind=DataKind.BASICS,
    )


def may(user, application: Application, codename: str, function: Function) -> bool:
    """Whether the user holds this function and the school permission on the application's
    school (which decisions a page offers; the step itself checks again)."""
    if not user.has_function(function):
        return False
    return SchoolUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename=codename, content_object_id=application.school_id
    ).exists()


def guardians_of(application: Application) -> list[ApplicationGuardian]:
    return list(application.guardians.order_by("position", "pk"))


def timeline_of(application: Application) -> list[ApplicationEvent]:
    return list(application.timeline.select_related("actor").order_by("at", "pk"))
