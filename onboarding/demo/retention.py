"""The demo's leavers for the retention page: pupils who left 1, 3 and 6 years ago, one of
them under a legal hold."""

from __future__ import annotations

import datetime

from retention.services import hold_place
from students.constants import (
    CareKind,
    CareSource,
    CareVisibility,
    Sex,
    Subject,
    WithdrawalDestination,
)
from students.models import CareRecord, Group, Placement, ProgressRecord, School
from students.services import student_enrol, student_withdraw

from .people import STREETS, Demo, bsn_random, user_of


def leavers_load(demo: Demo, school: School, group: Group) -> None:
    """Pupils who left 1, 3 and 6 years ago, and one who left 6 years ago under a legal
    hold: the retention preview shows the 3- and 6-year leavers as due, the held one as
    held, the 1-year leaver as not yet due."""
    rng, today = demo.rng, demo.today
    director = user_of("directeur")
    people = [
        (1, "Noor", "Visser", False),
        (3, "Daan", "Smit", False),
        (6, "Lotte", "Mulder", False),
        (6, "Bram", "Bos", True),
    ]
    for years, given, surname, held in people:
        left = datetime.date(today.year - years, 7, 15)
        born = datetime.date(left.year - 12, 5, 1 + years)
        student = student_enrol(
            actor=None,
            school=school,
            group=group,
            first_names=f"{given} Maria" if given in ("Noor", "Lotte") else f"{given} Jan",
            given_name=given,
            surname=surname,
            date_of_birth=born,
            sex=Sex.FEMALE if given in ("Noor", "Lotte") else Sex.MALE,
            year_group=8,
            enrolled_on=datetime.date(left.year - 8, 8, 20),
            street=rng.choice(STREETS),
            house_number=str(rng.randint(1, 120)),
            postal_code="1011 AB",
            city="Amsterdam",
            bsn=bsn_random(rng),
        )
        ProgressRecord.objects.create(
            student=student,
            group=group,
            subject=Subject.MATHS,
            period="Eind groep 8",
            result=rng.choice(["I", "II", "III"]),
        )
        CareRecord.objects.create(
            student=student,
            kind=CareKind.SUPPORT_PLAN,
            source=CareSource.SCHOOL,
            content="Ondersteuningsplan begrijpend lezen.",
            justification="Extra instructie in groep 8.",
            review_date=left,
            visibility=CareVisibility.TEACHERS,
        )
        student_withdraw(
            actor=None,
            student=student,
            on=left,
            destination=WithdrawalDestination.SECONDARY_SCHOOL,
        )
        Placement.objects.filter(student=student).update(
            started_on=datetime.date(left.year - 1, 8, 20)
        )
        if held:
            hold_place(
                user=director,
                student=student,
                reason="Geschil over het schooladvies; de stukken blijven bewaard.",
                until=None,
            )
