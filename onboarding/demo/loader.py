"""The demo board, loaded by ``manage.py demo_data``: Stichting AURO with OBS Samen Een (groups 1
to 8 of about 25 pupils, this year and last) and OBS De Brug (four combination groups), the
demo accounts of README.md's table, and the data their pages show."""

from __future__ import annotations

import random

from django.utils import timezone

from accounts.constants import Role
from onboarding.services import board_provision, school_provision
from students.models import Group, School, school_year_of
from students.services import (
    privacy_officer_assign_to_board,
    staff_assign_to_school,
    teacher_assign_to_group,
)

from .admissions import applications_load, former_pupil_departure_load
from .consent import consent_load
from .funding import funding_history_load
from .moves import moves_load
from .operations import operations_load
from .people import Demo, staff
from .pupils import families_load, former_pupil_create
from .records import records_load
from .requests import requests_load
from .retention import leavers_load
from .statements import statements_load
from .suppliers import disclosure_load, legal_disclosures_load, suppliers_load


def load() -> bool:
    """Load the demo board; False when it is there already (idempotent). Call inside a
    transaction."""
    board = board_provision(name="Stichting AURO")
    if School.objects.filter(brin="12AB").exists():
        return False
    rng = random.Random(2026)  # noqa: S311 - demo names, not security
    today = timezone.localdate()
    demo = Demo(rng=rng, today=today, year=school_year_of(today))

    director = staff("directeur", "Ingrid Verhoeven")
    # Both schools' consent purposes are written by the director of OBS Samen Een. Their
    # retention rules stay unsaved: the retention page shows the Dutch defaults until a
    # director first opens it.
    samen = school_provision(
        board=board,
        name="OBS Samen Een",
        brin="12AB",
        director=director,
        retention_rules=False,
    )
    brug = school_provision(
        board=board, name="OBS De Brug", brin="34CD", set_up_by=director, retention_rules=False
    )
    staff_assign_to_school(
        user=staff("administratie", "Karin de Lange"), school=samen, role=Role.ADMINISTRATION
    )
    staff_assign_to_school(
        user=staff("ib", "Marleen Bosch"), school=samen, role=Role.CARE_COORDINATOR
    )
    staff_assign_to_school(
        user=staff("directeur2", "Peter Willems"), school=brug, role=Role.DIRECTOR
    )
    privacy_officer_assign_to_board(user=staff("privacy", "Fatima Ouali"), board=board)

    groups, last_year, brug_groups = _groups(demo, samen=samen, brug=brug)
    story = families_load(
        demo,
        samen=samen,
        brug=brug,
        groups=groups,
        last_year=last_year,
        brug_groups=brug_groups,
    )
    # One former pupil, withdrawn to special education last school year.
    former = former_pupil_create(demo, samen, last_year[4])
    former_pupil_departure_load(former)
    records_load(demo, samen, child3=story.child3, child5=story.child5, child6=story.child6)
    consent_load(demo, samen, child3=story.child3, child6=story.child6)
    suppliers_load(board=board, samen=samen, year=demo.year)
    requests_load(child5=story.child5, guardian=story.ouder3)
    moves_load(guardian=story.ouder3, child5=story.child5, today=today)
    leavers_load(demo, samen, groups[8])
    operations_load(samen, groups, today)
    disclosure_load(samen)
    legal_disclosures_load(samen, child3=story.child3, child5=story.child5)
    funding_history_load(samen)
    applications_load(demo, samen)
    statements_load(demo, samen=samen, brug=brug)
    return True


def _groups(
    demo: Demo, *, samen: School, brug: School
) -> tuple[dict[int, Group], dict[int, Group], dict[int, Group]]:
    """Groups 1 to 8 of OBS Samen Een this school year (each with its teacher) and last, and
    the combination groups of OBS De Brug (Groep 3/4 with a teacher)."""
    year = demo.year
    groups: dict[int, Group] = {}
    last_year: dict[int, Group] = {}
    for n in range(1, 9):
        groups[n] = Group.objects.create(
            school=samen,
            name=f"Groep {n}",
            school_year=year,
            year_group_low=n,
            year_group_high=n,
        )
        last_year[n] = Group.objects.create(
            school=samen,
            name=f"Groep {n}",
            school_year=year - 1,
            year_group_low=n,
            year_group_high=n,
        )
        teacher = staff(f"leerkracht{n}", f"Leerkracht Groep {n}")
        teacher_assign_to_group(teacher=teacher, group=groups[n])
    brug_groups = {}
    for low in (1, 3, 5, 7):
        brug_groups[low] = Group.objects.create(
            school=brug,
            name=f"Groep {low}/{low + 1}",
            school_year=year,
            year_group_low=low,
            year_group_high=low + 1,
        )
    teacher_assign_to_group(
        teacher=staff("leerkracht34", "Leerkracht De Brug 3/4"), group=brug_groups[3]
    )
    return groups, last_year, brug_groups
