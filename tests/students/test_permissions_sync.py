"""The role table of students.permissions is the one source of the object permissions: the
sync creates their rows and gives every holder of a role exactly its grants, after every
migrate, on a fresh and on an upgraded database alike."""

from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from accounts.constants import Role
from students import permissions
from students.models import (
    GroupUserObjectPermission,
    SchoolUserObjectPermission,
    school_year_of,
)
from students.permissions import GROUP, SCHOOL, register, registered, role_codenames
from students.services import permissions_sync, school_create, staff_assign_to_school

from .factories import UserFactory

DEMO_GRANTS = Path(__file__).with_name("demo_grants.txt")


def _codenames(user, school):
    return set(
        SchoolUserObjectPermission.objects.filter(user=user, content_object=school).values_list(
            "permission__codename", flat=True
        )
    )


def grants_dump() -> list[str]:
    """Every role, object permission grant and School/Group permission row, one line each."""
    from django.contrib.auth.models import Group as RoleGroup

    year = school_year_of(timezone.localdate())
    lines = [
        f"grant school {p.user.email} {p.permission.codename} {p.content_object.brin}"
        for p in SchoolUserObjectPermission.objects.select_related(
            "user", "permission", "content_object"
        )
    ]
    for p in GroupUserObjectPermission.objects.select_related(
        "user", "permission", "content_object__school"
    ):
        group = p.content_object
        lines.append(
            f"grant group {p.user.email} {p.permission.codename} {group.school.brin}"
            f"/{group.name}/Y{group.school_year - year:+d}"
        )
    lines += [
        f"perm {p.content_type.model} {p.codename} | {p.name}"
        for p in Permission.objects.filter(
            content_type__app_label="students", content_type__model__in=["school", "group"]
        ).select_related("content_type")
    ]
    lines += [
        f"role {user.email} {role.name}"
        for role in RoleGroup.objects.all()
        for user in role.user_set.all()
    ]
    return sorted(lines)


def _demo_grants_before() -> list[str]:
    return [
        line
        for line in DEMO_GRANTS.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]


@pytest.fixture
def demo(db):
    with override_settings(DEBUG=True):
        call_command("demo_data", verbosity=0)


def test_role_holders_gain_the_new_permission_where_they_hold_the_role_when_synced(world):
    director = world.users["director"]
    SchoolUserObjectPermission.objects.filter(
        user=director, permission__codename="rollover_school"
    ).delete()
    teacher = world.users["teacher"]
    assert "rollover_school" not in _codenames(director, world.school)

    first = permissions_sync()
    again = permissions_sync()  # a second run adds nothing twice

    assert first == {"permissions": 0, "granted": 1, "revoked": 0}
    assert again == {"permissions": 0, "granted": 0, "revoked": 0}
    # No app config is patched along the way.
    assert apps.get_app_config("students").models_module is not None
    assert "rollover_school" in _codenames(director, world.school)
    assert "rollover_school" not in _codenames(director, world.other_school)
    assert not SchoolUserObjectPermission.objects.filter(
        user=teacher, permission__codename="rollover_school"
    ).exists()
    permission = Permission.objects.get(codename="rollover_school")
    assert (
        SchoolUserObjectPermission.objects.filter(user=director, permission=permission).count() == 1
    )


def test_a_fresh_database_gives_the_demo_accounts_exactly_the_grants_they_had(demo):
    assert grants_dump() == _demo_grants_before()


def test_an_upgraded_database_ends_with_the_same_grants_after_migrate(demo):
    # As before the data migrations that gave roles their new permissions (students 0008,
    # 0011, 0013, retention 0002): those codenames had no rows and nobody held them.
    added_later = [
        "handle_school_requests",
        "decide_school_requests",
        "release_school_packages",
        "oversee_school_requests",
        "manage_school_staff",
        "rollover_school",
        "manage_school_breaches",
        "view_school_register",
        "view_school_retention",
        "manage_school_retention",
    ]
    Permission.objects.filter(content_type__app_label="students", codename__in=added_later).delete()
    assert not SchoolUserObjectPermission.objects.filter(
        permission__codename__in=added_later
    ).exists()

    call_command("migrate", verbosity=0)

    assert grants_dump() == _demo_grants_before()


def test_every_registered_permission_has_its_row_on_school_or_group(db):
    rows = set(
        Permission.objects.filter(content_type__app_label="students").values_list(
            "content_type__model", "codename"
        )
    )
    assert len(registered()) == 39
    for permission in registered():
        assert (permission.on, permission.codename) in rows


@pytest.mark.django_db(transaction=True)
def test_a_flush_recreates_the_permission_rows():
    call_command("flush", interactive=False, verbosity=0)
    codenames = set(
        Permission.objects.filter(content_type__app_label="students").values_list(
            "codename", flat=True
        )
    )
    assert {permission.codename for permission in registered()} <= codenames


def test_the_sync_withdraws_what_no_role_of_the_user_gives_there(world):
    teacher = world.users["teacher"]
    director = world.users["director"]
    SchoolUserObjectPermission.objects.create(
        user=teacher,
        content_object=world.school,
        permission=Permission.objects.get(codename="view_school_bsn"),
    )
    GroupUserObjectPermission.objects.create(
        user=director,
        content_object=world.group3,
        permission=Permission.objects.get(codename="view_group_pupils"),
    )

    result = permissions_sync()

    assert result["revoked"] == 2
    assert not SchoolUserObjectPermission.objects.filter(user=teacher).exists()
    assert not GroupUserObjectPermission.objects.filter(user=director).exists()
    assert set(
        GroupUserObjectPermission.objects.filter(
            user=teacher, content_object=world.group3
        ).values_list("permission__codename", flat=True)
    ) == set(role_codenames(Role.TEACHER, GROUP))


def test_a_director_who_is_administration_elsewhere_gains_no_director_grants_there(world):
    person = UserFactory(email="both@t.example")
    staff_assign_to_school(user=person, school=world.school, role=Role.DIRECTOR)
    staff_assign_to_school(user=person, school=world.other_school, role=Role.ADMINISTRATION)
    SchoolUserObjectPermission.objects.filter(
        user=person, content_object=world.other_school, permission__codename="view_school_bsn"
    ).delete()

    permissions_sync()

    assert _codenames(person, world.school) == set(role_codenames(Role.DIRECTOR, SCHOOL))
    assert _codenames(person, world.other_school) == set(
        role_codenames(Role.ADMINISTRATION, SCHOOL)
    )


def test_a_privacy_officer_is_held_at_every_school_of_the_board(world):
    officer = world.users["privacy_officer"]
    SchoolUserObjectPermission.objects.filter(user=officer, content_object=world.school).delete()
    new_school = school_create(board=world.school.board, name="OBS Nieuw", brin="56EF")

    permissions_sync()

    for school in (world.school, world.other_school, new_school):
        assert _codenames(officer, school) == set(role_codenames(Role.PRIVACY_OFFICER, SCHOOL))
    assert not _codenames(officer, world.foreign_school)


def test_a_new_capability_registers_a_codename_and_the_sync_grants_it_without_a_migration(
    world, monkeypatch
):
    monkeypatch.setattr(permissions, "_registry", dict(permissions._registry))
    register(
        "view_school_lunches",
        "See the school's lunch orders",
        on=SCHOOL,
        roles=(Role.DIRECTOR, Role.PRIVACY_OFFICER),
    )

    result = permissions_sync()

    assert result["permissions"] == 1
    assert Permission.objects.get(codename="view_school_lunches").content_type.model == "school"
    assert "view_school_lunches" in _codenames(world.users["director"], world.school)
    assert "view_school_lunches" not in _codenames(world.users["director"], world.other_school)
    for school in (world.school, world.other_school):
        assert "view_school_lunches" in _codenames(world.users["privacy_officer"], school)
    assert "view_school_lunches" not in _codenames(world.users["administration"], world.school)
    assert "view_school_lunches" in role_codenames(Role.DIRECTOR, SCHOOL)


def test_a_codename_registered_differently_or_for_a_role_held_elsewhere_is_refused(monkeypatch):
    monkeypatch.setattr(permissions, "_registry", dict(permissions._registry))
    # The same registration again is harmless.
    register(
        "rollover_school",
        permissions._registry["rollover_school"].name,
        on=SCHOOL,
        roles=(Role.DIRECTOR,),
    )
    with pytest.raises(ImproperlyConfigured):
        register("rollover_school", "Turn the year", on=SCHOOL, roles=(Role.TEACHER,))
    with pytest.raises(ImproperlyConfigured):
        register("teach_school", "Teach at the school", on=SCHOOL, roles=(Role.TEACHER,))
    with pytest.raises(ImproperlyConfigured):
        register("read_group", "Read the group", on=GROUP, roles=(Role.DIRECTOR,))
    with pytest.raises(ImproperlyConfigured):
        register("see_children", "See children", on=SCHOOL, roles=(Role.GUARDIAN,))
