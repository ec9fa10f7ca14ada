"""Fixtures for the retention tests: a frozen clock and a small driver that makes former pupils
of the ``world`` school with a full pupil file (care, religion, grades, consent, guardians,
group history, access events) that left on a given day, through the project's own services."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.utils import timezone
from freezegun import freeze_time

from accounts.constants import Role
from accounts.models import User
from audit.constants import Action, Outcome
from audit.models import AccessEvent
from consent.constants import Channel, Decision
from consent.services import consent_record, purposes_seed
from retention.constants import Category
from retention.models import LegalHold, RetentionRule
from retention.services import hold_place, rules_seed
from students.constants import CareVisibility, ReligionStatus, Subject, WithdrawalDestination
from students.models import (
    CareRecord,
    Group,
    Guardian,
    ProgressRecord,
    ReligionRecord,
    School,
    Student,
)
from students.services import student_withdraw

from ..students.factories import (
    GroupFactory,
    GuardianFactory,
    SchoolFactory,
    StudentFactory,
    link_guardian,
    make_staff,
)

# A Monday in the middle of a month, so that no period ends on a clamped month end.
TODAY = datetime.date(2026, 3, 16)
ALL_CATEGORIES = list(Category.values)
PUPIL_APPS = ("students", "consent", "audit", "retention", "privacy_requests", "suppliers")

_NAMES = itertools.count(1)


@pytest.fixture
def frozen():
    """The clock stands still at TODAY, 11:00 in Amsterdam."""
    with freeze_time("2026-03-16 10:00:00"):
        yield TODAY


def at(day: datetime.date):
    """Move the frozen clock to another day (11:00 in Amsterdam)."""
    return freeze_time(f"{day.isoformat()} 10:00:00")


def years_ago(years: int, day: datetime.date = TODAY) -> datetime.date:
    return day.replace(year=day.year - years)


def row_counts() -> dict[str, int]:
    """Rows per model of every app that holds pupil data or evidence."""
    return {
        model._meta.label: model._base_manager.count()
        for name in PUPIL_APPS
        for model in apps.get_app_config(name).get_models()
    }


@dataclass
class Retention:
    world: object  # tests/conftest.py's World
    school: School
    group: Group
    director: User
    guardian_of: dict[int, Guardian] = field(default_factory=dict)

    def leaver(
        self,
        *,
        left_on: datetime.date,
        destination: WithdrawalDestination = WithdrawalDestination.SECONDARY_SCHOOL,
        school: School | None = None,
        decisions: bool = True,
        **fields,
    ) -> Student:
        """A pupil who was enrolled in 2012 and left on ``left_on``: two care records, religion,
        two grades, a guardian of their own, a consent decision (unless ``decisions`` is
        false) and the group history. Made the way the school makes them (withdrawal service,
        consent service)."""
        group = self.group if school is None else self.group_of(school)
        n = next(_NAMES)
        given_name = fields.pop("given_name", f"Leerling{n}")
        surname = fields.pop("surname", f"Achternaam{n}")
        pupil = StudentFactory.create(
            group=group,
            enrolled_on=datetime.date(2012, 8, 20),
            date_of_birth=datetime.date(2008, 7, 23),
            first_names=fields.pop("first_names", given_name),
            given_name=given_name,
            surname=surname,
            **fields,
        )
        guardian = GuardianFactory.create(first_name=f"Ouder van {given_name}", surname=surname)
        link_guardian(guardian, pupil)
        self.guardian_of[pupil.pk] = guardian
        for kind, content in (("diagnosis", "Dyslexie"), ("support_plan", "Plan rekenen")):
            CareRecord.objects.create(
                student=pupil,
                kind=kind,
                content=content,
                justification="Nodig voor de begeleiding",
                source="school",
                review_date=datetime.date(2013, 6, 30),
                visibility=CareVisibility.CARE_TEAM,
            )
        ReligionRecord.objects.create(
            student=pupil, status=ReligionStatus.STATED, religion="Protestants"
        )
        for period, result in (("M7", "7.5"), ("E7", "8")):
            ProgressRecord.objects.create(
                student=pupil,
                group=group,
                subject=Subject.MATHS,
                period=period,
                result=result,
                note="Werkt zelfstandig",
            )
        if decisions:
            self.decide(pupil, guardian)
        return student_withdraw(
            actor=self.director, student=pupil, on=left_on, destination=destination
        )

    def group_of(self, school: School) -> Group:
        return school.groups.filter(year_group_low=8).first() or GroupFactory.create(
            school=school, name="Groep 8", year_group_low=8
        )

    def decide(self, pupil: Student, guardian: Guardian, decision: str = Decision.GRANTED):
        purposes_seed(school=pupil.school)
        return consent_record(
            student=pupil,
            purpose=pupil.school.purposes.get(code="website"),
            guardian_id=guardian.pk,
            decision=decision,
            channel=Channel.PAPER,
            recorded_by=self.director,
        )

    def event(
        self,
        created_at: datetime.datetime,
        *,
        student: Student | None = None,
        school: School | None = None,
    ) -> AccessEvent:
        """An access event of the past (a look at a pupil's data, or at the school's)."""
        return AccessEvent.objects.create(
            created_at=created_at,
            actor_id=self.director.pk,
            role="director",
            action=Action.VIEW,
            outcome=Outcome.ALLOWED,
            object_type="student",
            student_id=student.pk if student else None,
            school_id=(school or self.school).pk if student is None else student.school_id,
        )

    def hold(self, pupil: Student, until: datetime.date | None = None) -> LegalHold:
        return hold_place(
            user=self.director, student=pupil, reason="Geschil met de school", until=until
        )

    def rule(self, category: str, school: School | None = None) -> RetentionRule:
        return RetentionRule.objects.get(school=school or self.school, category=category)

    def second_school(self) -> School:
        """Another school of the board with its own director and saved rules."""
        school = SchoolFactory.create(board=self.school.board, name="OBS Tweede", brin="56EF")
        make_staff(Role.DIRECTOR, school=school, email="director2@t.example")
        rules_seed(school=school)
        return school


@pytest.fixture
def ret(frozen, world) -> Retention:
    """The world's school with its rules saved (not enabled), as school setup leaves them,
    and a Groep 8 the leavers come from. ``world`` is built under the frozen clock."""
    for school in (world.school, world.other_school, world.foreign_school):
        rules_seed(school=school)
    group = GroupFactory.create(school=world.school, name="Groep 8", year_group_low=8)
    return Retention(world, world.school, group, world.users["director"])


def aware(day: datetime.date, *time) -> datetime.datetime:
    """A moment of a day in Dutch time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(*time)))
