"""Generate a board of 50,000 pupils on a scratch PostgreSQL database (``make bench``).

    python -m bench.generate [--pupils 50000] [--events 1000000] [--seed 2026]

Drops and re-creates the database named in ``DATABASE_URL`` (default ``samen_een_bench``;
any other name is refused), migrates, and fills it: the few hundred staff through the
project's own services (so their object permissions are granted the way the portal grants
them), the big tables with COPY. Sealed fields (BSN, care content, religion) go through
``kernel.crypto.seal``; access events are written already sealed into the hash chain
(``audit.chain.event_digest``) with the chain head set, so ``audit_verify`` passes. The
append-only triggers stay on: COPY only inserts.

Seeded: the same seed on the same day gives the same rows (dates are relative to today, so
the current school year, open agreements and recent events exist whenever it runs).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench import django_setup

BENCH_DB_PREFIX = "samen_een_bench"
DOMAIN = "bench.samen-een.example"
SCHOOLS = 60
GROUPS_PER_SCHOOL = 8
CARE_SHARE = 0.15
RELIGION_SHARE = 0.20
WITHDRAWN_SHARE = 0.02
SIBLING_SHARE = 0.20
GUARDIAN_ACCOUNT_SHARE = 0.70
NO_AUTHORITY_SHARE = 0.05


def log(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


@dataclass
class Timings:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str):
        started = time.perf_counter()
        yield
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
        log(f"  {name:<28} {self.rows.get(name, 0):>10,} rows {self.seconds[name]:8.1f} s")


# --- the database ------------------------------------------------------------------------------


def database_recreate(url: str) -> None:
    """Drop and create the scratch database; refuse any name but the bench's own."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    if "postgresql" not in config["ENGINE"] or not name.startswith(BENCH_DB_PREFIX):
        raise SystemExit(
            f"bench.generate only drops PostgreSQL databases named {BENCH_DB_PREFIX}*, "
            f"not {name!r}."
        )
    with psycopg.connect(
        host=config.get("HOST") or "127.0.0.1",
        port=config.get("PORT") or 5432,
        user=config.get("USER") or "postgres",
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def copy_rows(model, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY rows into a model's table (columns named by field); returns the row count."""
    from django.db import connection

    given = {model._meta.get_field(name).name for name in fields}
    # Columns left out get their model default (the database has no defaults of its own).
    rest = [
        f
        for f in model._meta.concrete_fields
        if f.name not in given and not f.primary_key and not f.null
    ]
    tail = tuple(f.get_prep_value(f.get_default()) for f in rest)
    missing = [f.name for f, value in zip(rest, tail, strict=True) if value is None]
    if missing:
        raise ValueError(f"COPY into {model._meta.db_table} lacks {missing}")
    columns = ", ".join(f.column for f in [*map(model._meta.get_field, fields), *rest])
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row((*row, *tail) if tail else row)
            count += 1
    return count


def sequence_sync(model) -> None:
    """After COPY with explicit ids, move the id sequence past them."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
            f" COALESCE((SELECT MAX(id) FROM {table}), 1))"
        )


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


# --- the board ---------------------------------------------------------------------------------


@dataclass
class Board:
    today: datetime.date
    year: int
    schools: list = field(default_factory=list)
    groups: dict[int, list] = field(default_factory=dict)  # school id -> groups by year group
    staff: dict[int, dict[str, list[int]]] = field(default_factory=dict)  # school -> role -> ids
    teacher_of: dict[int, int] = field(default_factory=dict)  # group id -> teacher id
    director_ids: dict[int, int] = field(default_factory=dict)
    # pupils: (id, school id, group id or None, year group, withdrawn)
    pupils: list[tuple[int, int, int | None, int, bool]] = field(default_factory=list)
    guardians_of: dict[int, list[tuple[int, bool]]] = field(default_factory=dict)
    guardian_user: dict[int, int] = field(default_factory=dict)
    care_student_ids: list[int] = field(default_factory=list)


def staff_create(board_obj, board: Board, timings: Timings) -> None:
    """Schools, groups and the few hundred staff, through the services (permissions as the
    portal grants them)."""
    from django.contrib.auth.hashers import make_password

    from accounts.constants import Role
    from accounts.models import User
    from onboarding.services import school_provision
    from students.models import Group
    from students.services import (
        privacy_officer_assign_to_board,
        staff_assign_to_school,
        teacher_assign_to_group,
    )

    password = make_password("samen-een-bench")
    with timings.step("schools, groups, staff"):
        officer = User.objects.create(
            email=f"privacy@{DOMAIN}", full_name="Bench Privacy", password=password
        )
        for n in range(SCHOOLS):
            # Set up as every school is (consent purposes, retention rules), with no director
            # yet: the directors come with the rest of the staff below.
            school = school_provision(
                board=board_obj, name=f"Bench School {n + 1:02d}", brin=f"B{n:03d}"
            )
            board.schools.append(school)
            roles: dict[str, list[int]] = {}
            for role, local in (
                (Role.DIRECTOR, "directeur"),
                (Role.ADMINISTRATION, "administratie"),
                (Role.CARE_COORDINATOR, "ib"),
            ):
                user = User.objects.create(
                    email=f"{local}{n + 1}@{DOMAIN}",
                    full_name=f"{local} {n + 1}",
                    password=password,
                )
                staff_assign_to_school(user=user, school=school, role=role)
                roles[role] = [user.pk]
            board.director_ids[school.pk] = roles[Role.DIRECTOR][0]
            groups = Group.objects.bulk_create(
                [
                    Group(
                        school=school,
                        name=f"Groep {g}",
                        school_year=board.year,
                        year_group_low=g,
                        year_group_high=g,
                    )
                    for g in range(1, GROUPS_PER_SCHOOL + 1)
                ]
            )
            board.groups[school.pk] = groups
            roles[Role.TEACHER] = []
            for group in groups:
                teacher = User.objects.create(
                    email=f"leerkracht{n + 1}-{group.year_group_low}@{DOMAIN}",
                    full_name=f"Leerkracht {n + 1} {group.name}",
                    password=password,
                )
                teacher_assign_to_group(teacher=teacher, group=group)
                board.teacher_of[group.pk] = teacher.pk
                roles[Role.TEACHER].append(teacher.pk)
            board.staff[school.pk] = roles
        privacy_officer_assign_to_board(user=officer, board=board_obj)
        timings.rows["schools, groups, staff"] = User.objects.count()


def pupils_create(board: Board, rng: random.Random, count: int, timings: Timings) -> None:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group as RoleGroup

    from accounts.constants import Role
    from accounts.models import User
    from kernel.crypto import lookup_hash, seal
    from onboarding.demo.people import FIRST, STREETS, SURNAMES, bsn_random
    from students.constants import Sex, WithdrawalDestination
    from students.models import Guardian, Guardianship, Placement, Student

    per_school = count // len(board.schools)
    extra = count - per_school * len(board.schools)
    start = datetime.date(board.year, 8, 1)
    student_rows, placement_rows = [], []
    sid = next_id(Student)
    pid = next_id(Placement)
    with timings.step("pupils built (BSN sealed)"):
        for index, school in enumerate(board.schools):
            n_pupils = per_school + (1 if index < extra else 0)
            groups = board.groups[school.pk]
            for i in range(n_pupils):
                group = groups[i % GROUPS_PER_SCHOOL]
                year_group = group.year_group_low
                sex = rng.choice((Sex.FEMALE, Sex.MALE))
                given = rng.choice(FIRST[sex])
                prefix, surname = rng.choice(SURNAMES)
                born = datetime.date(board.year - 4 - year_group, 10, 1) + datetime.timedelta(
                    days=rng.randint(0, 364)
                )
                enrolled = min(
                    datetime.date(born.year + 4, born.month, min(born.day, 28)), start, board.today
                )
                withdrawn = rng.random() < WITHDRAWN_SHARE
                withdrawn_on = None
                if withdrawn:
                    days = max((board.today - start).days, 0)
                    withdrawn_on = start + datetime.timedelta(days=rng.randint(0, days))
                bsn = bsn_random(rng)
                student_rows.append(
                    (
                        sid,
                        school.pk,
                        None if withdrawn else group.pk,
                        f"{given} {rng.choice(FIRST[sex])}",
                        given,
                        prefix,
                        surname,
                        born,
                        sex,
                        rng.choice(STREETS),
                        str(rng.randint(1, 200)),
                        f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGH')}{rng.choice('KLMNPR')}",
                        "Amsterdam",
                        seal(bsn),
                        lookup_hash(bsn),
                        year_group,
                        enrolled,
                        withdrawn_on,
                        rng.choice(list(WithdrawalDestination)) if withdrawn else "",
                        False,
                    )
                )
                placement_rows.append(
                    (pid, sid, group.pk, board.year, max(enrolled, start), withdrawn_on)
                )
                board.pupils.append(
                    (sid, school.pk, None if withdrawn else group.pk, year_group, withdrawn)
                )
                sid += 1
                pid += 1
        timings.rows["pupils built (BSN sealed)"] = len(student_rows)
    with timings.step("students"):
        timings.rows["students"] = copy_rows(
            Student,
            [
                "id",
                "school",
                "group",
                "first_names",
                "given_name",
                "surname_prefix",
                "surname",
                "date_of_birth",
                "sex",
                "street",
                "house_number",
                "postal_code",
                "city",
                "bsn",
                "bsn_hash",
                "year_group",
                "enrolled_on",
                "withdrawn_on",
                "withdrawal_destination",
                "processing_restricted",
            ],
            student_rows,
        )
        sequence_sync(Student)
    with timings.step("placements"):
        timings.rows["placements"] = copy_rows(
            Placement,
            ["id", "student", "group", "school_year", "started_on", "ended_on"],
            placement_rows,
        )
        sequence_sync(Placement)

    # Guardians: two per pupil; a fifth of the pupils are younger siblings of the pupil
    # before them in the same school, sharing that pupil's guardians.
    password = make_password("samen-een-bench")
    now = datetime.datetime.combine(board.today, datetime.time(), tzinfo=datetime.UTC)
    gid = next_id(Guardian)
    uid = next_id(User)
    guardian_rows, user_rows, link_rows = [], [], []
    previous: tuple[int, int] | None = None  # (school id, pupil id)
    for student_id, school_id, _group, _yg, _w in board.pupils:
        if previous and previous[0] == school_id and rng.random() < SIBLING_SHARE:
            pair = board.guardians_of[previous[1]]
        else:
            pair = []
            for k in range(2):
                user_id = None
                email = f"ouder{gid}@{DOMAIN}"
                if rng.random() < GUARDIAN_ACCOUNT_SHARE:
                    user_id = uid
                    user_rows.append(
                        (uid, password, False, email, f"Ouder {gid}", True, False, now)
                    )
                    board.guardian_user[gid] = uid
                    uid += 1
                sex = Sex.FEMALE if k == 0 else Sex.MALE
                prefix, surname = rng.choice(SURNAMES)
                guardian_rows.append(
                    (
                        gid,
                        user_id,
                        rng.choice(FIRST[sex]),
                        prefix,
                        surname,
                        email,
                        f"06-{rng.randint(10000000, 99999999)}",
                        f"{rng.choice(STREETS)} {rng.randint(1, 200)}, Amsterdam",
                        rng.random() < 0.03,
                        "nl",
                    )
                )
                pair.append((gid, rng.random() >= NO_AUTHORITY_SHARE))
                gid += 1
        board.guardians_of[student_id] = pair
        for guardian_id, authority in pair:
            link_rows.append((guardian_id, student_id, authority))
        previous = (school_id, student_id)
    with timings.step("guardian accounts"):
        timings.rows["guardian accounts"] = copy_rows(
            User,
            [
                "id",
                "password",
                "is_superuser",
                "email",
                "full_name",
                "is_active",
                "is_staff",
                "date_joined",
            ],
            user_rows,
        )
        sequence_sync(User)
        role = RoleGroup.objects.get_or_create(name=Role.GUARDIAN)[0]
        membership = User.groups.through
        copy_rows(membership, ["user", "group"], ((row[0], role.pk) for row in user_rows))
    with timings.step("guardians"):
        timings.rows["guardians"] = copy_rows(
            Guardian,
            [
                "id",
                "user",
                "first_name",
                "surname_prefix",
                "surname",
                "email",
                "phone",
                "address",
                "contact_confidential",
                "language",
            ],
            guardian_rows,
        )
        sequence_sync(Guardian)
    with timings.step("guardianships"):
        timings.rows["guardianships"] = copy_rows(
            Guardianship, ["guardian", "student", "has_authority"], link_rows
        )


def consent_create(board: Board, rng: random.Random, timings: Timings) -> None:
    """Ten purposes per school (the nine defaults and a yearbook purpose), the website text in a
    second version, this year's campaign, and three school years of decisions: most pupils
    answered by one guardian, some by both, some changing their mind or withdrawing later."""
    from consent.constants import Channel, Decision, Renewal
    from consent.models import ConsentCampaign, ConsentDecision, ConsentPurpose, PurposeVersion
    from consent.services import purpose_text_change

    with timings.step("purposes, campaigns"):
        for school in board.schools:
            director_id = board.director_ids[school.pk]
            purpose = ConsentPurpose.objects.create(
                school=school, code="yearbook", renewal=Renewal.YEARLY, position=10
            )
            purpose.current_version = PurposeVersion.objects.create(
                purpose=purpose,
                number=1,
                title_nl="Foto's in het jaarboek",
                title_en="Photos in the yearbook",
                text_nl="Wij mogen foto's waarop uw kind te zien is opnemen in het jaarboek.",
                text_en="We may include photos showing your child in the yearbook.",
            )
            purpose.save(update_fields=["current_version"])
            website = ConsentPurpose.objects.get(school=school, code="website")
            from accounts.models import User

            purpose_text_change(
                user=User.objects.get(pk=director_id),
                purpose=website,
                title_nl="Foto's en video op de website",
                title_en="Photos and video on the website",
                text_nl="Wij mogen foto's en video's waarop uw kind te zien is plaatsen op de "
                "website van de school (zonder achternaam).",
                text_en="We may publish photos and videos showing your child on the school's "
                "website (without surname).",
                requires_new_consent=False,
            )
            ConsentCampaign.objects.create(
                school=school, school_year=board.year, started_by_id=director_id
            )
        timings.rows["purposes, campaigns"] = ConsentPurpose.objects.count()

    # purpose id -> (first version id, current version id), per school
    versions: dict[int, list[tuple[int, int, int]]] = {}
    for purpose_id, school_id, current in ConsentPurpose.objects.values_list(
        "id", "school_id", "current_version_id"
    ):
        first = PurposeVersion.objects.filter(purpose_id=purpose_id, number=1).values_list(
            "id", flat=True
        )[0]
        versions.setdefault(school_id, []).append((purpose_id, first, current))

    def when(year: int) -> datetime.datetime:
        day = datetime.date(year, 9, 1) + datetime.timedelta(days=rng.randint(0, 60))
        day = min(day, board.today)
        return datetime.datetime.combine(
            day, datetime.time(rng.randint(7, 21), rng.randint(0, 59)), tzinfo=datetime.UTC
        )

    def rows():
        for student_id, school_id, _group, year_group, _w in board.pupils:
            guardians = [g for g, authority in board.guardians_of[student_id] if authority]
            if not guardians:
                continue
            first_year = board.year - min(2, year_group - 1)
            for purpose_id, first_version, current_version in versions[school_id]:
                if rng.random() < 0.2:
                    continue  # not answered
                answerers = guardians[:1] if rng.random() < 0.7 else guardians
                for guardian_id in answerers:
                    user_id = board.guardian_user.get(guardian_id)
                    channel = Channel.PORTAL if user_id else Channel.PAPER
                    year = rng.randint(first_year, board.year)
                    decision = Decision.GRANTED if rng.random() < 0.8 else Decision.REFUSED
                    version = first_version if year < board.year else current_version
                    yield (
                        student_id,
                        purpose_id,
                        version,
                        guardian_id,
                        decision,
                        channel,
                        year,
                        user_id,
                        when(year),
                    )
                    if rng.random() < 0.15:  # changed their mind, or withdrew, later
                        later = rng.randint(year, board.year)
                        yield (
                            student_id,
                            purpose_id,
                            first_version if later < board.year else current_version,
                            guardian_id,
                            Decision.WITHDRAWN
                            if decision == Decision.GRANTED
                            else Decision.GRANTED,
                            channel,
                            later,
                            user_id,
                            when(later) + datetime.timedelta(days=70),
                        )

    with timings.step("consent decisions"):
        timings.rows["consent decisions"] = copy_rows(
            ConsentDecision,
            [
                "student",
                "purpose",
                "version",
                "guardian",
                "decision",
                "channel",
                "school_year",
                "recorded_by",
                "recorded_at",
            ],
            rows(),
        )


def records_create(board: Board, rng: random.Random, timings: Timings) -> None:
    """Progress for year groups 3-8, sealed care records for about 15% of the pupils and
    sealed religion entries for about 20%."""
    from kernel.crypto import seal
    from students.constants import (
        CareKind,
        CareSource,
        CareVisibility,
        ReligionStatus,
        Subject,
        WithholdStatus,
    )
    from students.models import CareRecord, ProgressRecord, ReligionRecord

    subjects = (Subject.MATHS, Subject.SPELLING, Subject.COMPREHENSION, Subject.READING)
    now = datetime.datetime.combine(board.today, datetime.time(12), tzinfo=datetime.UTC)

    def progress():
        for student_id, _school, group_id, year_group, _w in board.pupils:
            if year_group < 3:
                continue
            teacher = board.teacher_of.get(group_id) if group_id else None
            for period, days in (("Begin", 300), ("Midden", 150)):
                for subject in subjects:
                    yield (
                        student_id,
                        group_id,
                        subject,
                        f"{period} groep {year_group}",
                        rng.choice(("I", "II", "III", "IV", "V")),
                        "",
                        teacher,
                        now - datetime.timedelta(days=days + rng.randint(0, 30)),
                    )

    with timings.step("progress records"):
        timings.rows["progress records"] = copy_rows(
            ProgressRecord,
            [
                "student",
                "group",
                "subject",
                "period",
                "result",
                "note",
                "recorded_by",
                "recorded_at",
            ],
            progress(),
        )

    contents = {
        CareKind.DIAGNOSIS: ("Dyslexie vastgesteld.", "ADHD vastgesteld.", "Dyscalculie."),
        CareKind.ALLERGY: ("Pinda-allergie; adrenalinepen in de tas.", "Lactose-intolerantie."),
        CareKind.MEDICATION: ("Medicatie tussen de middag (afspraak met ouders).",),
        CareKind.SUPPORT_PLAN: ("Ondersteuningsplan rekenen: verlengde instructie.",),
        CareKind.CHILD_PROTECTION: ("Signaal volgens de Meldcode; zie dossier IB.",),
    }
    enrolled = [p for p in board.pupils if not p[4]]
    chosen = rng.sample(enrolled, k=round(len(board.pupils) * CARE_SHARE))
    board.care_student_ids = [p[0] for p in chosen]

    def care():
        for student_id, school_id, _group, _yg, _w in chosen:
            kind = rng.choice(list(contents))
            withheld = kind == CareKind.CHILD_PROTECTION and rng.random() < 0.5
            coordinator = board.staff[school_id]["care_coordinator"][0]
            created = now - datetime.timedelta(days=rng.randint(1, 700))
            yield (
                student_id,
                kind,
                seal(rng.choice(contents[kind])),
                seal("Nodig voor de begeleiding in de klas."),
                rng.choice(list(CareSource)),
                board.today + datetime.timedelta(days=rng.randint(30, 365)),
                CareVisibility.CARE_TEAM if withheld else rng.choice(list(CareVisibility)),
                WithholdStatus.APPROVED if withheld else WithholdStatus.NONE,
                seal("Informeren kan de veiligheid van het kind schaden.") if withheld else "",
                coordinator if withheld else None,
                board.director_ids[school_id] if withheld else None,
                created if withheld else None,
                coordinator,
                created,
                created,
            )

    with timings.step("care records (sealed)"):
        timings.rows["care records (sealed)"] = copy_rows(
            CareRecord,
            [
                "student",
                "kind",
                "content",
                "justification",
                "source",
                "review_date",
                "visibility",
                "withhold_status",
                "withhold_reason",
                "withhold_requested_by",
                "withhold_decided_by",
                "withhold_decided_at",
                "created_by",
                "created_at",
                "updated_at",
            ],
            care(),
        )

    religions = ("Rooms-katholiek", "Protestants", "Islam", "Hindoeïsme", "Humanistisch")

    def religion():
        for student_id, school_id, _g, _yg, _w in rng.sample(
            board.pupils, k=round(len(board.pupils) * RELIGION_SHARE)
        ):
            declined = rng.random() < 0.3
            yield (
                student_id,
                ReligionStatus.DECLINED if declined else ReligionStatus.STATED,
                "" if declined else seal(rng.choice(religions)),
                board.staff[school_id]["administration"][0],
                now - datetime.timedelta(days=rng.randint(1, 700)),
            )

    with timings.step("religion records (sealed)"):
        timings.rows["religion records (sealed)"] = copy_rows(
            ReligionRecord,
            ["student", "status", "religion", "recorded_by", "recorded_at"],
            religion(),
        )


def suppliers_create(board_obj, board: Board, timings: Timings) -> None:
    """Three suppliers with a product and an agreement each (one expired), through the
    services, and the recipients that are not processors."""
    from accounts.models import User
    from onboarding.demo.suppliers import recipients_create, supplier_create
    from suppliers.models import Supplier

    director = User.objects.get(pk=board.director_ids[board.schools[0].pk])
    today = board.today
    login = {
        "first_name": "Om de leerling te laten inloggen en aan te spreken",
        "last_name": "Om de leerling in de klassenlijst te herkennen",
        "year_group": "Om de juiste lesstof te tonen",
        "group_name": "Om de leerling aan de groep van de leerkracht te koppelen",
        "school_brin": "Om de licentie aan de school te koppelen",
    }
    catalog = [
        ("Rekenwijs Uitgevers B.V.", "Rekenwijs Online", True, range(3, 9), 400, 700),
        ("Taalpad Digitaal", "Taalpad Lezen", True, range(3, 6), 200, 40),
        ("Oude Methode Uitgeverij", "Spelling Klassiek", False, range(6, 8), 1200, -30),
    ]
    with timings.step("suppliers, recipients"):
        for name, product_name, covenant, year_groups, since, until in catalog:
            group_ids = [
                g.pk
                for groups in board.groups.values()
                for g in groups
                if g.year_group_low in year_groups
            ]
            supplier_create(
                board=board_obj,
                director=director,
                name=name,
                product_name=product_name,
                covenant=covenant,
                group_ids=group_ids,
                reasons=login,
                valid=(
                    today - datetime.timedelta(days=since),
                    today + datetime.timedelta(days=until),
                ),
                signed_by="Bestuurder, Stichting Bench",
            )
        recipients_create(board=board_obj, office="Stichting Bench (bestuursbureau)")
        timings.rows["suppliers, recipients"] = Supplier.objects.count()


def events_create(board: Board, rng: random.Random, count: int, timings: Timings) -> None:
    """``count`` access events over the past year, written sealed: each row's seal is the
    project's ``event_digest`` of the previous seal and the row, the chain head is set after.
    Events the services wrote while setting up (unsealed) are sealed after them by
    ``chain_extend``, continuing the chain."""
    from django.utils import timezone

    from audit.chain import CONTENT_FIELDS, GENESIS, event_digest
    from audit.constants import Action, DataKind, Outcome
    from audit.models import AccessEvent, AuditChainHead

    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.seq:
        raise SystemExit("bench.generate expects an empty audit chain")
    first_id = next_id(AccessEvent) + 10_000  # room below for the services' own events
    end = datetime.datetime.combine(board.today, datetime.time(), tzinfo=datetime.UTC)
    start = end - datetime.timedelta(days=365)
    span_us = int((end - start).total_seconds() * 1_000_000)
    # Sorted offsets: ids, seal numbers and time all run in the same order.
    offsets = sorted(rng.randrange(span_us) for _ in range(count))
    pupils = [p for p in board.pupils]
    care = board.care_student_ids
    guardian_users = list(board.guardian_user.values())
    school_staff = {
        school_id: [(uid, role) for role, ids in roles.items() for uid in ids]
        for school_id, roles in board.staff.items()
    }
    kinds_view = (
        (DataKind.BASICS, Action.VIEW, "student", False),
        (DataKind.BASICS, Action.LIST, "group", False),
        (DataKind.PROGRESS, Action.VIEW, "student", False),
        (DataKind.PROGRESS, Action.CREATE, "progress_record", False),
        (DataKind.CONSENT, Action.VIEW, "student", False),
        (DataKind.CARE, Action.VIEW, "care_record", True),
        (DataKind.RELIGION, Action.VIEW, "religion_record", True),
    )
    weights = (40, 15, 15, 5, 10, 10, 5)
    state = {"prev": GENESIS, "seq": 0}

    def rows():
        prev = GENESIS
        for n, offset in enumerate(offsets):
            pk = first_id + n
            created = start + datetime.timedelta(microseconds=offset)
            roll = rng.random()
            if roll < 0.10 and guardian_users:
                row = {
                    "actor_id": rng.choice(guardian_users),
                    "role": "guardian",
                    "action": Action.LOGIN,
                    "data_kind": DataKind.ACCOUNT,
                    "special_category": False,
                    "object_type": "user",
                    "object_id": "",
                    "student_id": None,
                    "school_id": None,
                    "path": "/accounts/login/",
                }
            else:
                student_id, school_id, group_id, _yg, _w = rng.choice(pupils)
                kind, action, object_type, special = rng.choices(kinds_view, weights)[0]
                if kind == DataKind.CARE and care:
                    student_id = rng.choice(care)
                actor_id, role = rng.choice(school_staff[school_id])
                if group_id and role == "teacher" and rng.random() < 0.8:
                    actor_id = board.teacher_of[group_id]
                row = {
                    "actor_id": actor_id,
                    "role": role,
                    "action": action,
                    "data_kind": kind,
                    "special_category": special,
                    "object_type": object_type,
                    "object_id": str(student_id if object_type == "student" else group_id or ""),
                    "student_id": student_id if action != Action.LIST else None,
                    "school_id": school_id,
                    "path": f"/students/{student_id}/",
                }
            row["id"] = pk
            row["created_at"] = created
            row["outcome"] = Outcome.DENIED if rng.random() < 0.01 else Outcome.ALLOWED
            row["request_id"] = f"{rng.getrandbits(64):016x}"
            row["seal_seq"] = n + 1
            seal = event_digest(prev_seal=prev, row=row)
            yield (
                *(getattr(value, "value", value) for value in map(row.get, CONTENT_FIELDS)),
                prev,
                seal,
            )
            prev = seal
            state["prev"], state["seq"] = seal, n + 1

    with timings.step("access events (sealed)"):
        timings.rows["access events (sealed)"] = copy_rows(
            AccessEvent,
            [*CONTENT_FIELDS, "prev_seal", "seal"],
            rows(),
        )
        sequence_sync(AccessEvent)
        AuditChainHead.objects.update_or_create(
            pk=1,
            defaults={"seq": state["seq"], "seal": state["prev"], "sealed_at": timezone.now()},
        )


def services_events_seal(timings: Timings) -> None:
    from audit.chain import chain_extend

    with timings.step("chain_extend (services)"):
        timings.rows["chain_extend (services)"] = chain_extend()


def analyse(timings: Timings) -> None:
    from django.db import connection

    with timings.step("ANALYZE"), connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def generate(*, pupils: int, events: int, seed: int) -> Timings:
    from django.core.management import call_command
    from django.utils import timezone

    from onboarding.services import board_provision
    from students.models import school_year_of

    timings = Timings()
    rng = random.Random(seed)  # noqa: S311 - fictional data, not security
    today = timezone.localdate()
    board = Board(today=today, year=school_year_of(today))
    with timings.step("migrate"):
        call_command("migrate", verbosity=0, interactive=False)
    board_obj = board_provision(name="Stichting Bench")
    staff_create(board_obj, board, timings)
    pupils_create(board, rng, pupils, timings)
    consent_create(board, rng, timings)
    records_create(board, rng, timings)
    suppliers_create(board_obj, board, timings)
    events_create(board, rng, events, timings)
    services_events_seal(timings)
    analyse(timings)
    return timings


def main(argv: list[str] | None = None, *, out: Callable[[str], None] = log) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--pupils", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    from bench import BENCH_DATABASE_URL

    url = os.environ.setdefault("DATABASE_URL", BENCH_DATABASE_URL)
    started = time.perf_counter()
    out(f"bench: re-creating {url.rsplit('/', 1)[-1]}")
    database_recreate(url)
    django_setup()
    timings = generate(pupils=args.pupils, events=args.events, seed=args.seed)
    total = time.perf_counter() - started
    out(f"bench: board generated in {total:.1f} s ({sum(timings.seconds.values()):.1f} s in steps)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
