"""Fixtures for the school-operations tests: a frozen clock that can be moved, a school at
the end of its year (for the rollover) and helpers to read links out of sent mail."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from freezegun import freeze_time

from accounts.constants import Role
from accounts.models import User
from students.constants import WithdrawalDestination
from students.models import Group, School, Student

from ..students.factories import (
    BoardFactory,
    GroupFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
    make_staff,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment on a day in Amsterdam (the clock the school lives by)."""
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM)


class Clock:
    """A frozen clock the test moves by hand."""

    def __init__(self, frozen):
        self._frozen = frozen

    def at(self, day: datetime.date, hour: int = 10, minute: int = 0) -> None:
        self._frozen.move_to(local(day, hour, minute))

    def move_to(self, moment: datetime.datetime) -> None:
        self._frozen.move_to(moment)

    def tick(self, delta: datetime.timedelta) -> None:
        self._frozen.tick(delta)


def frozen_clock(start: datetime.datetime):
    return freeze_time(start)


# --- a school at the end of school year 2026-2027 --------------------------------------------

YEAR = 2026  # the school year 2026-2027 the pupils are in
IN_JULY = datetime.date(2027, 7, 10)


@dataclass
class EndOfYear:
    school: School
    groups: dict[str, Group]  # this year's groups by name
    pupils: dict[str, Student]
    teachers: dict[str, User]  # by this year's group name, plus "new" (joins next year)
    director: User
    former: Student  # withdrawn before the turn: untouched by it


def _end_of_year() -> EndOfYear:
    board = BoardFactory.create(name="Stichting Overstap")
    school = SchoolFactory.create(board=board, name="OBS De Overstap", brin="77RO")
    ranges = {
        "Groep 1/2": (1, 2),
        "Groep 3": (3, 3),
        "Groep 4": (4, 4),
        "Groep 5/6": (5, 6),
        "Groep 7": (7, 7),
        "Groep 8": (8, 8),
    }
    groups = {
        name: GroupFactory.create(
            school=school,
            name=name,
            school_year=YEAR,
            year_group_low=low,
            year_group_high=high,
        )
        for name, (low, high) in ranges.items()
    }

    def pupil(group: str, year: int, name: str) -> Student:
        return StudentFactory.create(
            group=groups[group],
            year_group=year,
            given_name=name,
            surname="Overstap",
            enrolled_on=datetime.date(2023, 8, 21),
        )

    pupils = {
        "year1": pupil("Groep 1/2", 1, "Anna"),
        "year2": pupil("Groep 1/2", 2, "Bram"),
        "year3": pupil("Groep 3", 3, "Cas"),
        "year3b": pupil("Groep 3", 3, "Daan"),
        "kept_back": pupil("Groep 4", 4, "Eva"),
        "year4": pupil("Groep 4", 4, "Fleur"),
        "year5": pupil("Groep 5/6", 5, "Gijs"),
        "year6": pupil("Groep 5/6", 6, "Hanna"),
        "year7": pupil("Groep 7", 7, "Ivo"),
        "leaver": pupil("Groep 8", 8, "Jesse"),
        "leaver_special": pupil("Groep 8", 8, "Kim"),
    }
    former = StudentFactory.create(
        withdrawn=True,
        school=school,
        given_name="Lotte",
        surname="Oud",
        enrolled_on=datetime.date(2020, 8, 17),
        withdrawn_on=datetime.date(2025, 3, 1),
        withdrawal_destination=WithdrawalDestination.ABROAD,
    )
    teachers = {
        name: make_staff(Role.TEACHER, group=groups[name], email=f"t-{slug}@overstap.example")
        for name, slug in (("Groep 1/2", "12"), ("Groep 3", "3"), ("Groep 4", "4"))
    }
    teachers["new"] = UserFactory.create(email="t-new@overstap.example")
    from students.services import role_grant

    role_grant(user=teachers["new"], role=Role.TEACHER)
    director = make_staff(Role.DIRECTOR, school=school, email="director@overstap.example")
    return EndOfYear(school, groups, pupils, teachers, director, former)


@pytest.fixture
def clock():
    """The clock stands still on 10 July 2027, 10:00 in Amsterdam; tests move it."""
    with frozen_clock(local(IN_JULY)) as frozen:
        yield Clock(frozen)


@pytest.fixture
def end_of_year(clock, db) -> EndOfYear:
    return _end_of_year()


@pytest.fixture
def term_clock():
    """A clock in the middle of a school year: Monday 2 March 2026, 10:00 in Amsterdam."""
    with frozen_clock(local(datetime.date(2026, 3, 2))) as frozen:
        yield Clock(frozen)


@pytest.fixture
def term_world(term_clock, db, request):
    """The shared ``world``, built while the clock stands on 2 March 2026."""
    return request.getfixturevalue("world")


# --- mail -------------------------------------------------------------------------------------


def link_in_mail(pattern: str, message=None) -> str:
    """The path matching ``pattern`` in the (last) sent email's body."""
    message = message or mail.outbox[-1]
    found = re.search(pattern, message.body)
    assert found, message.body
    return found.group(0)
