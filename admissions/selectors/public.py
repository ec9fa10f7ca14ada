"""Reads for the public application pages: no login, so no scope; what they show is what the
school publishes anyway (its name) or what the link's holder sent themselves."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from students.models import School

from ..constants import ApplicationStatus, TimelineKind
from ..follow import follow_application
from ..models import Application, ApplicationEvent


def schools_for_application() -> QuerySet[School]:
    """The schools of the installation one may apply to, by name."""
    return School.objects.order_by("name").only("pk", "name")


def school_for_application(school_id: int) -> School:
    school = schools_for_application().filter(pk=school_id).first()
    if school is None:
        raise Http404
    return school


def application_followed(token: str) -> Application | None:
    """The application a follow link names (a confirmed one: an unconfirmed application was
    never sent a follow link and never counted), or None."""
    return follow_application(
        token,
        Application.objects.select_related("school").exclude(status=ApplicationStatus.UNCONFIRMED),
    )


# What the parents see of the timeline: the steps themselves. A note is the school's own.
PARENT_TIMELINE = tuple(kind for kind in TimelineKind.values if kind != TimelineKind.NOTE)


def timeline_for_parents(application: Application) -> QuerySet[ApplicationEvent]:
    return application.timeline.filter(kind__in=PARENT_TIMELINE).order_by("at", "pk")
