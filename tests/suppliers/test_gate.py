"""The disclosure gate: only the agreed attributes leave the school, each pupil under a
pseudonym per recipient; every refusal is a clear error that leaves no trace; restricted pupils
and pupils without consent stay home; files are safe to open and downloadable only by their
requester for a day; every disclosure is recorded once, with the file's checksum."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from audit.models import AccessEvent
from consent.constants import Channel, Decision
from consent.services import consent_record
from students.attributes import ORDINARY_CODES, ordered
from students.edexml.validation import schema
from students.models import Student, school_year_of
from suppliers.api import download_url
from suppliers.constants import AgreementModel, Basis, ExportStatus, LegalGround, RecipientKind
from suppliers.gate import (
    _EXTRACTORS,
    _FIELDS,
    DisclosureRefusedError,
    LegalRequest,
    Plan,
    _values,
    disclose,
)
from suppliers.models import (
    AgreementAttribute,
    DisclosedPupil,
    Disclosure,
    Export,
    ProductAttribute,
    Recipient,
    Supplier,
)
from suppliers.services import agreement_save, export_build, export_request, product_save
from tests.students.factories import GroupFactory, StudentFactory

_SUPPLIER_NAMES = iter(f"Leverancier {n}" for n in range(1, 10_000))


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Export files go to a temporary folder, not the project's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


# -- helpers ---------------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def _supplier(
    world,
    *,
    agreed=("first_name", "group_name", "school_brin"),
    offered=None,
    groups=None,
    **agreement_fields,
):
    """A supplier of the world's board with one product (used by Groep 3 unless told) and an
    agreement (active for a year unless told)."""
    supplier = Supplier.objects.create(board=world.school.board, name=next(_SUPPLIER_NAMES))
    offered = agreed if offered is None else offered
    product = product_save(
        user=world.users["director"],
        supplier=supplier,
        attribute_reasons={code: f"nodig voor {code}" for code in offered},
        group_ids=[g.pk for g in (groups if groups is not None else [world.group3])],
        name=f"{supplier.name} app",
        purposes="Oefenen",
        retention="1 jaar",
        storage_location="NL",
    )
    today = _today()
    fields = {
        "model": AgreementModel.MODEL_4,
        "signed_on": today - datetime.timedelta(days=10),
        "valid_from": today - datetime.timedelta(days=10),
        "valid_until": today + datetime.timedelta(days=365),
        **agreement_fields,
    }
    agreement = agreement_save(
        user=world.users["director"],
        supplier=supplier,
        attributes=list(agreed),
        product_ids=[product.pk],
        **fields,
    )
    return supplier, product, agreement


def _recipient(world, kind=RecipientKind.BOARD, attributes=("first_name",), **fields):
    return Recipient.objects.create(
        board=world.school.board,
        kind=kind,
        name=fields.pop("name", f"Ontvanger {kind}"),
        legal_basis="Wet",
        attributes=list(attributes),
        **fields,
    )


def _legal(*pupils, ground=LegalGround.BRON_REGISTRATION) -> LegalRequest:
    """What a disclosure on a legal obligation names: these pupils, the ground, a reference
    and a reason."""
    return LegalRequest(
        ground=ground,
        reference="REF-2025-042",
        reason="Melding zoals de wet vraagt",
        student_ids=tuple(p.pk for p in pupils),
    )


def _export(world, *, user=None, school=None, format="csv", **targets) -> Export:
    """Request an export and build it, as the queued job would."""
    export = export_request(
        user=user or world.users["director"],
        school=school or world.school,
        format=format,
        **targets,
    )
    return export_build(export_id=export.pk)


def _content(export: Export) -> bytes:
    with export.file.open("rb") as handle:
        return handle.read()


def _csv(export: Export) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_content(export).decode("utf-8"))))


def _pseudonyms(export: Export) -> dict[int, str]:
    return dict(
        DisclosedPupil.objects.filter(disclosure=export.disclosure).values_list(
            "student_id", "pseudonym"
        )
    )


def _rekenwijs(world) -> dict:
    return {
        "agreement": world.suppliers["agreement"],
        "product": world.suppliers["product"],
    }


# -- minimisation ----------------------------------------------------------------------------

# A distinctive value of the marked pupil for each attribute it can be recognised by.
_MARKERS = {
    "first_name": "Qwintijn",
    "last_name": "Zwanenburgh",
    "initials": "Q.Y.",
    "date_of_birth": "2018-02-17",
    "group_name": "Groep 3",
    "school_brin": "12AB",
    "teacher_name": "Xylofoon",
    "teacher_email": "teacher3@t.example",
    "address": "Kwartelpad",
    "guardian_name": "Ouderwyck",
    "guardian_email": "parent@t.example",
    "bsn": "111222333",
    "enrolled_on": "2022-08-29",
}


@pytest.fixture
def marked(world):
    """Groep 3's pupil with values that cannot be mistaken for another attribute's."""
    pupil = world.pupil3
    pupil.given_name = "Qwintijn"
    pupil.first_names = "Qwintijn Yorick"
    pupil.surname = "Zwanenburgh"
    pupil.surname_prefix = ""
    pupil.date_of_birth = datetime.date(2018, 2, 17)
    pupil.enrolled_on = datetime.date(2022, 8, 29)
    pupil.street = "Kwartelpad"
    pupil.save()
    teacher = world.users["teacher"]
    teacher.full_name = "Juf Xylofoon"
    teacher.save()
    guardian = world.users["guardian"].guardian
    guardian.surname = "Ouderwyck"
    guardian.save()
    return pupil


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    agreed=st.sets(st.sampled_from(ORDINARY_CODES)),
    offered=st.sets(st.sampled_from(ORDINARY_CODES)),
)
def test_only_agreed_and_offered_attributes_leave_when_exporting_csv(
    world, marked, agreed, offered
):
    _, product, agreement = _supplier(world, agreed=sorted(agreed), offered=sorted(offered))
    shared = ordered(agreed & offered)
    exports_before = Export.objects.count()
    if not shared:
        with pytest.raises(DisclosureRefusedError):
            export_request(
                user=world.users["director"],
                school=world.school,
                format="csv",
                agreement=agreement,
                product=product,
            )
        assert Export.objects.count() == exports_before
        return

    export = _export(world, agreement=agreement, product=product)

    rows = _csv(export)
    assert rows[0] == ["pseudonym", *shared]
    assert export.attributes == shared
    assert export.disclosure.attributes == shared
    body = [row for row in rows[1:] if row]
    assert len(body) == 1  # the product is used by Groep 3 only: the marked pupil
    cells = body[0][1:]
    for code, marker in _MARKERS.items():
        if code in shared:
            continue
        leaked = [cell for cell in cells if marker in cell]
        assert not leaked, f"{code} ({marker}) leaked with {shared}: {leaked}"
    if "bsn" not in shared:
        assert "111222333" not in _content(export).decode()


@pytest.mark.parametrize("code", sorted(_EXTRACTORS))
def test_each_attribute_reads_only_loaded_fields_and_no_query_per_pupil_when_passing_the_gate(
    world, marked, code
):
    # The gate loads only the fields of the attributes it sends (gate._FIELDS): a missing
    # field would be read pupil by pupil, or not at all.
    plan = Plan(
        school=world.school,
        basis=Basis.ACCESS_RIGHT,
        attributes=[code],
        recipient_key="test",
        recipient_label="test",
    )

    def passed() -> tuple[dict[int, dict], int]:
        run = disclose(actor=world.users["director"], plan=plan)
        with CaptureQueriesContext(connection) as queries:
            rows = list(run.rows())
        by_pupil = dict(zip(run.disclosed_ids, rows, strict=True))
        return by_pupil, len(queries.captured_queries)

    rows, queries = passed()
    for _ in range(3):
        StudentFactory.create(group=world.group3)
    more_rows, more_queries = passed()

    assert set(_FIELDS) == set(_EXTRACTORS)
    assert more_queries == queries
    assert len(more_rows) == len(rows) + 3
    for pk, row in more_rows.items():
        whole = Student.objects.select_related("school", "group").get(pk=pk)
        assert row[code] == _values(whole, [code])[code]
    assert (
        rows[world.pupil3.pk][code]
        == _values(Student.objects.get(pk=world.pupil3.pk), [code])[code]
    )


def test_columns_follow_catalogue_order_when_agreement_lists_them_in_another_order(world):
    _, product, agreement = _supplier(
        world, agreed=["school_brin", "bsn", "first_name", "year_group", "last_name"]
    )

    export = _export(world, agreement=agreement, product=product)

    assert _csv(export)[0] == [
        "pseudonym",
        "first_name",
        "last_name",
        "year_group",
        "school_brin",
        "bsn",
    ]


# -- pseudonyms ------------------------------------------------------------------------------


def test_same_pseudonym_when_one_pupil_goes_twice_to_one_supplier(world):
    first = _export(world, **_rekenwijs(world))
    second = _export(world, **_rekenwijs(world))

    assert first.disclosure_id != second.disclosure_id
    assert _pseudonyms(first) == _pseudonyms(second)
    assert _pseudonyms(first)[world.pupil3.pk] == _csv(second)[1][0]


def test_different_pseudonyms_when_pupil_goes_to_different_suppliers_and_recipients(world):
    _, product, agreement = _supplier(world)
    duo = world.suppliers["recipient"]
    board = _recipient(world, RecipientKind.BOARD, ["first_name"])

    seen = [
        _pseudonyms(_export(world, **_rekenwijs(world)))[world.pupil3.pk],
        _pseudonyms(_export(world, agreement=agreement, product=product))[world.pupil3.pk],
        _pseudonyms(_export(world, recipient=duo, legal=_legal(world.pupil3)))[world.pupil3.pk],
        _pseudonyms(_export(world, recipient=board))[world.pupil3.pk],
    ]

    assert len(set(seen)) == 4, seen


def test_pseudonym_neither_is_nor_contains_pupil_id_when_exported(world):
    pupil = StudentFactory.create(id=987654321, group=world.group3, given_name="Lotte")

    export = _export(world, **_rekenwijs(world))

    pseudonym = _pseudonyms(export)[pupil.pk]
    assert pseudonym != str(pupil.pk)
    assert str(pupil.pk) not in pseudonym
    assert len(pseudonym) >= 16
    in_file = {row[0] for row in _csv(export)[1:] if row}
    assert pseudonym in in_file
    assert str(pupil.pk) not in _content(export).decode()


def test_disclosed_pupils_hold_file_pseudonyms_when_export_is_built(world):
    StudentFactory.create(group=world.group3)

    export = _export(world, **_rekenwijs(world))

    in_file = {row[0] for row in _csv(export)[1:] if row}
    assert set(_pseudonyms(export).values()) == in_file
    assert len(in_file) == 2


# -- refusals --------------------------------------------------------------------------------


def _assert_refused(world, expected_words, **kwargs):
    disclosures, exports = Disclosure.objects.count(), Export.objects.count()
    with translation.override("en"), pytest.raises(DisclosureRefusedError) as refused:
        export_request(
            user=world.users["director"],
            school=world.school,
            format=kwargs.pop("format", "csv"),
            **kwargs,
        )
    message = str(refused.value.message)
    for word in expected_words:
        assert word.lower() in message.lower(), message
    assert Disclosure.objects.count() == disclosures
    assert Export.objects.count() == exports
    return message


def test_refused_without_trace_when_agreement_expired(world):
    today = _today()
    supplier, product, agreement = _supplier(
        world,
        valid_from=today - datetime.timedelta(days=400),
        signed_on=today - datetime.timedelta(days=400),
        valid_until=today - datetime.timedelta(days=1),
    )

    _assert_refused(world, [supplier.name, "expired"], agreement=agreement, product=product)


def test_refused_without_trace_when_agreement_terminated(world):
    supplier, product, agreement = _supplier(
        world, terminated_on=_today() - datetime.timedelta(days=1)
    )

    _assert_refused(world, [supplier.name, "terminated"], agreement=agreement, product=product)


def test_refused_without_trace_when_agreement_is_unsigned_draft(world):
    supplier, product, agreement = _supplier(world, signed_on=None)

    _assert_refused(world, [supplier.name, "draft"], agreement=agreement, product=product)


def test_refused_without_trace_when_product_not_in_agreement(world):
    supplier, _, agreement = _supplier(world)
    other = product_save(
        user=world.users["director"],
        supplier=supplier,
        attribute_reasons={"first_name": "login"},
        group_ids=[world.group3.pk],
        name="Niet afgesproken",
        purposes="Oefenen",
        retention="1 jaar",
        storage_location="NL",
    )

    _assert_refused(world, ["not covered"], agreement=agreement, product=other)


@pytest.mark.parametrize("special", ["care_records", "religion"])
def test_refused_without_trace_when_recipient_asks_special_category(world, special):
    recipient = _recipient(world, RecipientKind.BOARD, ["first_name", special])

    _assert_refused(world, ["special-category", special], recipient=recipient)


def test_refused_without_trace_when_no_basis_given(world):
    _assert_refused(world, ["no basis"])


def test_refused_without_trace_when_agreement_of_another_board(world):
    _assert_refused(
        world,
        ["another school board"],
        agreement=world.suppliers["foreign_agreement"],
        product=world.suppliers["foreign_product"],
    )


def test_api_answers_400_with_detail_and_creates_nothing_when_agreement_expired(world, api):
    today = _today()
    supplier, product, agreement = _supplier(
        world,
        signed_on=today - datetime.timedelta(days=400),
        valid_from=today - datetime.timedelta(days=400),
        valid_until=today - datetime.timedelta(days=1),
    )
    api.force_login(world.users["director"])
    exports = Export.objects.count()

    response = api.post(
        reverse("api:export-create"),
        {"agreement": agreement.pk, "product": product.pk, "format": "csv"},
        format="json",
    )

    assert response.status_code == 400
    assert supplier.name in response.json()["detail"]
    assert Export.objects.count() == exports
    assert not Disclosure.objects.exists()


def test_page_shows_alert_and_creates_nothing_when_agreement_expired(world, client):
    today = _today()
    supplier, product, agreement = _supplier(
        world,
        signed_on=today - datetime.timedelta(days=400),
        valid_from=today - datetime.timedelta(days=400),
        valid_until=today - datetime.timedelta(days=1),
    )
    client.force_login(world.users["director"])
    exports = Export.objects.count()

    response = client.post(
        reverse("export-list"),
        {"school": world.school.pk, "target": f"a{agreement.pk}:p{product.pk}", "format": "csv"},
        follow=True,
    )

    assert response.redirect_chain[0][1] == 303  # post/redirect/get: a refresh sends nothing
    assert 'role="alert"' in response.content.decode()
    assert supplier.name in response.content.decode()
    assert Export.objects.count() == exports


@pytest.mark.parametrize("special", ["care_records", "religion"])
def test_database_refuses_special_category_when_product_attribute_created(world, special):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductAttribute.objects.create(
            product=world.suppliers["product"], attribute=special, reason="zorg"
        )


@pytest.mark.parametrize("special", ["care_records", "religion"])
def test_database_refuses_special_category_when_agreement_attribute_created(world, special):
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementAttribute.objects.create(agreement=world.suppliers["agreement"], attribute=special)


def test_services_refuse_special_category_when_saving_product_or_agreement(world):
    supplier = world.suppliers["supplier"]
    with pytest.raises(DisclosureRefusedError):
        product_save(
            user=world.users["director"],
            supplier=supplier,
            attribute_reasons={"care_records": "zorg"},
            group_ids=[],
            name="Zorgapp",
            purposes="Zorg",
            retention="1 jaar",
            storage_location="NL",
        )
    with pytest.raises(DisclosureRefusedError):
        agreement_save(
            user=world.users["director"],
            supplier=supplier,
            attributes=["religion"],
            product_ids=[],
            model=AgreementModel.MODEL_4,
        )


# -- consent and restriction -----------------------------------------------------------------


def _consent_recipient(world):
    return _recipient(
        world,
        RecipientKind.CONSENT,
        ["first_name", "group_name"],
        name="BSO De Speeltuin",
        consent_purpose_code="data_sharing",
    )


def _grant(world, student, guardian_user):
    consent_record(
        student=student,
        purpose=world.school.purposes.get(code="data_sharing"),
        guardian_id=guardian_user.guardian.pk,
        decision=Decision.GRANTED,
        channel=Channel.PORTAL,
        recorded_by=guardian_user,
    )


def test_consent_recipient_gets_only_pupils_with_consent_when_exporting(world):
    recipient = _consent_recipient(world)
    _grant(world, world.pupil3, world.users["guardian"])

    export = _export(world, recipient=recipient)

    assert set(_pseudonyms(export)) == {world.pupil3.pk}
    assert export.pupil_count == 1
    assert export.dropped_count == 1  # pupil5: no decision, so no consent
    assert export.disclosure.basis == Basis.CONSENT
    assert export.disclosure.dropped_count == 1
    assert len([row for row in _csv(export)[1:] if row]) == 1


def test_consent_recipient_gets_nobody_when_no_consent_recorded(world):
    export = _export(world, recipient=_consent_recipient(world))

    assert export.pupil_count == 0
    assert export.dropped_count == 2
    assert _csv(export) == [["pseudonym", "first_name", "group_name"]]


def test_consent_recipient_loses_pupil_when_consent_withdrawn(world):
    recipient = _consent_recipient(world)
    _grant(world, world.pupil3, world.users["guardian"])
    consent_record(
        student=world.pupil3,
        purpose=world.school.purposes.get(code="data_sharing"),
        guardian_id=world.users["guardian"].guardian.pk,
        decision=Decision.WITHDRAWN,
        channel=Channel.PORTAL,
        recorded_by=world.users["guardian"],
    )

    export = _export(world, recipient=recipient)

    assert export.pupil_count == 0
    assert export.dropped_count == 2


def _restricted_world(world):
    """Groep 3's pupil restricted (after consent was given), next to an unrestricted one."""
    _grant(world, world.pupil3, world.users["guardian"])
    world.pupil3.processing_restricted = True
    world.pupil3.save()
    return StudentFactory.create(group=world.group3)


@pytest.mark.parametrize("target", ["agreement", "board", "consent"])
def test_restricted_pupil_left_out_and_counted_when_exporting_without_legal_duty(world, target):
    companion = _restricted_world(world)
    targets = {
        "agreement": _rekenwijs(world),
        "board": {"recipient": _recipient(world, RecipientKind.BOARD)},
        "consent": {"recipient": _consent_recipient(world)},
    }[target]

    export = _export(world, **targets)

    disclosed = set(_pseudonyms(export))
    assert world.pupil3.pk not in disclosed
    assert export.dropped_count >= 1
    assert export.pupil_count == len(disclosed)
    if target != "consent":  # the companion has no consent
        assert companion.pk in disclosed
        assert export.dropped_count == 1


@pytest.mark.parametrize("kind", [RecipientKind.DUO, RecipientKind.ATTENDANCE_OFFICER])
def test_restricted_pupil_still_disclosed_when_law_requires_it(world, kind):
    # README: restricted pupils are left out "except for a legal obligation" (AVG art. 18(2)).
    companion = _restricted_world(world)
    recipient = _recipient(world, kind, ["bsn", "school_brin"])
    ground = {
        RecipientKind.DUO: LegalGround.BRON_REGISTRATION,
        RecipientKind.ATTENDANCE_OFFICER: LegalGround.ABSENCE_REPORT,
    }[kind]

    export = _export(
        world, recipient=recipient, legal=_legal(world.pupil3, companion, ground=ground)
    )

    assert export.disclosure.basis == Basis.LEGAL_OBLIGATION
    assert {world.pupil3.pk, companion.pk} <= set(_pseudonyms(export))
    assert export.dropped_count == 0


# -- a file for the supplier's system is written exactly ----------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", " ="])
def test_name_written_exactly_when_it_starts_like_a_formula(world, start):
    # The file is for the supplier's system (kernel.csvfiles, machine mode): a leading
    # quote would change the pupil's name there. Spreadsheet files are tests/test_csv_files.py.
    name = f'{start}HYPERLINK("http://evil.example","klik")'
    world.pupil3.given_name = name
    world.pupil3.save()

    export = _export(world, **_rekenwijs(world))

    rows = _csv(export)
    column = rows[0].index("first_name")
    assert [row[column] for row in rows[1:] if row] == [name]


# -- formats ---------------------------------------------------------------------------------


def test_json_export_parses_with_same_pupils_when_built(world):
    StudentFactory.create(group=world.group3)
    as_csv = _export(world, **_rekenwijs(world))

    as_json = _export(world, format="json", **_rekenwijs(world))

    data = json.loads(_content(as_json))
    assert data["attributes"] == ["pseudonym", "first_name", "group_name", "school_brin"]
    assert {p["pseudonym"] for p in data["pupils"]} == {r[0] for r in _csv(as_csv)[1:] if r}
    assert {p["pseudonym"] for p in data["pupils"]} == set(_pseudonyms(as_json).values())
    assert all(set(p) == set(data["attributes"]) for p in data["pupils"])
    assert as_json.pupil_count == 2


EDEXML_CODES = [
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "year_group",
    "group_name",
    "school_brin",
]


def test_edexml_export_validates_against_schema_when_school_year_is_2024(world):
    with freeze_time("2024-10-01"):
        group = GroupFactory.create(school=world.school, name="Groep 4", year_group_low=4)
        assert group.school_year == 2024
        pupils = [
            StudentFactory.create(group=group, surname="Berg", surname_prefix="van den"),
            StudentFactory.create(group=group, sex="M"),
        ]
        _, product, agreement = _supplier(world, agreed=EDEXML_CODES, groups=[group])

        export = _export(world, format="edexml", agreement=agreement, product=product)

        document = etree.fromstring(_content(export))
    xsd = schema()
    assert xsd.validate(document), xsd.error_log
    assert export.status == ExportStatus.DONE
    assert export.pupil_count == 2
    keys = {element.get("key") for element in document.iter("leerling")}
    assert keys == set(_pseudonyms(export).values())
    assert set(_pseudonyms(export)) == {p.pk for p in pupils}
    assert document.findtext("school/schooljaar") == "2024-2025"


def test_edexml_request_refused_readably_when_school_year_not_in_schema(world):
    with freeze_time("2031-10-01"):  # after 2030-2031, the last year the shipped schema knows
        _, product, agreement = _supplier(world, agreed=EDEXML_CODES)
        year = school_year_of(timezone.localdate())

        message = _assert_refused(
            world, ["EDEXML"], format="edexml", agreement=agreement, product=product
        )

    assert f"{year}-{year + 1}" == "2031-2032"
    assert "2031-2032" in message
    assert "2030-2031" in message


# -- the record ------------------------------------------------------------------------------


def test_disclosure_records_who_what_whom_and_checksum_when_export_done(world):
    extra = StudentFactory.create(group=world.group3)

    export = _export(world, **_rekenwijs(world))

    disclosure = export.disclosure
    content = _content(export)
    assert disclosure.agreement == world.suppliers["agreement"]
    assert disclosure.product == world.suppliers["product"]
    assert "Rekenwijs" in disclosure.recipient_label
    assert disclosure.basis == Basis.AGREEMENT
    assert disclosure.attributes == ["first_name", "group_name", "school_brin"]
    assert disclosure.pupil_count == 2
    assert disclosure.created_by == world.users["director"]
    assert disclosure.school == world.school
    assert disclosure.file_checksum == hashlib.sha256(content).hexdigest()
    links = DisclosedPupil.objects.filter(disclosure=disclosure)
    assert sorted(links.values_list("student_id", flat=True)) == sorted([world.pupil3.pk, extra.pk])
    assert export.status == ExportStatus.DONE
    assert export.pupil_count == 2


def test_disclosure_names_recipient_and_legal_basis_when_sent_to_duo(world):
    duo = world.suppliers["recipient"]

    export = _export(
        world, recipient=duo, user=world.users["administration"], legal=_legal(world.pupil3)
    )

    disclosure = export.disclosure
    assert disclosure.recipient == duo
    assert disclosure.recipient_label == "DUO"
    assert disclosure.basis == Basis.LEGAL_OBLIGATION
    assert disclosure.legal_ground == LegalGround.BRON_REGISTRATION
    assert disclosure.attributes == ["school_brin", "bsn"]
    assert disclosure.created_by == world.users["administration"]
    assert (
        disclosure.pupil_count
        == 1
        == DisclosedPupil.objects.filter(disclosure=disclosure, student=world.pupil3).count()
        == DisclosedPupil.objects.filter(disclosure=disclosure).count()
    )
    assert disclosure.file_checksum == hashlib.sha256(_content(export)).hexdigest()


def test_one_disclosure_when_export_built_twice(world):
    export = export_request(
        user=world.users["director"], school=world.school, format="csv", **_rekenwijs(world)
    )

    first = export_build(export_id=export.pk)
    second = export_build(export_id=export.pk)

    assert first.disclosure_id == second.disclosure_id
    assert Disclosure.objects.count() == 1
    assert DisclosedPupil.objects.count() == 1


def test_export_failed_with_reason_and_no_disclosure_when_agreement_ends_before_build(world):
    _, product, agreement = _supplier(world)
    export = export_request(
        user=world.users["director"],
        school=world.school,
        format="csv",
        agreement=agreement,
        product=product,
    )
    agreement.terminated_on = _today()
    agreement.save()

    with translation.override("en"), pytest.raises(DisclosureRefusedError):
        export_build(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert "terminated" in export.error.lower()
    assert export.disclosure is None
    assert not export.file
    assert not Disclosure.objects.exists()


def test_export_done_once_when_page_queues_it_and_job_runs_again(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.users["director"])
    target = f"a{world.suppliers['agreement'].pk}:p{world.suppliers['product'].pk}"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("export-list"),
            {"school": world.school.pk, "target": target, "format": "csv"},
        )

    assert response.status_code == 302
    export = Export.objects.filter(requested_by=world.users["director"]).latest("pk")
    assert response.url == reverse("export-detail", args=[export.pk])
    assert export.status == ExportStatus.DONE
    export_build(export_id=export.pk)
    assert Disclosure.objects.count() == 1


# -- download --------------------------------------------------------------------------------


@pytest.fixture
def built(world, api, django_capture_on_commit_callbacks):
    """The director's Rekenwijs CSV, queued through the API and built on commit."""
    api.force_login(world.users["director"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("api:export-create"),
            {
                "agreement": world.suppliers["agreement"].pk,
                "product": world.suppliers["product"].pk,
                "format": "csv",
            },
            format="json",
        )
    assert response.status_code == 202
    export = Export.objects.get(pk=response.json()["id"])
    assert export.status == ExportStatus.DONE
    link = api.get(reverse("api:export-detail", args=[export.pk])).json()["download_url"]
    assert link
    return export, link


def _downloads(export) -> int:
    return AccessEvent.objects.filter(
        action="export", object_id=str(export.pk), outcome="allowed", object_type="export_download"
    ).count()


def test_requester_gets_file_as_attachment_when_link_valid(world, client, built):
    export, link = built
    client.force_login(world.users["director"])

    response = client.get(link)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content)
    assert body == _content(export)
    assert hashlib.sha256(body).hexdigest() == export.disclosure.file_checksum
    assert body.decode().splitlines()[0] == "pseudonym,first_name,group_name,school_brin"


def test_each_download_recorded_as_export_event_when_requester_downloads(world, client, built):
    export, link = built
    client.force_login(world.users["director"])
    before = _downloads(export)

    for _ in range(2):
        response = client.get(link)
        assert response.status_code == 200
        b"".join(response.streaming_content)

    assert _downloads(export) == before + 2
    event = AccessEvent.objects.filter(object_type="export_download").latest("id")
    assert event.actor_id == world.users["director"].pk
    assert event.school_id == world.school.pk


def test_not_found_when_colleague_uses_requesters_link(world, client, built):
    export, link = built
    client.force_login(world.users["administration"])

    assert client.get(link).status_code == 404
    assert client.get(reverse("export-detail", args=[export.pk])).status_code == 404
    assert _downloads(export) == 0


def test_not_found_when_link_expired(world, client, built):
    export, link = built

    with freeze_time(export.expires_at + datetime.timedelta(minutes=1)):
        client.force_login(world.users["director"])
        response = client.get(link)

    assert response.status_code == 404
    assert _downloads(export) == 0


def test_file_still_served_when_link_used_just_before_expiry(world, client, built):
    export, link = built

    with freeze_time(export.expires_at - datetime.timedelta(minutes=1)):
        client.force_login(world.users["director"])
        response = client.get(link)

    assert response.status_code == 200
    b"".join(response.streaming_content)


def test_not_found_when_token_tampered(world, client, built):
    export, link = built
    client.force_login(world.users["director"])
    token = link.rstrip("/").rsplit("/", 1)[-1]
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    other_user = download_url(export, world.users["administration"])

    assert client.get(link.replace(token, flipped)).status_code == 404
    assert client.get(link.replace(token, "not-a-token")).status_code == 404
    assert client.get(other_user).status_code == 404
    assert _downloads(export) == 0
