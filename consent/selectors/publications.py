"""Photo lists and publications: which pupils may appear, for which purpose, and the
takedowns a withdrawal leaves to resolve."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.constants import Function
from audit.constants import DataKind
from students.models import Group, GroupUserObjectPermission, SchoolUserObjectPermission, Student
from students.selectors import (
    function_require,
    group_ids_with,
    school_ids_with,
    scoped_get,
    teaching_group_ids,
)

from ..constants import PublicationStatus, Status
from ..models import ConsentPurpose, Publication, Takedown
from .status import statuses_for


def photo_list(*, group: Group, purposes: list[ConsentPurpose]) -> list[dict]:
    """Per pupil of the group: may they be photographed for each purpose?"""
    pupils = list(
        group.students.filter(withdrawn_on__isnull=True).order_by("given_name", "surname")
    )
    statuses = statuses_for(student_ids=[p.pk for p in pupils], purposes=purposes)
    return [
        {"student": pupil, "statuses": [statuses[(pupil.pk, p.pk)] for p in purposes]}
        for pupil in pupils
    ]


def pupils_for_publication(user) -> QuerySet[Student]:
    """Pupils a staff member may show in a publication: the school's or their own groups'."""
    function_require(
        user=user,
        function=Function.PUBLISH,
        object_type="publication",
        data_kind=DataKind.CONSENT,
    )
    return (
        Student.objects.filter(
            Q(school_id__in=school_ids_with(user, "publish_school"))
            | Q(group_id__in=group_ids_with(user, "publish_group")),
            withdrawn_on__isnull=True,
        )
        .select_related("group", "school")
        .order_by("group__year_group_low", "group__name", "given_name", "surname")
    )


def publications_visible_to(user) -> QuerySet[Publication]:
    """The school's publications for school staff; a teacher's own registrations, while they
    still teach at that school."""
    schools = SchoolUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename="publish_school"
    ).values("content_object_id")
    teaching = GroupUserObjectPermission.objects.filter(
        user_id=user.pk,
        permission__codename="publish_group",
        content_object_id__in=teaching_group_ids(user),
    ).values("content_object__school_id")
    return (
        Publication.objects.filter(
            Q(school_id__in=schools) | Q(created_by_id=user.pk, school_id__in=teaching)
        )
        .select_related("purpose", "purpose__current_version")
        .order_by("-publish_on", "-id")
    )


def publication_get_for(*, user, publication_id) -> Publication:
    return scoped_get(
        user=user,
        queryset=publications_visible_to(user),
        raw_id=publication_id,
        object_type="publication",
        function=Function.PUBLISH,
        data_kind=DataKind.CONSENT,
    )


def publication_check(publication: Publication) -> list[dict]:
    """Per pupil shown: may the publication use them (effective consent for its purpose)?"""
    pupils = list(publication.pupils.select_related("group").order_by("given_name", "surname"))
    statuses = statuses_for(student_ids=[p.pk for p in pupils], purposes=[publication.purpose])
    open_takedowns = set(
        publication.takedowns.filter(resolved_at__isnull=True).values_list("student_id", flat=True)
    )
    return [
        {
            "student": pupil,
            "status": statuses[(pupil.pk, publication.purpose_id)],
            "may": statuses[(pupil.pk, publication.purpose_id)] == Status.GRANTED,
            "takedown": pupil.pk in open_takedowns,
        }
        for pupil in pupils
    ]


def published_with(*, student_id: int, purpose_id: int) -> QuerySet[Publication]:
    return Publication.objects.filter(
        status=PublicationStatus.PUBLISHED, purpose_id=purpose_id, pupils__id=student_id
    )


def takedown_for_resolve(*, user, takedown_id) -> Takedown:
    return scoped_get(
        user=user,
        queryset=Takedown.objects.filter(publication__in=publications_visible_to(user)),
        raw_id=takedown_id,
        object_type="takedown",
        function=Function.PUBLISH,
        data_kind=DataKind.CONSENT,
    )
