"""privacy_officer_setup appoints the board's privacy officer (idempotent), and links no
existing account by its email address unless it already is a privacy officer."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts.constants import Role
from accounts.models import User
from students.models import SchoolUserObjectPermission

from ..students.factories import BoardFactory, SchoolFactory, make_staff


def _setup(board: str, email: str, name: str = "") -> None:
    call_command("privacy_officer_setup", "--board", board, "--email", email, "--name", name)


def test_appoints_a_new_privacy_officer_over_every_school_of_the_board(db):
    board = BoardFactory.create(name="Stichting X")
    schools = SchoolFactory.create_batch(2, board=board)
    foreign = SchoolFactory.create(board=BoardFactory.create(name="Stichting Y"))

    _setup("Stichting X", " FG@Stichting.example ", "Fatima El Idrissi")
    _setup("Stichting X", "fg@stichting.example")  # again: nothing new

    officer = User.objects.get(email="fg@stichting.example")
    assert officer.full_name == "Fatima El Idrissi"
    assert officer.role_names == {Role.PRIVACY_OFFICER}
    assert not officer.has_usable_password()  # set with changepassword
    for school in schools:
        assert SchoolUserObjectPermission.objects.filter(
            user=officer, content_object=school
        ).exists()
    assert not SchoolUserObjectPermission.objects.filter(
        user=officer, content_object=foreign
    ).exists()
    assert User.objects.filter(email="fg@stichting.example").count() == 1


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.ADMINISTRATION])
def test_refuses_an_existing_account_that_is_not_a_privacy_officer(db, role):
    board = BoardFactory.create(name="Stichting X")
    school = SchoolFactory.create(board=board)
    user = make_staff(role, school=school, email="someone@x.example")
    permissions = SchoolUserObjectPermission.objects.filter(user=user).count()

    with pytest.raises(CommandError, match="not a privacy officer"):
        _setup("Stichting X", "SOMEONE@x.example")

    user = User.objects.get(pk=user.pk)
    assert user.role_names == {role}
    assert SchoolUserObjectPermission.objects.filter(user=user).count() == permissions


def test_refuses_an_unknown_board(db):
    with pytest.raises(CommandError, match="no school board"):
        _setup("Stichting Onbekend", "fg@x.example")
    assert not User.objects.exists()
