"""Shared fixtures: one small world with every role, objects in and out of each one's scope."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.constants import Role
from accounts.models import User
from students.models import Group, School, Student

from .students.factories import (
    PASSWORD,
    BoardFactory,
    GroupFactory,
    SchoolFactory,
    StudentFactory,
    make_guardian_user,
    make_staff,
)


@dataclass
class World:
    school: School
    other_school: School
    group3: Group
    group5: Group
    other_group: Group
    pupil3: Student  # in group 3 of the school; child of the guardians
    pupil5: Student  # in group 5 of the school
    other_pupil: Student  # in the other school
    users: dict[str, User]

    def in_scope(self, role: str) -> Student:
        return self.pupil3

    def out_of_scope(self, role: str) -> Student:
        # Teachers and guardians are bounded inside the school; school roles by the school.
        if role in ("teacher", "guardian", "guardian_limited"):
            return self.pupil5
        return self.other_pupil


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db) -> World:
    board = BoardFactory(name="Stichting AURO")
    school = SchoolFactory(board=board, name="OBS Samen Een", brin="12AB")
    other_school = SchoolFactory(board=board, name="OBS De Brug", brin="34CD")
    group3 = GroupFactory(school=school, name="Groep 3", year_group_low=3)
    group5 = GroupFactory(school=school, name="Groep 5", year_group_low=5)
    other_group = GroupFactory(
        school=other_school, name="Groep 3/4", year_group_low=3, combination=True
    )
    pupil3 = StudentFactory(
        group=group3, given_name="Tim", surname="Vries", surname_prefix="de", bsn="111222333"
    )
    pupil5 = StudentFactory(group=group5, given_name="Sara", surname="Bakker")
    other_pupil = StudentFactory(group=other_group, given_name="Noah", surname="Smit")
    users = {
        "director": make_staff(Role.DIRECTOR, school=school, email="director@t.example"),
        "administration": make_staff(Role.ADMINISTRATION, school=school, email="admin@t.example"),
        "care_coordinator": make_staff(Role.CARE_COORDINATOR, school=school, email="ib@t.example"),
        "teacher": make_staff(Role.TEACHER, group=group3, email="teacher3@t.example"),
        "privacy_officer": make_staff(Role.PRIVACY_OFFICER, board=board, email="privacy@t.example"),
        "guardian": make_guardian_user(pupil3, email="parent@t.example"),
        "guardian_limited": make_guardian_user(
            pupil3, has_authority=False, email="parent-limited@t.example"
        ),
    }
    return World(
        school, other_school, group3, group5, other_group, pupil3, pupil5, other_pupil, users
    )


@pytest.fixture
def api():
    return APIClient()


def login_client(client, user: User):
    client.force_login(user)
    return client


@pytest.fixture
def password() -> str:
    return PASSWORD
