"""The demo's suppliers and recipients: three learning-material suppliers with a product and an
agreement each (one expired), the recipients that are not processors, one export in the
disclosure register and the two disclosures the law requires."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from admissions.services.funding import duo_recipient_ensure
from students.models import Board, Group, School, Student
from suppliers.constants import AgreementModel, ExportFormat, LegalGround, RecipientKind
from suppliers.models import Agreement, Export, Recipient, Supplier
from suppliers.services import agreement_save, export_build, product_save

from .people import DOMAIN, user_of


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
    used by the board-scale bench (bench/generate.py)."""
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
    after-school care (on consent). Also used by the board-scale bench (bench/generate.py)."""
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
            [],  # what a funding registration needs (admissions.services.funding)
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
        if kind == RecipientKind.DUO:
            # Every board has it from its first school on (onboarding.services, for the
            # funding registrations); the demo's description of the basis is kept.
            recipient = duo_recipient_ensure(board=board)
            recipient.name, recipient.legal_basis = name, basis
            recipient.save(update_fields=["name", "legal_basis"])
            continue
        Recipient.objects.create(
            board=board,
            kind=kind,
            name=name,
            legal_basis=basis,
            consent_purpose_code=purpose,
            attributes=attributes,
        )


def suppliers_load(*, board: Board, samen: School, year: int) -> None:
    """Three fictional suppliers (one agreement expired), and the recipients that are not
    processors: the board, the attendance officer, DUO, and an after-school care centre
    that receives data only with the guardians' consent."""
    director = user_of("directeur")
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


def disclosure_load(school: School) -> None:
    """One export to Rekenwijs already in the disclosure register (built here, not by a
    job), so a breach can take its pupils from the evidence."""
    agreement = (
        Agreement.objects.filter(supplier__name__startswith="Rekenwijs")
        .prefetch_related("products")
        .first()
    )
    if agreement is None:
        return
    export = Export.objects.create(
        school=school,
        requested_by=user_of("administratie"),
        agreement=agreement,
        product=agreement.products.first(),
        format=ExportFormat.CSV,
    )
    export_build(export_id=export.pk)


def legal_disclosures_load(school: School, *, child3: Student, child5: Student) -> None:
    """Two disclosures the law requires, through the gate: the enrolment of the Groep 3
    child registered with DUO (its guardians see it, with the law in words), and a
    Meldcode report about the Groep 5 child to Veilig Thuis that the director withheld
    from the guardians (they see it nowhere)."""
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
