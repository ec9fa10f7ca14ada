"""The demo's pupils and guardians: the fixed demo families the parent accounts belong to,
about 25 pupils per group with one or two guardians each, and a former pupil."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from accounts.constants import Role
from accounts.models import User
from students.constants import Sex, WithdrawalDestination
from students.models import Group, Guardian, Placement, School, Student
from students.services import guardian_link, role_grant, student_enrol, student_withdraw

from .people import DOMAIN, FIRST, STREETS, SURNAMES, Demo, account, bsn_random


def pupil_enrol(
    demo: Demo,
    school: School,
    group: Group,
    year_group: int,
    *,
    prev_group: Group | None = None,
    family: tuple[str, str] | None = None,
) -> Student:
    """A pupil with random names (or the family's surname), born for the year group, with a
    placement in last year's group when ``prev_group`` is given."""
    rng, today, year = demo.rng, demo.today, demo.year
    sex = rng.choice([Sex.FEMALE, Sex.MALE])
    given = rng.choice(FIRST[sex])
    prefix, surname = family if family else rng.choice(SURNAMES)
    age = 4 + year_group
    born = datetime.date(year - age + 1, 1, 1) + datetime.timedelta(days=rng.randint(0, 364) - 150)
    enrolled = datetime.date(born.year + 4, born.month, min(born.day, 28))
    if enrolled > today:
        enrolled = today
    start = datetime.date(year, 8, 1)
    middle = rng.choice(FIRST[sex])
    student = student_enrol(
        actor=None,
        school=school,
        group=group,
        first_names=f"{given} {middle}",
        given_name=given,
        surname_prefix=prefix,
        surname=surname,
        date_of_birth=born,
        sex=sex,
        year_group=year_group,
        enrolled_on=min(enrolled, start) if prev_group else enrolled,
        street=rng.choice(STREETS),
        house_number=str(rng.randint(1, 120)),
        postal_code=f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGH')}{rng.choice('KLMNPR')}",
        city="Amsterdam",
        bsn=bsn_random(rng),
    )
    if prev_group is not None and student.enrolled_on < start:
        current = student.placements.get()
        current.started_on = start
        current.save(update_fields=["started_on"])
        Placement.objects.create(
            student=student,
            group=prev_group,
            school_year=year - 1,
            started_on=max(student.enrolled_on, datetime.date(year - 1, 8, 1)),
            ended_on=datetime.date(year, 7, 31),
        )
    return student


def guardian_create(
    demo: Demo,
    first: str,
    prefix: str,
    surname: str,
    *,
    email: str = "",
    user: User | None = None,
    confidential: bool = False,
) -> Guardian:
    """A guardian with a random phone number and address; with an account, the guardian role."""
    rng = demo.rng
    g = Guardian.objects.create(
        user=user,
        first_name=first,
        surname_prefix=prefix,
        surname=surname,
        email=email,
        phone=f"06-{rng.randint(10000000, 99999999)}",
        address=f"{rng.choice(STREETS)} {rng.randint(1, 120)}, Amsterdam",
        contact_confidential=confidential,
    )
    if user is not None:
        role_grant(user=user, role=Role.GUARDIAN)
    return g


def family_create(demo: Demo, kid: Student) -> None:
    """One or two guardians (no account) for a pupil."""
    rng = demo.rng
    first = guardian_create(demo, rng.choice(FIRST[Sex.FEMALE]), kid.surname_prefix, kid.surname)
    guardian_link(actor=None, guardian=first, student=kid)
    if rng.random() < 0.6:
        prefix, surname = rng.choice(SURNAMES)
        second = guardian_create(demo, rng.choice(FIRST[Sex.MALE]), prefix, surname)
        guardian_link(actor=None, guardian=second, student=kid)


def former_pupil_create(demo: Demo, school: School, group: Group) -> Student:
    """One former pupil, withdrawn to special education last school year."""
    rng, year = demo.rng, demo.year
    born = datetime.date(year - 9, 3, 14)
    student = student_enrol(
        actor=None,
        school=school,
        group=group,
        first_names="Jip Willem",
        given_name="Jip",
        surname="Kramer",
        date_of_birth=born,
        sex=Sex.MALE,
        year_group=4,
        enrolled_on=datetime.date(year - 5, 3, 14),
        bsn=bsn_random(rng),
    )
    student.placements.update(started_on=datetime.date(year - 1, 8, 1))
    return student_withdraw(
        actor=None,
        student=student,
        on=datetime.date(year - 1, 12, 20),
        destination=WithdrawalDestination.SPECIAL_EDUCATION,
    )


@dataclass(frozen=True)
class Story:
    """The pupils and the guardian the demo story is told with: the Groep 3 and Groep 6
    children of ouder@ (the Groep 3 child shared with ouder2@), and the Groep 5 child of
    ouder3@ (ouder4@ without parental authority)."""

    child3: Student
    child5: Student
    child6: Student
    ouder3: Guardian


def families_load(
    demo: Demo,
    *,
    samen: School,
    brug: School,
    groups: dict[int, Group],
    last_year: dict[int, Group],
    brug_groups: dict[int, Group],
) -> Story:
    """The fixed demo families, then about 25 pupils in each group of OBS Samen Een and 10 in
    each group of OBS De Brug, each with one or two guardians."""
    # The demo families the fixed accounts belong to.
    ouder = guardian_create(
        demo,
        "Anouk",
        "de",
        "Vries",
        email=f"ouder@{DOMAIN}",
        user=account(f"ouder@{DOMAIN}", "Anouk de Vries"),
    )
    ouder2 = guardian_create(
        demo,
        "Mark",
        "",
        "Jansen",
        email=f"ouder2@{DOMAIN}",
        user=account(f"ouder2@{DOMAIN}", "Mark Jansen"),
        confidential=True,
    )
    ouder3 = guardian_create(
        demo,
        "Sanne",
        "",
        "Bakker",
        email=f"ouder3@{DOMAIN}",
        user=account(f"ouder3@{DOMAIN}", "Sanne Bakker"),
    )
    ouder4 = guardian_create(
        demo,
        "Erik",
        "",
        "Bakker",
        email=f"ouder4@{DOMAIN}",
        user=account(f"ouder4@{DOMAIN}", "Erik Bakker"),
    )
    child3 = pupil_enrol(demo, samen, groups[3], 3, prev_group=last_year[2], family=("de", "Vries"))
    child6 = pupil_enrol(demo, samen, groups[6], 6, prev_group=last_year[5], family=("de", "Vries"))
    child5 = pupil_enrol(demo, samen, groups[5], 5, prev_group=last_year[4], family=("", "Bakker"))
    guardian_link(actor=None, guardian=ouder, student=child3)
    guardian_link(actor=None, guardian=ouder2, student=child3)
    guardian_link(actor=None, guardian=ouder, student=child6)
    guardian_link(actor=None, guardian=ouder3, student=child5)
    # A parent without parental authority: basics only, no decisions.
    guardian_link(actor=None, guardian=ouder4, student=child5, has_authority=False)

    for n in range(1, 9):
        count = 25 - sum(1 for c in (child3, child6, child5) if c.year_group == n)
        for _i in range(count):
            kid = pupil_enrol(demo, samen, groups[n], n, prev_group=last_year.get(n - 1))
            family_create(demo, kid)
    for low, group in brug_groups.items():
        for i in range(10):
            kid = pupil_enrol(demo, brug, group, low + (i % 2))
            family_create(demo, kid)
    return Story(child3=child3, child5=child5, child6=child6, ouder3=ouder3)
