"""Load the demo school board. Idempotent; refused when DEBUG is off."""

from __future__ import annotations

import datetime
import random
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.constants import Role
from accounts.models import User
from audit.chain import chain_extend
from students.constants import (
    CareKind,
    CareSource,
    CareVisibility,
    ReligionStatus,
    Sex,
    Subject,
    WithholdStatus,
)
from students.models import (
    Board,
    CareRecord,
    Group,
    Guardian,
    Guardianship,
    Placement,
    ProgressRecord,
    ReligionRecord,
    School,
    Student,
    school_year_of,
)
from students.services import (
    guardian_link,
    privacy_officer_assign_to_board,
    role_grant,
    staff_assign_to_school,
    student_enrol,
    teacher_assign_to_group,
)

PASSWORD = "samen-een-demo"  # noqa: S105 - the public demo password, refused in production
DOMAIN = "samen-een.example"

FIRST = {
    Sex.FEMALE: [
        "Emma",
        "Julia",
        "Mila",
        "Sophie",
        "Tess",
        "Zoë",
        "Sara",
        "Noor",
        "Fenna",
        "Lotte",
        "Anna",
        "Evi",
        "Nora",
        "Yara",
        "Lina",
        "Fleur",
        "Liv",
        "Saar",
        "Maud",
        "Amira",
    ],
    Sex.MALE: [
        "Noah",
        "Liam",
        "Luca",
        "Sem",
        "Lucas",
        "Finn",
        "Daan",
        "Levi",
        "Milan",
        "Bram",
        "Mees",
        "Jesse",
        "Sam",
        "Thijs",
        "Adam",
        "Mohammed",
        "Ravi",
        "Jayden",
        "Tim",
        "Siem",
    ],
}
SURNAMES = [
    ("", "Jansen"),
    ("de", "Vries"),
    ("van den", "Berg"),
    ("", "Bakker"),
    ("van", "Dijk"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("", "Yilmaz"),
    ("", "El Amrani"),
    ("", "Kaya"),
    ("", "Nguyen"),
    ("van der", "Berg"),
]
STREETS = ["Schoolstraat", "Kerkweg", "Lindelaan", "Molenweg", "Dorpsstraat", "Beukenlaan"]


def _bsn(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        if digits[0] == 0:
            continue
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last <= 9:
            return "".join(map(str, digits)) + str(last)


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    return make_password(PASSWORD)


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create(email=email, full_name=full_name, password=_demo_password_hash())
    return user


def supplier_create(
    *,
    board: Board,
    director: User,
    name: str,
    product_name: str,
    covenant: bool,
    group_ids: list[int],
    reasons: dict[str, str],
    valid: tuple[datetime.date, datetime.date],
    signed_by: str,
) -> None:
    """A learning-material supplier with one product for these groups and a signed model-4
    agreement for these attributes (with the reason for each), through the services. Also
    used by the board-scale bench (bench.generate)."""
    from suppliers.constants import AgreementModel
    from suppliers.models import Supplier
    from suppliers.services import agreement_save, product_save

    supplier = Supplier.objects.create(
        board=board,
        name=name,
        contact=f"info@{name.split()[0].lower()}.example",
        privacy_contact=f"privacy@{name.split()[0].lower()}.example",
        covenant_participant=covenant,
    )
    product = product_save(
        user=director,
        supplier=supplier,
        attribute_reasons=reasons,
        group_ids=group_ids,
        name=product_name,
        purposes="Digitaal oefenen en de voortgang volgen voor de leerkracht.",
        never_used_for="Reclame, profilering of doorverkoop van gegevens.",
        retention="Tot 3 maanden na het einde van de licentie",
        storage_location="Nederland (EU)",
        sub_processors="Hostingbedrijf B.V., hosting, Nederland",
        breach_notice_hours=24,
    )
    agreement_save(
        user=director,
        supplier=supplier,
        attributes=list(reasons),
        product_ids=[product.pk],
        model=AgreementModel.MODEL_4,
        signed_on=valid[0],
        signed_by=signed_by,
        valid_from=valid[0],
        valid_until=valid[1],
    )


def recipients_create(*, board: Board, office: str) -> None:
    """The recipients every board has: its own office, the attendance officer, DUO, and the
    after-school care (on consent). Also used by the board-scale bench (bench.generate)."""
    from suppliers.constants import RecipientKind
    from suppliers.models import Recipient

    recipients = [
        (
            RecipientKind.BOARD,
            office,
            "Zelfde verwerkingsverantwoordelijke: gezamenlijke administratie en plaatsing.",
            "",
            [
                "first_name",
                "last_name",
                "date_of_birth",
                "year_group",
                "group_name",
                "school_brin",
                "enrolled_on",
                "withdrawn_on",
            ],
        ),
        (
            RecipientKind.ATTENDANCE_OFFICER,
            "Leerplichtambtenaar gemeente",
            "Leerplichtwet 1969: melding van ongeoorloofd verzuim.",
            "",
            [
                "first_name",
                "last_name",
                "date_of_birth",
                "address",
                "bsn",
                "school_brin",
                "guardian_name",
            ],
        ),
        (
            RecipientKind.DUO,
            "DUO (BRON)",
            "Wet op het primair onderwijs: in- en uitschrijving met BSN voor de bekostiging.",
            "",
            [
                "bsn",
                "date_of_birth",
                "sex",
                "school_brin",
                "year_group",
                "enrolled_on",
                "withdrawn_on",
            ],
        ),
        (
            RecipientKind.VEILIG_THUIS,
            "Veilig Thuis regio",
            "Meldcode huiselijk geweld en kindermishandeling; Wmo 2015 art. 5.2.6 (meldrecht).",
            "",
            [
                "first_name",
                "last_name",
                "date_of_birth",
                "address",
                "school_brin",
                "group_name",
                "guardian_name",
                "guardian_phone",
            ],
        ),
        (
            RecipientKind.CONSENT,
            "BSO De Speeltuin",
            "Toestemming van de ouders (doel: gegevens delen met de buitenschoolse opvang).",
            "data_sharing",
            ["first_name", "last_name", "group_name"],
        ),
    ]
    for kind, name, basis, purpose, attributes in recipients:
        Recipient.objects.create(
            board=board,
            kind=kind,
            name=name,
            legal_basis=basis,
            consent_purpose_code=purpose,
            attributes=attributes,
        )


class Command(BaseCommand):
    help = "Load the demo board, schools, pupils, guardians and the demo accounts (idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "demo_data is refused when DEBUG is off: demo accounts share a public password."
            )
        with transaction.atomic():
            created = self._load()
        chain_extend()  # so that a fresh demo passes `manage.py audit_verify`
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded.") if created else "Demo data already present."
        )

    def _load(self) -> bool:
        board, _ = Board.objects.get_or_create(name="Stichting AURO")
        if School.objects.filter(brin="12AB").exists():
            return False
        rng = random.Random(2026)  # noqa: S311 - demo names, not security
        today = timezone.localdate()
        year = school_year_of(today)
        samen = School.objects.create(board=board, name="OBS Samen Een", brin="12AB")
        brug = School.objects.create(board=board, name="OBS De Brug", brin="34CD")

        def staff(local: str, name: str) -> User:
            return _user(f"{local}@{DOMAIN}", name)

        staff_assign_to_school(
            user=staff("directeur", "Ingrid Verhoeven"), school=samen, role=Role.DIRECTOR
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

        families: list[Guardian] = []

        def pupil(school, group, year_group, *, prev_group=None, family=None) -> Student:
            sex = rng.choice([Sex.FEMALE, Sex.MALE])
            given = rng.choice(FIRST[sex])
            prefix, surname = family if family else rng.choice(SURNAMES)
            age = 4 + year_group
            born = datetime.date(year - age + 1, 1, 1) + datetime.timedelta(
                days=rng.randint(0, 364) - 150
            )
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
                postal_code=f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGH')}"
                f"{rng.choice('KLMNPR')}",
                city="Amsterdam",
                bsn=_bsn(rng),
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

        def guardian(first, prefix, surname, *, email="", user=None, confidential=False):
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
            families.append(g)
            return g

        # The demo families the fixed accounts belong to.
        ouder = guardian(
            "Anouk",
            "de",
            "Vries",
            email=f"ouder@{DOMAIN}",
            user=_user(f"ouder@{DOMAIN}", "Anouk de Vries"),
        )
        ouder2 = guardian(
            "Mark",
            "",
            "Jansen",
            email=f"ouder2@{DOMAIN}",
            user=_user(f"ouder2@{DOMAIN}", "Mark Jansen"),
            confidential=True,
        )
        ouder3 = guardian(
            "Sanne",
            "",
            "Bakker",
            email=f"ouder3@{DOMAIN}",
            user=_user(f"ouder3@{DOMAIN}", "Sanne Bakker"),
        )
        ouder4 = guardian(
            "Erik",
            "",
            "Bakker",
            email=f"ouder4@{DOMAIN}",
            user=_user(f"ouder4@{DOMAIN}", "Erik Bakker"),
        )
        child3 = pupil(samen, groups[3], 3, prev_group=last_year[2], family=("de", "Vries"))
        child6 = pupil(samen, groups[6], 6, prev_group=last_year[5], family=("de", "Vries"))
        child5 = pupil(samen, groups[5], 5, prev_group=last_year[4], family=("", "Bakker"))
        guardian_link(actor=None, guardian=ouder, student=child3)
        guardian_link(actor=None, guardian=ouder2, student=child3)
        guardian_link(actor=None, guardian=ouder, student=child6)
        guardian_link(actor=None, guardian=ouder3, student=child5)
        # A parent without parental authority: basics only, no decisions.
        guardian_link(actor=None, guardian=ouder4, student=child5, has_authority=False)

        for n in range(1, 9):
            count = 25 - sum(1 for c in (child3, child6, child5) if c.year_group == n)
            for _i in range(count):
                kid = pupil(samen, groups[n], n, prev_group=last_year.get(n - 1))
                self._family(kid, guardian, rng)
        for low, group in brug_groups.items():
            for i in range(10):
                kid = pupil(brug, group, low + (i % 2))
                self._family(kid, guardian, rng)
        # One former pupil, withdrawn to special education last school year.
        self._former(samen, last_year[4], rng, year)
        self._records(samen, rng, year, child3=child3, child5=child5, child6=child6)
        self._consent(samen, brug, rng, year, child3=child3, child6=child6)
        self._suppliers(board, samen, year)
        self._requests(child5=child5, guardian=ouder3)
        self._leavers(samen, groups[8], rng, today)
        self._operations(samen, groups, today)
        self._disclosure(samen)
        self._legal_disclosures(samen, child3=child3, child5=child5)
        return True

    def _disclosure(self, school: School) -> None:
        """One export to Rekenwijs already in the disclosure register (built here, not by a
        job), so a breach can take its pupils from the evidence."""
        from suppliers.constants import ExportFormat
        from suppliers.models import Agreement, Export
        from suppliers.services import export_build

        agreement = (
            Agreement.objects.filter(supplier__name__startswith="Rekenwijs")
            .prefetch_related("products")
            .first()
        )
        if agreement is None:
            return
        export = Export.objects.create(
            school=school,
            requested_by=User.objects.get(email=f"administratie@{DOMAIN}"),
            agreement=agreement,
            product=agreement.products.first(),
            format=ExportFormat.CSV,
        )
        export_build(export_id=export.pk)

    def _legal_disclosures(self, school: School, *, child3: Student, child5: Student) -> None:
        """Two disclosures the law requires, through the gate: the enrolment of the Groep 3
        child registered with DUO (its guardians see it, with the law in words), and a
        Meldcode report about the Groep 5 child to Veilig Thuis that the director withheld
        from the guardians (they see it nowhere)."""
        from suppliers.constants import ExportFormat, LegalGround, RecipientKind
        from suppliers.models import Export, Recipient
        from suppliers.services import export_build

        cases = [
            (
                RecipientKind.DUO,
                f"administratie@{DOMAIN}",
                child3,
                LegalGround.BRON_REGISTRATION,
                "BRON-2025-0815",
                "Inschrijving doorgeven voor de bekostiging.",
                "",
            ),
            (
                RecipientKind.VEILIG_THUIS,
                f"directeur@{DOMAIN}",
                child5,
                LegalGround.MELDCODE,
                "VT-2025-117",
                "Stap 5 van de Meldcode: melden na overleg met Veilig Thuis.",
                "Informeren van een ouder kan de veiligheid van het kind schaden.",
            ),
        ]
        for kind, email, child, ground, reference, reason, withheld in cases:
            recipient = Recipient.objects.filter(board_id=school.board_id, kind=kind).first()
            if recipient is None:
                continue
            export = Export.objects.create(
                school=school,
                requested_by=User.objects.get(email=email),
                recipient=recipient,
                format=ExportFormat.CSV,
                student_ids=[child.pk],
                legal_ground=ground,
                legal_reference=reference,
                legal_reason=reason,
                withheld_reason=withheld,
            )
            export_build(export_id=export.pk)

    def _operations(self, school: School, groups: dict, today) -> None:
        """A substitute for Groep 4 whose access ends next week by itself, a pending
        invitation for a guardian of a Groep 3 pupil who has no account yet, and a group an
        import proposed for a teacher (Groep 7 for the teacher of Groep 8), open for the
        director to confirm or dismiss on the staff page."""
        from students.models import Guardian
        from students.services.invitations import invitation_create
        from students.services.staff import teacher_proposals_record

        substitute = _user(f"invaller@{DOMAIN}", "Iris Invaller")
        teacher_assign_to_group(
            teacher=substitute,
            group=groups[4],
            starts_on=today,
            ends_on=today + datetime.timedelta(days=6),
            substitute=True,
        )
        guardian = (
            Guardian.objects.filter(
                user__isnull=True, links__student__group=groups[3], links__has_authority=True
            )
            .order_by("id")
            .first()
        )
        if guardian is not None:
            guardian.email = f"uitnodiging@{DOMAIN}"
            guardian.save(update_fields=["email"])
            admin = User.objects.get(email=f"administratie@{DOMAIN}")
            invitation_create(user=admin, guardian=guardian)
        teacher_proposals_record(
            actor=User.objects.get(email=f"administratie@{DOMAIN}"),
            school=school,
            teacher=User.objects.get(email=f"leerkracht8@{DOMAIN}"),
            groups=[groups[7]],
        )

    def _leavers(self, school: School, group: Group, rng: random.Random, today) -> None:
        """Pupils who left 1, 3 and 6 years ago, and one who left 6 years ago under a legal
        hold: the retention preview shows the 3- and 6-year leavers as due, the held one as
        held, the 1-year leaver as not yet due."""
        from retention.services import hold_place
        from students.constants import WithdrawalDestination
        from students.services import student_withdraw

        director = User.objects.get(email=f"directeur@{DOMAIN}")
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
                bsn=_bsn(rng),
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

    def _requests(self, *, child5: Student, guardian) -> None:
        """Two requests of the Bakker family, so the inbox and the privacy officer's on-time
        rate have history: a correction answered on time last month, and an objection whose
        deadline is near."""
        from privacy_requests import services as requests
        from privacy_requests.deadlines import due_date_for
        from privacy_requests.models import PrivacyRequest, RequestStep

        parent = guardian.user
        admin = User.objects.get(email=f"administratie@{DOMAIN}")
        today = timezone.localdate()

        def backdate(request, days_ago: int) -> None:
            received = today - datetime.timedelta(days=days_ago)
            PrivacyRequest.objects.filter(pk=request.pk).update(
                received_on=received,
                due_date=due_date_for(received),
                created_at=timezone.now() - datetime.timedelta(days=days_ago),
            )
            RequestStep.objects.filter(request=request, step="received").update(
                created_at=timezone.now() - datetime.timedelta(days=days_ago)
            )

        correction = requests.request_submit(
            user=parent,
            student=child5,
            guardian=guardian,
            kind="correction",
            description="Het huisnummer klopt niet, het is 12A.",
            correction_field="house_number",
            correction_value="12A",
        )
        backdate(correction, 45)
        requests.request_start(user=admin, request=correction)
        requests.correction_accept(user=admin, request=correction)
        closed = timezone.now() - datetime.timedelta(days=30)
        PrivacyRequest.objects.filter(pk=correction.pk).update(closed_at=closed)
        RequestStep.objects.filter(request=correction).exclude(step="received").update(
            created_at=closed
        )
        objection = requests.request_submit(
            user=parent,
            student=child5,
            guardian=guardian,
            kind="objection",
            description="Geen foto's van onze zoon in de nieuwsbrief, alstublieft.",
            purpose_codes=["newsletter"],
        )
        backdate(objection, 25)

    def _suppliers(self, board: Board, samen: School, year: int) -> None:
        """Three fictional suppliers (one agreement expired), and the recipients that are not
        processors: the board, the attendance officer, DUO, and an after-school care centre
        that receives data only with the guardians' consent."""

        director = User.objects.get(email=f"directeur@{DOMAIN}")
        today = timezone.localdate()
        groups = {g.name: g.pk for g in Group.objects.filter(school=samen, school_year=year)}
        login = {
            "first_name": "Om de leerling te laten inloggen en aan te spreken",
            "last_name": "Om de leerling in de klassenlijst te herkennen",
            "year_group": "Om de juiste lesstof te tonen",
            "group_name": "Om de leerling aan de groep van de leerkracht te koppelen",
            "school_brin": "Om de licentie aan de school te koppelen",
        }
        catalog = [
            (
                "Rekenwijs Uitgevers B.V.",
                "Rekenwijs Online",
                True,
                ["Groep 3", "Groep 4", "Groep 5", "Groep 6", "Groep 7", "Groep 8"],
                {**login, "date_of_birth": "Om de juiste leeftijdsnormering te gebruiken"},
                (today - datetime.timedelta(days=400), today + datetime.timedelta(days=700)),
            ),
            (
                "Taalpad Digitaal",
                "Taalpad Lezen",
                True,
                ["Groep 3", "Groep 4", "Groep 5"],
                login,
                (today - datetime.timedelta(days=200), today + datetime.timedelta(days=40)),
            ),
            (
                "Oude Methode Uitgeverij",
                "Spelling Klassiek",
                False,
                ["Groep 6", "Groep 7"],
                login,
                (today - datetime.timedelta(days=1200), today - datetime.timedelta(days=30)),
            ),
        ]
        for name, product_name, covenant, group_names, reasons, (start, end) in catalog:
            supplier_create(
                board=board,
                director=director,
                name=name,
                product_name=product_name,
                covenant=covenant,
                group_ids=[groups[g] for g in group_names],
                reasons=reasons,
                valid=(start, end),
                signed_by="I. Verhoeven, directeur",
            )
        recipients_create(board=board, office="Stichting AURO (bestuursbureau)")

    def _consent(
        self, samen: School, brug: School, rng: random.Random, year: int, *, child3, child6
    ) -> None:
        """Purposes, this year's campaign, decisions of most families and one published
        website item showing the Groep 3 child of ouder@ (the demo story)."""
        from consent.constants import Channel, Decision
        from consent.models import ConsentCampaign, ConsentDecision
        from consent.services import publication_create, publication_publish, purposes_seed

        director = User.objects.get(email=f"directeur@{DOMAIN}")
        for school in (samen, brug):
            purposes_seed(school=school, user=director)
        ConsentCampaign.objects.create(
            school=samen,
            school_year=year,
            started_by=director,
            invitations_sent_at=timezone.now(),
        )
        purposes = list(samen.purposes.select_related("current_version"))
        links = Guardianship.objects.filter(
            student__school=samen, has_authority=True, student__withdrawn_on__isnull=True
        ).select_related("guardian")
        decisions = []
        demo_children = {child3.pk, child6.pk}
        for link in links:
            if link.student_id in demo_children:
                # ouder@'s children carry no refusal: a guardian's first choice decides.
                if link.guardian.email == f"ouder@{DOMAIN}":
                    chosen = [
                        p for p in purposes if p.code in ("website", "newsletter", "school_guide")
                    ]
                    decisions += [self._decision(link, p, Decision.GRANTED, year) for p in chosen]
                continue
            if rng.random() < 0.25:
                continue  # has not answered yet
            for purpose in purposes:
                if rng.random() < 0.15:
                    continue
                decision = Decision.GRANTED if rng.random() < 0.8 else Decision.REFUSED
                decisions.append(
                    self._decision(link, purpose, decision, year, channel=rng.choice(list(Channel)))
                )
        ConsentDecision.objects.bulk_create(decisions)

        website = next(p for p in purposes if p.code == "website")
        from consent.selectors.status import statuses_for

        group3 = child3.group
        classmates = list(group3.students.exclude(pk=child3.pk).order_by("id"))
        statuses = statuses_for(student_ids=[c.pk for c in classmates], purposes=[website])
        allowed = [c for c in classmates if statuses[(c.pk, website.pk)] == "granted"]
        shown = [child3, *allowed[:4]]
        publication = publication_create(
            user=director,
            school=samen,
            title="Schoolreisje groep 3 naar de kinderboerderij",
            purpose=website,
            publish_on=timezone.localdate(),
            pupils=shown,
        )
        publication_publish(user=director, publication=publication, weighed=True)

    @staticmethod
    def _decision(link, purpose, decision, year, channel="portal"):
        from consent.models import ConsentDecision

        return ConsentDecision(
            student_id=link.student_id,
            purpose=purpose,
            version=purpose.current_version,
            guardian=link.guardian,
            decision=decision,
            channel=channel,
            school_year=year,
            recorded_by=link.guardian.user,
        )

    def _records(self, school: School, rng: random.Random, year: int, *, child3, child5, child6):
        """Progress, care records (about 15% of pupils) and voluntary religion entries."""
        teachers = {
            g.pk: g.teachers.first() for g in Group.objects.filter(school=school, school_year=year)
        }
        today = timezone.localdate()
        review = today + datetime.timedelta(days=180)
        pupils = list(Student.objects.filter(school=school, withdrawn_on__isnull=True))
        progress = []
        for pupil in pupils:
            if pupil.year_group < 3:
                continue
            for subject in (Subject.MATHS, Subject.SPELLING, Subject.COMPREHENSION):
                progress.append(
                    ProgressRecord(
                        student=pupil,
                        group=pupil.group,
                        subject=subject,
                        period=f"Midden groep {pupil.year_group}",
                        result=rng.choice(["I", "II", "III", "IV", "V"]),
                        recorded_by=teachers.get(pupil.group_id),
                    )
                )
        ProgressRecord.objects.bulk_create(progress)

        care = [
            # The fixed demo story: the Groep 3 child of ouder@ has a dyslexia statement.
            CareRecord(
                student=child3,
                kind=CareKind.DIAGNOSIS,
                source=CareSource.SPECIALIST,
                content="Dyslexie vastgesteld (verklaring onderwijsbureau, maart 2026).",
                justification="Extra tijd en voorleessoftware bij toetsen; aangepast leesplan.",
                review_date=review,
                visibility=CareVisibility.TEACHERS,
            ),
            CareRecord(
                student=child6,
                kind=CareKind.ALLERGY,
                source=CareSource.GUARDIAN,
                content="Notenallergie; adrenalinepen in de tas.",
                justification="Leerkrachten en overblijf moeten weten wat te doen bij een reactie.",
                review_date=review,
                visibility=CareVisibility.TEACHERS,
            ),
            CareRecord(
                student=child5,
                kind=CareKind.SUPPORT_PLAN,
                source=CareSource.SCHOOL,
                content="Ondersteuningsplan rekenen: verlengde instructie twee keer per week.",
                justification="Achterstand rekenen; plan afgesproken met ouders.",
                review_date=review,
                visibility=CareVisibility.CARE_TEAM,
            ),
            CareRecord(
                student=child5,
                kind=CareKind.CHILD_PROTECTION,
                source=CareSource.SCHOOL,
                content="Signaal volgens de Meldcode; zie dossier intern begeleider.",
                justification="Stappen van de Meldcode volgen.",
                review_date=review,
                visibility=CareVisibility.CARE_TEAM,
                withhold_status=WithholdStatus.APPROVED,
                withhold_reason="Informeren van een ouder kan de veiligheid van het kind schaden.",
                withhold_decided_at=timezone.now(),
            ),
        ]
        others = [p for p in pupils if p.pk not in {child3.pk, child5.pk, child6.pk}]
        for pupil in rng.sample(others, k=len(others) * 15 // 100):
            kind = rng.choice([CareKind.DIAGNOSIS, CareKind.ALLERGY, CareKind.MEDICATION])
            content = {
                CareKind.DIAGNOSIS: rng.choice(["Dyslexie", "ADHD", "Dyscalculie"]),
                CareKind.ALLERGY: rng.choice(["Pinda-allergie", "Lactose-intolerantie"]),
                CareKind.MEDICATION: "Medicatie tussen de middag (afspraak met ouders).",
            }[kind]
            care.append(
                CareRecord(
                    student=pupil,
                    kind=kind,
                    source=rng.choice(list(CareSource)),
                    content=content,
                    justification="Nodig voor de begeleiding in de klas.",
                    review_date=review,
                    visibility=rng.choice(list(CareVisibility)),
                )
            )
        # One withholding waiting for the director's decision.
        care.append(
            CareRecord(
                student=others[-1],
                kind=CareKind.CHILD_PROTECTION,
                source=CareSource.SCHOOL,
                content="Zorgsignaal; overleg met Veilig Thuis gepland.",
                justification="Stappen van de Meldcode volgen.",
                review_date=review,
                visibility=CareVisibility.CARE_TEAM,
                withhold_status=WithholdStatus.REQUESTED,
                withhold_reason="Onderzoek loopt; eerst overleg met Veilig Thuis.",
            )
        )
        CareRecord.objects.bulk_create(care)

        religions = ["Rooms-katholiek", "Protestants", "Islam", "Hindoeïsme", "Humanistisch"]
        entries = []
        for pupil in rng.sample(pupils, k=len(pupils) * 30 // 100):
            if rng.random() < 0.3:
                entries.append(ReligionRecord(student=pupil, status=ReligionStatus.DECLINED))
            else:
                entries.append(
                    ReligionRecord(
                        student=pupil, status=ReligionStatus.STATED, religion=rng.choice(religions)
                    )
                )
        ReligionRecord.objects.bulk_create(entries)

    def _family(self, kid: Student, guardian, rng: random.Random) -> None:
        first = guardian(rng.choice(FIRST[Sex.FEMALE]), kid.surname_prefix, kid.surname)
        guardian_link(actor=None, guardian=first, student=kid)
        if rng.random() < 0.6:
            prefix, surname = rng.choice(SURNAMES)
            second = guardian(rng.choice(FIRST[Sex.MALE]), prefix, surname)
            guardian_link(actor=None, guardian=second, student=kid)

    def _former(self, school: School, group: Group, rng: random.Random, year: int) -> None:
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
            bsn=_bsn(rng),
        )
        student.placements.update(started_on=datetime.date(year - 1, 8, 1))
        from students.constants import WithdrawalDestination
        from students.services import student_withdraw

        student_withdraw(
            actor=None,
            student=student,
            on=datetime.date(year - 1, 12, 20),
            destination=WithdrawalDestination.SPECIAL_EDUCATION,
        )
