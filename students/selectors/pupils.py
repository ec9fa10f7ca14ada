"""The one way in to pupil data (DESIGN rule 1).

Every view, API endpoint and job reads pupils through these functions. They read the user's
scope once per request (``pupil_scope``: the schools and groups of their django-guardian
object permissions, and their children through the guardianship link), filter on it in the
database, and answer "missing" and "not yours" with the same Http404.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.constants import Function, Role
from audit import context as audit_context
from audit.constants import Action, DataKind, Outcome
from audit.services import event_record
from kernel.ids import parse_id

from ..exceptions import FunctionNotAllowed
from ..models import (
    Group,
    GroupTeacher,
    GroupUserObjectPermission,
    Guardian,
    Guardianship,
    School,
    SchoolUserObjectPermission,
    Student,
)


def school_ids_with(user, codename: str):
    """Subquery: ids of the schools on which the user holds this object permission."""
    return SchoolUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename=codename
    ).values("content_object_id")


def teaching_group_ids(user, day=None):
    """Subquery: the groups this user teaches today (a substitute only within the period)."""
    day = day or timezone.localdate()
    return GroupTeacher.objects.active_on(day).filter(teacher_id=user.pk).values("group_id")


def group_ids_with(user, codename: str):
    """Subquery: ids of the groups on which the user holds this object permission and which
    they teach today: the dates count even before the daily job has caught up."""
    return GroupUserObjectPermission.objects.filter(
        user_id=user.pk,
        permission__codename=codename,
        content_object_id__in=teaching_group_ids(user),
    ).values("content_object_id")


# How a refused attempt finds the school it concerns, so that the school's director sees it
# in her audit trail: the object's own school, its pupil's or its group's; else the school of
# the first object it refers to that has one (a care record's pupil, a package's request, a
# takedown's publication). A guardian belongs to their children's school when that is one
# school. Boards, suppliers, agreements and accounts belong to no school: the board's
# privacy officer sees those attempts.
SCHOOL_ANCHORS = ("school", "student", "group")


@functools.cache
def school_path(model: type[Model], depth: int = 2) -> str | None:
    """The lookup from ``model`` to the id of the school its rows belong to, or None."""
    if model is School:
        return "pk"
    if model is Guardian:
        return "links__student__school_id"
    relations = {
        f.name: f.related_model
        for f in model._meta.concrete_fields
        # "self" is resolved to the class once the apps are loaded
        if f.is_relation and isinstance(f.related_model, type)
    }
    for name in SCHOOL_ANCHORS:
        target = relations.get(name)
        if target is School:
            return f"{name}_id"
        if target in (Student, Group):
            return f"{name}__school_id"
    if depth:
        for name, target in relations.items():
            if target is model or target._meta.label == settings.AUTH_USER_MODEL:
                continue
            path = school_path(target, depth - 1)
            if path is not None:
                return f"{name}_id" if path == "pk" else f"{name}__{path}"
    return None


def denied_school_id(
    *, student_id: int | None = None, model: type[Model] | None = None, raw_id=None
) -> int | None:
    """The school of the pupil or object a refused attempt concerns, when it exists (and is
    one school). Read without the caller's scope, for the evidence only: the caller's answer
    (403 or 404) stays exactly the same."""
    if student_id is not None:
        model, raw_id = Student, student_id
    pk = parse_id(raw_id) if model is not None else None
    path = school_path(model) if pk is not None else None
    if path is None or model is None:  # model is set whenever path is
        return None
    found = list(
        model._base_manager.filter(pk=pk, **{f"{path}__isnull": False})
        .values_list(path, flat=True)
        .distinct()
        .order_by()[:2]
    )
    return found[0] if len(found) == 1 else None


def function_require(
    *,
    user,
    function: Function | tuple[Function, ...],
    object_type: str = "",
    object_id="",
    data_kind: DataKind | str = "",
    student_id: int | None = None,
    model=None,
) -> None:
    """403 for a role without (any of) the function(s); the attempt is an audit event, under
    the school of the pupil (``student_id``) or of the object (``model`` and ``object_id``)."""
    functions = function if isinstance(function, tuple) else (function,)
    if user.is_authenticated and user.is_active and any(map(user.has_function, functions)):
        return
    event_record(
        user=user,
        action=Action.VIEW,
        outcome=Outcome.DENIED,
        object_type=object_type or functions[0],
        object_id=object_id,
        data_kind=data_kind,
        student_id=student_id,
        school_id=denied_school_id(student_id=student_id, model=model, raw_id=object_id),
    )
    raise FunctionNotAllowed


@dataclass(frozen=True)
class PupilScope:
    """The ids that decide which pupils a user sees, and which of their fields: whole schools,
    schools whose BSNs they see, groups taught today, own children (with or without parental
    authority). Read in one query and kept for the rest of the request: the pupil queries then
    filter on plain id lists, because an OR of permission subqueries makes PostgreSQL read
    every pupil of the board."""

    school_ids: frozenset[int] = frozenset()
    bsn_school_ids: frozenset[int] = frozenset()
    group_ids: frozenset[int] = frozenset()
    # own child's id -> (the user's guardian id, whether they hold parental authority)
    children: dict[int, tuple[int, bool]] = field(default_factory=dict)


SCOPE_SCHOOL, SCOPE_BSN, SCOPE_GROUP, SCOPE_CHILD = 1, 2, 3, 4


# The scope query's parts. Plain SQL, because building the same union with the ORM cost more
# than the rest of a pupil page (4 ms against 0.3 ms on the bench machine);
# tests/students/test_scope.py holds it to the ORM subqueries above and the tables to the
# models. The GROUP part is GroupTeacherQuerySet.active_on: in force on the day, a substitute
# only within their period.
SCOPE_SQL_SCHOOL = (
    "SELECT %s, sp.content_object_id, 0, false FROM students_schooluserobjectpermission sp"
    " JOIN auth_permission p ON p.id = sp.permission_id"
    " WHERE sp.user_id = %s AND p.codename = %s"
)
SCOPE_SQL_GROUP = (
    "SELECT %s, gp.content_object_id, 0, false FROM students_groupuserobjectpermission gp"
    " JOIN auth_permission p ON p.id = gp.permission_id"
    " WHERE gp.user_id = %s AND p.codename = %s AND gp.content_object_id IN ("
    "SELECT gt.group_id FROM students_groupteacher gt WHERE gt.teacher_id = %s"
    " AND (gt.starts_on IS NULL OR gt.starts_on <= %s)"
    " AND (gt.ends_on IS NULL OR gt.ends_on >= %s))"
)
SCOPE_SQL_CHILD = (
    "SELECT %s, l.student_id, l.guardian_id, l.has_authority FROM students_guardianship l"
    " JOIN students_guardian g ON g.id = l.guardian_id WHERE g.user_id = %s"
)
SCOPE_TABLES = {
    "students_schooluserobjectpermission": SchoolUserObjectPermission,
    "students_groupuserobjectpermission": GroupUserObjectPermission,
    "students_groupteacher": GroupTeacher,
    "students_guardianship": Guardianship,
    "students_guardian": Guardian,
    "auth_permission": Permission,
}


def pupil_scope(user) -> PupilScope:
    """The user's pupil scope, one query on the first call of a request (none for a user with
    neither the function nor the role).

    Kept on the user object only for the request it was read in (its audit context): a job,
    a command or a test that holds a user object while groups, periods and permissions
    change asks again each time, and so does the next request with the same object.
    """
    request = audit_context.current()
    cached = getattr(user, "_pupil_scope", None)
    if request is not None and cached is not None and cached[0] is request:
        return cached[1]
    parts: list[str] = []
    params: list = []
    if user.has_function(Function.VIEW_PUPILS):
        today = timezone.localdate()
        parts += [SCOPE_SQL_SCHOOL, SCOPE_SQL_SCHOOL, SCOPE_SQL_GROUP]
        params += [SCOPE_SCHOOL, user.pk, "view_school_pupils"]
        params += [SCOPE_BSN, user.pk, "view_school_bsn"]
        params += [SCOPE_GROUP, user.pk, "view_group_pupils", user.pk, today, today]
    if user.has_role(Role.GUARDIAN):
        parts.append(SCOPE_SQL_CHILD)
        params += [SCOPE_CHILD, user.pk]
    ids: dict[int, set[int]] = {SCOPE_SCHOOL: set(), SCOPE_BSN: set(), SCOPE_GROUP: set()}
    children: dict[int, tuple[int, bool]] = {}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            rows = cursor.fetchall()
        for kind, pk, guardian_id, has_authority in rows:
            if kind == SCOPE_CHILD:
                children[pk] = (guardian_id, has_authority)
            else:
                ids[kind].add(pk)
    scope = PupilScope(
        school_ids=frozenset(ids[SCOPE_SCHOOL]),
        bsn_school_ids=frozenset(ids[SCOPE_BSN]),
        group_ids=frozenset(ids[SCOPE_GROUP]),
        children=children,
    )
    if request is not None:
        user._pupil_scope = (request, scope)
    return scope


def _scope_q(user) -> Q:
    scope = pupil_scope(user)
    parts = [
        Q(**{lookup: sorted(ids)})
        for lookup, ids in (
            ("school_id__in", scope.school_ids),
            ("group_id__in", scope.group_ids),
            ("pk__in", scope.children),
        )
        if ids
    ]
    # Only the parts that apply: an empty IN costs the query compiler an exception each.
    return functools.reduce(operator.or_, parts) if parts else Q(pk__in=[])


def students_visible_to(
    user, *, include_former: bool = False, only_former: bool = False
) -> QuerySet[Student]:
    """The pupils this user may see; enrolled pupils only unless former ones are asked for."""
    # A tombstone (anonymised by retention) is nobody: it is in no list and on no page.
    qs = Student.objects.filter(_scope_q(user), anonymised_at__isnull=True).select_related(
        "school", "group"
    )
    if only_former:
        return qs.filter(withdrawn_on__isnull=False)
    if not include_former:
        qs = qs.filter(withdrawn_on__isnull=True)
    return qs


# What a list of pupils shows, page and API: reading no more spares building every field of
# each pupil, their group and their school (and unsealing the BSN) for 25 rows a page.
LIST_FIELDS = (
    "school",
    "group",
    "given_name",
    "surname_prefix",
    "surname",
    "date_of_birth",
    "school__name",
    "group__name",
)


def students_named(students: QuerySet[Student], search: str) -> QuerySet[Student]:
    """Pupils whose name as the lists show it (the name they go by, the surname prefix and
    the surname) holds every word of ``search`` (at most five). The official first names are
    not shown in any list, so a search never finds a pupil by them."""
    for term in search.split()[:5]:
        students = students.filter(
            Q(given_name__icontains=term)
            | Q(surname_prefix__icontains=term)
            | Q(surname__icontains=term)
        )
    return students


def students_listed(students: QuerySet[Student]) -> QuerySet[Student]:
    """Pupils from ``students_visible_to`` as the lists show them: their fields, in order."""
    return students.only(*LIST_FIELDS).order_by("surname", "given_name", "id")


@dataclass(frozen=True)
class StudentAccess:
    """Which parts of a pupil record this user may see (the field half of the matrix)."""

    contact: bool
    bsn: bool
    guardians: bool
    is_staff_view: bool
    guardian_self_id: int | None = None
    guardian_has_authority: bool = False


class AccessResolver:
    """Computes StudentAccess for many pupils with a fixed number of queries."""

    def __init__(self, user):
        self.user = user
        self.is_staff = user.has_function(Function.VIEW_PUPILS)
        scope = pupil_scope(user)
        self.bsn_schools = scope.bsn_school_ids
        self.contact_schools = scope.school_ids
        self.contact_groups = scope.group_ids
        self.guardian_links: dict[int, bool] = {
            student_id: has_authority
            for student_id, (_guardian_id, has_authority) in scope.children.items()
        }
        self.guardian_id: int | None = next(
            (guardian_id for guardian_id, _authority in scope.children.values()), None
        )

    def for_student(self, student: Student) -> StudentAccess:
        staff_contact = student.school_id in self.contact_schools or (
            student.group_id is not None and student.group_id in self.contact_groups
        )
        staff_bsn = student.school_id in self.bsn_schools
        authority = self.guardian_links.get(student.pk, False)
        return StudentAccess(
            contact=staff_contact or authority,
            bsn=staff_bsn or authority,
            guardians=staff_contact or authority,
            is_staff_view=staff_contact,
            guardian_self_id=self.guardian_id if student.pk in self.guardian_links else None,
            guardian_has_authority=authority,
        )


def student_access_for(*, user, student: Student) -> StudentAccess:
    return AccessResolver(user).for_student(student)


def guardians_of_for(*, user, student: Student, access: StudentAccess) -> list[dict]:
    """The pupil's guardians as this user may see them.

    A guardian's contact data marked confidential is never shown to another guardian.
    """
    if not access.guardians:
        return []
    # A pupil has two or three guardians: sorted here, as ordering on the joined columns cost
    # the query compiler more than the query.
    links = sorted(
        Guardianship.objects.filter(student_id=student.pk).select_related("guardian").order_by(),
        key=lambda link: (link.guardian.surname, link.guardian.first_name, link.guardian_id),
    )
    # The court decision behind a recorded change of authority: only for the staff who manage
    # pupils (administration, the director); others see whether a parent has authority.
    show_decision = access.is_staff_view and user.has_function(Function.MANAGE_PUPILS)
    result = []
    for link in links:
        guardian: Guardian = link.guardian
        show_contact = access.is_staff_view or (
            guardian.pk == access.guardian_self_id or not guardian.contact_confidential
        )
        result.append(
            {
                "id": guardian.pk,
                "name": guardian.display_name,
                "has_authority": link.has_authority,
                "contact_hidden": not show_contact,
                "email": guardian.email if show_contact else "",
                "phone": guardian.phone if show_contact else "",
                "address": guardian.address if show_contact else "",
                "contact_confidential": guardian.contact_confidential
                if access.is_staff_view
                else None,
                "authority_decided_on": link.authority_decided_on if show_decision else None,
                "authority_reference": link.authority_reference if show_decision else "",
            }
        )
    return result


def groups_visible_to(user) -> QuerySet[Group]:
    scope = pupil_scope(user)
    return (
        Group.objects.filter(
            Q(pk__in=[])
            | Q(school_id__in=sorted(scope.school_ids))
            | Q(pk__in=sorted(scope.group_ids))
        )
        .select_related("school")
        .order_by("school__name", "-school_year", "year_group_low", "name")
    )


def groups_current_for(user) -> QuerySet[Group]:
    """The groups in use now: those with enrolled pupils (after an early school-year turn
    that is next year's), and those the user teaches today."""
    # EXISTS per visible group uses the pupils' group index; an IN over all enrolled pupils
    # would read the whole board's pupils on every page.
    in_use = Exists(Student.objects.filter(group_id=OuterRef("pk"), withdrawn_on__isnull=True))
    return groups_visible_to(user).filter(in_use | Q(pk__in=teaching_group_ids(user)))


def not_found(
    *,
    user,
    object_type: str,
    raw_id,
    student_id: int | None = None,
    data_kind: str = "",
    model=None,
    school_id: int | None = None,
) -> Http404:
    """Missing and out of scope look the same to the caller; both are denied attempts.

    An attempt on something that exists is recorded under its school (``school_id`` when the
    caller knows it, else the school of the pupil ``student_id``, else that of the ``model``
    row ``raw_id``), so that school's director sees it; the answer is the same 404."""
    if school_id is None:
        school_id = denied_school_id(student_id=student_id, model=model, raw_id=raw_id)
    event_record(
        user=user,
        action=Action.VIEW,
        outcome=Outcome.DENIED,
        object_type=object_type,
        object_id=raw_id,
        student_id=student_id,
        school_id=school_id,
        data_kind=data_kind,
    )
    return Http404()


def not_allowed(
    *,
    user,
    object_type: str,
    object_id="",
    student_id: int | None = None,
    school_id: int | None = None,
    data_kind: str = "",
    action: Action = Action.VIEW,
) -> FunctionNotAllowed:
    """A refusal (403) of something the user does reach, but may not do or see (a guardian
    without parental authority, say): the attempt is an access event, as in ``not_found``."""
    event_record(
        user=user,
        action=action,
        outcome=Outcome.DENIED,
        object_type=object_type,
        object_id=object_id,
        student_id=student_id,
        school_id=school_id,
        data_kind=data_kind,
    )
    return FunctionNotAllowed()


def group_get_for(*, user, group_id) -> Group:
    pk = parse_id(group_id)
    group = groups_visible_to(user).filter(pk=pk).first() if pk else None
    if group is None:
        raise not_found(
            user=user, object_type="group", raw_id=group_id, data_kind=DataKind.GROUP, model=Group
        )
    return group


def schools_visible_to(user) -> QuerySet[School]:
    return School.objects.filter(
        Q(pk__in=school_ids_with(user, "view_school_pupils"))
        | Q(pk__in=group_ids_with(user, "view_group_pupils").values("content_object__school_id"))
    ).select_related("board")


def school_get_for(*, user, school_id) -> School:
    pk = parse_id(school_id)
    school = schools_visible_to(user).filter(pk=pk).first() if pk else None
    if school is None:
        raise not_found(
            user=user,
            object_type="school",
            raw_id=school_id,
            data_kind=DataKind.SCHOOL,
            model=School,
        )
    return school


def children_of(user) -> QuerySet[Student]:
    """A guardian's own children (enrolled and former), for the parent pages."""
    return (
        Student.objects.filter(
            pk__in=Guardianship.objects.filter(guardian__user_id=user.pk).values("student_id")
        )
        .select_related("school", "group")
        .order_by("date_of_birth", "id")
    )


def audit_school_ids_for(user) -> QuerySet:
    """Schools whose audit events this user may read (director: school, privacy officer: board)."""
    return school_ids_with(user, "view_school_audit")


def scoped_get(*, user, queryset, raw_id, object_type: str, function=None, data_kind: str = ""):
    """One object from a scoped queryset: 403 without the function, 404 for missing and
    out of scope alike; every refusal is an access event."""
    if function is not None:
        function_require(
            user=user,
            function=function,
            object_type=object_type,
            object_id=raw_id,
            data_kind=data_kind,
            model=queryset.model,
        )
    pk = parse_id(raw_id)
    obj = queryset.filter(pk=pk).first() if pk else None
    if obj is None:
        raise not_found(
            user=user,
            object_type=object_type,
            raw_id=raw_id,
            data_kind=data_kind,
            model=queryset.model,
        )
    return obj


def guardianship_for_manage(*, user, student_id, guardian_id) -> Guardianship:
    """A guardian's link to a pupil of a school where this user enrols pupils, or 403/404."""
    student = scoped_get(
        user=user,
        queryset=Student.objects.filter(
            school_id__in=school_ids_with(user, "manage_school_pupils")
        ),
        raw_id=student_id,
        object_type="guardianship",
        function=Function.MANAGE_PUPILS,
    )
    guardian_pk = parse_id(guardian_id)
    return scoped_get(
        user=user,
        queryset=Guardianship.objects.filter(student=student).select_related("guardian"),
        raw_id=(
            Guardianship.objects.filter(student=student, guardian_id=guardian_pk)
            .values_list("pk", flat=True)
            .first()
            if guardian_pk is not None  # an unparsable id names no link (as before: 404)
            else None
        )
        or 0,
        object_type="guardianship",
    )
