"""The pupil scope query (plain SQL, for speed) agrees with the ORM subqueries it replaced
and with the models' tables; it is read once per request."""

import contextlib
import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from audit import context as audit_context
from students.models import GroupTeacher, Guardianship
from students.selectors import students_visible_to
from students.selectors.pupils import (
    SCOPE_TABLES,
    AccessResolver,
    group_ids_with,
    pupil_scope,
    school_ids_with,
)

from ..test_permission_matrix import ROLES
from .factories import UserFactory, make_guardian_user

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    """The same account as a new request sees it: nothing cached on the instance."""
    return User.objects.get(pk=user.pk)


def orm_scope(user: User) -> tuple[set, set, set, dict]:
    links = Guardianship.objects.filter(guardian__user_id=user.pk)
    return (
        set(school_ids_with(user, "view_school_pupils").values_list("content_object_id", flat=1)),
        set(school_ids_with(user, "view_school_bsn").values_list("content_object_id", flat=1)),
        set(group_ids_with(user, "view_group_pupils").values_list("content_object_id", flat=1)),
        {link.student_id: (link.guardian_id, link.has_authority) for link in links},
    )


def test_the_tables_in_the_sql_are_the_models_tables():
    for table, model in SCOPE_TABLES.items():
        assert model._meta.db_table == table
    assert Permission._meta.db_table == "auth_permission"


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_the_scope_equals_the_orm_subqueries(world, role):
    user = fresh(world.users[role])
    scope = pupil_scope(user)
    schools, bsn_schools, groups, children = orm_scope(user)
    if not user.has_function("view_pupils"):
        schools = bsn_schools = groups = set()
    assert scope.school_ids == schools
    assert scope.bsn_school_ids == bsn_schools
    assert scope.group_ids == groups
    assert scope.children == children
    # The privacy officer oversees registers, not pupil files; everyone else sees someone.
    sees_pupils = bool(scope.school_ids or scope.group_ids or scope.children)
    assert sees_pupils is (role != "privacy_officer")


def test_a_teachers_groups_follow_the_teaching_period(world):
    teacher = world.users["teacher"]
    assert pupil_scope(fresh(teacher)).group_ids == {world.group3.pk}
    today = timezone.localdate()
    GroupTeacher.objects.filter(teacher=teacher).update(ends_on=today - datetime.timedelta(days=1))
    assert pupil_scope(fresh(teacher)).group_ids == set()
    assert set(group_ids_with(fresh(teacher), "view_group_pupils")) == set()
    GroupTeacher.objects.filter(teacher=teacher).update(
        starts_on=today + datetime.timedelta(days=1), ends_on=None
    )
    assert pupil_scope(fresh(teacher)).group_ids == set()
    GroupTeacher.objects.filter(teacher=teacher).update(starts_on=today, ends_on=today)
    assert pupil_scope(fresh(teacher)).group_ids == {world.group3.pk}


def test_a_user_without_function_or_role_has_an_empty_scope_and_no_query(db):
    user = UserFactory.create()
    user.role_names  # noqa: B018 - read the roles first; the scope itself needs no query
    with CaptureQueriesContext(connection) as queries:
        scope = pupil_scope(user)
    assert len(queries.captured_queries) == 0
    assert not (scope.school_ids or scope.group_ids or scope.children)
    assert list(students_visible_to(user)) == []


@contextlib.contextmanager
def in_request():
    """What AuditContextMiddleware does around every request."""
    token = audit_context.activate(audit_context.AuditContext())
    try:
        yield
    finally:
        audit_context.deactivate(token)


def test_the_scope_is_read_once_per_request_user(world):
    user = fresh(world.users["director"])
    with in_request():
        with CaptureQueriesContext(connection) as first:
            list(students_visible_to(user))
        with CaptureQueriesContext(connection) as second:
            list(students_visible_to(user))
            AccessResolver(user).for_student(world.pupil3)
    # roles + scope + pupils the first time; only the pupils the second.
    assert len(first.captured_queries) == 3
    assert len(second.captured_queries) == 1


def test_the_same_user_object_sees_a_changed_scope_in_the_next_request_and_outside_one(world):
    # A test, job or DRF's force_authenticate keeps one user object while time passes and
    # teaching periods end: the scope is not carried beyond the request it was read in.
    teacher = fresh(world.users["teacher"])
    with in_request():
        assert world.pupil3 in students_visible_to(teacher)
    GroupTeacher.objects.filter(teacher=teacher).update(
        ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    with in_request():
        assert world.pupil3 not in students_visible_to(teacher)
    GroupTeacher.objects.filter(teacher=teacher).update(ends_on=None)
    assert world.pupil3 in students_visible_to(teacher)
    GroupTeacher.objects.filter(teacher=teacher).update(
        ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert world.pupil3 not in students_visible_to(teacher)


def test_a_new_guardian_sees_only_their_child_with_authority(world):
    other = make_guardian_user(world.pupil5, email="other-parent@t.example")
    visible = set(students_visible_to(fresh(other)).values_list("pk", flat=True))
    assert visible == {world.pupil5.pk}
    access = AccessResolver(fresh(other)).for_student(world.pupil5)
    assert access.guardian_has_authority is True
    assert access.bsn is True
