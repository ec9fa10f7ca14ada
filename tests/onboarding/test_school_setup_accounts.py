"""school_setup links no existing account by its email address unless it already is a
director: a parent's or a teacher's account never becomes a director that way."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts.constants import Role
from accounts.models import User
from students.models import School, SchoolUserObjectPermission

from ..students.factories import (
    GroupFactory,
    SchoolFactory,
    StudentFactory,
    make_guardian_user,
    make_staff,
)


def _setup(email: str) -> None:
    call_command(
        "school_setup",
        "--board",
        "Stichting X",
        "--school",
        "OBS Nieuw",
        "--brin",
        "55NW",
        "--director-email",
        email,
        stdout=None,
    )


@pytest.mark.parametrize("kind", ["guardian", "teacher", "administration"])
def test_school_setup_refuses_an_existing_account_when_it_is_not_a_director(db, kind):
    school = SchoolFactory.create()
    if kind == "guardian":
        user = make_guardian_user(StudentFactory.create(school=school), email="ouder@x.example")
    elif kind == "teacher":
        user = make_staff(
            Role.TEACHER, group=GroupFactory.create(school=school), email="leerkracht@x.example"
        )
    else:
        user = make_staff(Role.ADMINISTRATION, school=school, email="admin@x.example")
    roles = set(user.role_names)
    permissions = SchoolUserObjectPermission.objects.filter(user=user).count()

    with pytest.raises(CommandError, match="not a director"):
        _setup(user.email.upper())

    user = User.objects.get(pk=user.pk)
    assert user.role_names == roles
    assert SchoolUserObjectPermission.objects.filter(user=user).count() == permissions
    assert not School.objects.filter(brin="55NW").exists()  # nothing half done


def test_school_setup_gives_an_existing_director_the_new_school_when_asked(db):
    director = make_staff(Role.DIRECTOR, school=SchoolFactory.create(), email="dir@x.example")

    _setup("dir@x.example")

    school = School.objects.get(brin="55NW")
    assert director.has_perm("students.manage_school_staff", school)
    assert User.objects.filter(email="dir@x.example").count() == 1
