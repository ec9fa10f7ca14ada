"""The registers: agreements with their derived status, the disclosure register (API, page
and CSV) scoped per school or board, the parents' "who receives my child's data", constant
query counts, and the directors' reminder about expiring agreements."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from suppliers.constants import AgreementModel, AgreementStatus, Basis, LegalGround, RecipientKind
from suppliers.gate import LegalRequest
from suppliers.models import DisclosedPupil, Disclosure, Recipient, Supplier
from suppliers.services import (
    agreement_save,
    agreements_expiring_notify,
    export_build,
    export_request,
    product_save,
)

_NAMES = iter(f"Uitgeverij {n:03d}" for n in range(1, 10_000))


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _today() -> datetime.date:
    return timezone.localdate()


def _agreement(world, *, name=None, attributes=("first_name", "year_group"), **fields):
    supplier = Supplier.objects.create(board=world.school.board, name=name or next(_NAMES))
    product = product_save(
        user=world.users["director"],
        supplier=supplier,
        attribute_reasons={code: "nodig" for code in attributes},
        group_ids=[world.group3.pk],
        name=f"{supplier.name} online",
        purposes="Oefenen",
        retention="1 jaar",
        storage_location="NL",
    )
    today = _today()
    values = {
        "model": AgreementModel.MODEL_4,
        "signed_on": today - datetime.timedelta(days=30),
        "valid_from": today - datetime.timedelta(days=30),
        "valid_until": today + datetime.timedelta(days=365),
        **fields,
    }
    return agreement_save(
        user=world.users["director"],
        supplier=supplier,
        attributes=list(attributes),
        product_ids=[product.pk],
        **values,
    )


def _disclosure(world, *, school=None, created_at=None, basis=Basis.AGREEMENT, label=None):
    """A register row as the gate writes it (without a file)."""
    fields = {"agreement": world.suppliers["agreement"]}
    if basis != Basis.AGREEMENT:
        fields = {"recipient": world.suppliers["recipient"]}
    if basis == Basis.LEGAL_OBLIGATION:
        fields.update(
            legal_ground=LegalGround.BRON_REGISTRATION,
            legal_reference="BRON-7",
            legal_reason="Inschrijving",
        )
    return Disclosure.objects.create(
        school=school or world.school,
        basis=basis,
        recipient_label=label or ("Rekenwijs" if basis == Basis.AGREEMENT else "DUO"),
        attributes=["first_name"],
        pupil_count=1,
        created_by=world.users["director"],
        created_at=created_at or timezone.now(),
        **fields,
    )


def _export(world, **kwargs):
    export = export_request(
        user=world.users["director"], school=world.school, format="csv", **kwargs
    )
    return export_build(export_id=export.pk)


# -- agreements ------------------------------------------------------------------------------


def _with_status(world, status):
    """An agreement whose dates give it this derived status today."""

    def day(offset: int) -> datetime.date:
        return _today() + datetime.timedelta(days=offset)

    fields = {
        AgreementStatus.DRAFT: {"signed_on": None},
        AgreementStatus.ACTIVE: {},
        AgreementStatus.EXPIRING: {"valid_until": day(30)},
        AgreementStatus.EXPIRED: {
            "signed_on": day(-400),
            "valid_from": day(-400),
            "valid_until": day(-1),
        },
        AgreementStatus.TERMINATED: {"terminated_on": day(-1)},
    }[status]
    return _agreement(world, name=f"Status {status}", **fields)


def test_agreement_list_items_carry_status_and_attributes_when_director_asks(world, api):
    made = {status: _with_status(world, status) for status in AgreementStatus.values}
    future = _agreement(
        world,
        name="Status draft (future)",
        valid_from=_today() + datetime.timedelta(days=5),
        signed_on=_today(),
    )
    api.force_login(world.users["director"])

    response = api.get(reverse("api:agreement-list"))

    assert response.status_code == 200
    items = {item["id"]: item for item in response.json()}
    for item in items.values():
        assert {"id", "supplier", "products", "status", "valid_until", "attributes"} <= set(item)
        assert item["status"] in AgreementStatus.values
    for status, agreement in made.items():
        assert items[agreement.pk]["status"] == status, status
        assert items[agreement.pk]["supplier"] == f"Status {status}"
        assert items[agreement.pk]["attributes"] == ["first_name", "year_group"]
        assert [p["name"] for p in items[agreement.pk]["products"]] == [f"Status {status} online"]
    assert items[future.pk]["status"] == AgreementStatus.DRAFT
    rekenwijs = items[world.suppliers["agreement"].pk]
    assert rekenwijs["status"] == AgreementStatus.ACTIVE
    assert rekenwijs["valid_until"] == world.suppliers["agreement"].valid_until.isoformat()
    assert world.suppliers["foreign_agreement"].pk not in items


@pytest.mark.parametrize("role", ["guardian", "guardian_limited"])
def test_agreement_list_forbidden_when_guardian_asks(world, api, role):
    api.force_login(world.users[role])

    assert api.get(reverse("api:agreement-list")).status_code == 403


# -- the disclosure register -----------------------------------------------------------------


def _ids(response) -> set[int]:
    return {item["id"] for item in response.json()["results"]}


def test_disclosure_list_is_paginated_when_more_rows_than_a_page(world, api):
    for _ in range(27):
        _disclosure(world)
    api.force_login(world.users["director"])

    first = api.get(reverse("api:disclosure-list")).json()
    second = api.get(reverse("api:disclosure-list"), {"page": 2}).json()

    assert first["count"] == 27
    assert len(first["results"]) == 25
    assert first["next"]
    assert len(second["results"]) == 2
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    item = first["results"][0]
    assert {
        "id",
        "created_at",
        "school",
        "recipient",
        "basis",
        "attributes",
        "pupil_count",
        "dropped_count",
        "file_checksum",
        "created_by",
    } <= set(item)


def test_disclosure_list_filters_when_basis_recipient_or_period_given(world, api):
    now = timezone.now()
    old = _disclosure(world, created_at=now - datetime.timedelta(days=40))
    duo = _disclosure(world, basis=Basis.LEGAL_OBLIGATION)
    recent = _disclosure(world, label="Rekenwijs / Rekenwijs app")
    api.force_login(world.users["director"])
    url = reverse("api:disclosure-list")
    cutoff = (now - datetime.timedelta(days=10)).date().isoformat()

    assert _ids(api.get(url, {"basis": Basis.LEGAL_OBLIGATION})) == {duo.pk}
    assert _ids(api.get(url, {"basis": Basis.AGREEMENT})) == {old.pk, recent.pk}
    assert _ids(api.get(url, {"recipient": "rekenwijs app"})) == {recent.pk}
    assert _ids(api.get(url, {"recipient": "duo"})) == {duo.pk}
    assert _ids(api.get(url, {"since": cutoff})) == {duo.pk, recent.pk}
    assert _ids(api.get(url, {"until": cutoff})) == {old.pk}
    assert _ids(api.get(url, {"since": cutoff, "basis": Basis.AGREEMENT})) == {recent.pk}
    assert api.get(url, {"since": "gisteren"}).status_code == 400
    assert api.get(url, {"basis": "whim"}).status_code == 400


def test_disclosure_list_newest_first_when_listed(world, api):
    now = timezone.now()
    older = _disclosure(world, created_at=now - datetime.timedelta(days=3))
    newer = _disclosure(world, created_at=now - datetime.timedelta(days=1))
    api.force_login(world.users["director"])

    results = api.get(reverse("api:disclosure-list")).json()["results"]

    assert [r["id"] for r in results] == [newer.pk, older.pk]


def test_privacy_officer_sees_whole_board_when_listing_disclosures(world, api):
    own = _disclosure(world)
    sibling = _disclosure(world, school=world.other_school)
    foreign = Disclosure.objects.create(
        school=world.foreign_school,
        basis=Basis.AGREEMENT,
        agreement=world.suppliers["foreign_agreement"],
        recipient_label="Elders BV",
        attributes=["first_name"],
    )

    api.force_login(world.users["privacy_officer"])
    officer = _ids(api.get(reverse("api:disclosure-list")))
    api.force_login(world.users["director"])
    director = _ids(api.get(reverse("api:disclosure-list")))

    assert officer == {own.pk, sibling.pk}
    assert director == {own.pk}
    assert foreign.pk not in officer | director


@pytest.mark.parametrize("role", ["teacher", "guardian"])
def test_disclosure_list_forbidden_when_role_has_no_register(world, api, client, role):
    _disclosure(world)
    api.force_login(world.users[role])
    client.force_login(world.users[role])

    assert api.get(reverse("api:disclosure-list")).status_code == 403
    assert client.get(reverse("disclosure-list")).status_code == 403
    assert client.get(reverse("disclosure-export")).status_code == 403


def _body(response) -> str:
    """A spreadsheet file: streamed, UTF-8 with a byte order mark (kernel.csvfiles)."""
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_register_csv_has_one_line_per_disclosure_when_downloaded(world, client):
    rekenwijs = _export(
        world, agreement=world.suppliers["agreement"], product=world.suppliers["product"]
    )
    duo = _export(
        world,
        recipient=world.suppliers["recipient"],
        legal=LegalRequest(
            ground=LegalGround.BRON_REGISTRATION,
            reference="BRON-7",
            reason="Inschrijving",
            student_ids=(world.pupil3.pk,),
        ),
    )
    _disclosure(world, school=world.other_school)  # not the director's school
    client.force_login(world.users["director"])

    response = client.get(reverse("disclosure-export"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(_body(response))))
    assert len(rows) == 2
    by_checksum = {row["file_checksum"]: row for row in rows}
    assert set(by_checksum) == {
        rekenwijs.disclosure.file_checksum,
        duo.disclosure.file_checksum,
    }
    row = by_checksum[duo.disclosure.file_checksum]
    assert row["recipient"] == "DUO"
    assert row["basis"] == Basis.LEGAL_OBLIGATION
    assert row["attributes"] == "school_brin bsn"
    assert int(row["pupil_count"]) == duo.pupil_count


def test_register_csv_follows_filters_when_downloaded_filtered(world, client):
    _disclosure(world)
    _disclosure(world, basis=Basis.LEGAL_OBLIGATION)
    client.force_login(world.users["director"])

    response = client.get(reverse("disclosure-export"), {"basis": Basis.LEGAL_OBLIGATION})

    rows = list(csv.DictReader(io.StringIO(_body(response))))
    assert [row["recipient"] for row in rows] == ["DUO"]


def test_register_page_lists_disclosures_when_director_opens_it(world, client):
    _export(world, agreement=world.suppliers["agreement"], product=world.suppliers["product"])
    client.force_login(world.users["director"])

    response = client.get(reverse("disclosure-list"))

    assert response.status_code == 200
    assert "Rekenwijs / Rekenwijs app" in response.content.decode()


# -- who receives my child's data ------------------------------------------------------------


def test_guardian_sees_products_reasons_and_own_childs_disclosures_when_asking(world, api):
    _export(world, agreement=world.suppliers["agreement"], product=world.suppliers["product"])
    board = Recipient.objects.create(
        board=world.school.board,
        kind=RecipientKind.BOARD,
        name="Bestuursbureau",
        legal_basis="Zelfde verantwoordelijke",
        attributes=["first_name"],
    )
    only_pupil5 = _export(world, recipient=board, student_ids=[world.pupil5.pk])
    assert set(only_pupil5.disclosure.pupils.values_list("pk", flat=True)) == {world.pupil5.pk}
    api.force_login(world.users["guardian"])

    response = api.get(reverse("api:student-recipients", args=[world.pupil3.pk]))

    assert response.status_code == 200
    data = response.json()
    products = {p["product"]: p for p in data["products"]}
    assert set(products) == {"Rekenwijs app"}
    rekenwijs = products["Rekenwijs app"]
    assert rekenwijs["supplier"] == "Rekenwijs"
    assert rekenwijs["agreement_status"] == AgreementStatus.ACTIVE
    assert {a["code"]: a["reason"] for a in rekenwijs["attributes"]} == {
        "first_name": "login",
        "group_name": "class",
        "school_brin": "licence",
    }
    assert rekenwijs["purposes"] == "Oefenen"
    assert {r["name"] for r in data["recipients"]} == {"DUO", "Bestuursbureau"}
    assert [d["recipient"] for d in data["disclosures"]] == ["Rekenwijs / Rekenwijs app"]
    assert data["disclosures"][0]["attributes"] == ["first_name", "group_name", "school_brin"]
    assert data["disclosures"][0]["basis"] == Basis.AGREEMENT
    assert DisclosedPupil.objects.filter(student=world.pupil5).count() == 1


def test_guardian_not_found_when_asking_for_another_child(world, api):
    api.force_login(world.users["guardian"])

    assert api.get(reverse("api:student-recipients", args=[world.pupil5.pk])).status_code == 404
    assert api.get(reverse("api:student-recipients", args=["abc"])).status_code == 404


def test_guardian_page_names_product_when_child_recipients_opened(world, client):
    client.force_login(world.users["guardian"])

    response = client.get(reverse("child-recipients", args=[world.pupil3.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Rekenwijs app" in body
    assert "licence" in body


# -- query counts ----------------------------------------------------------------------------


def _queries(http, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("route", ["disclosure-list", "api:disclosure-list"])
def test_disclosure_queries_same_when_one_or_thirty_rows(world, client, api, route):
    http = api if route.startswith("api:") else client
    http.force_login(world.users["director"])
    url = reverse(route)
    _disclosure(world)
    one = _queries(http, url, page_size=50)
    for index in range(29):
        if index % 2:
            _disclosure(world, basis=Basis.LEGAL_OBLIGATION)
        else:
            _disclosure(world)

    thirty = _queries(http, url, page_size=50)

    if route.startswith("api:"):
        assert len(http.get(url, {"page_size": 50}).json()["results"]) == 30
    assert one == thirty, f"{route}: {one} queries for 1 row, {thirty} for 30"


def test_agreement_list_queries_same_when_one_or_thirty_agreements(world, api):
    api.force_login(world.users["director"])
    url = reverse("api:agreement-list")
    one = _queries(api, url)
    for _ in range(29):
        _agreement(world, attributes=("first_name", "last_name", "group_name"))

    thirty = _queries(api, url)

    assert len(api.get(url).json()) == 30
    assert one == thirty, f"{one} queries for 1 agreement, {thirty} for 30"


# -- reminders -------------------------------------------------------------------------------


def test_directors_emailed_when_agreement_expires_within_60_days(world):
    _agreement(world, name="Taalpad", valid_until=_today() + datetime.timedelta(days=30))
    _agreement(world, name="Verlopen", valid_until=_today() - datetime.timedelta(days=3))

    sent = agreements_expiring_notify()

    assert sent == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.users["director"].email]
    assert "Taalpad" in message.body
    assert "Rekenwijs" not in message.body
    assert "Verlopen" not in message.body


def test_nobody_emailed_when_no_agreement_expires_soon(world):
    sent = agreements_expiring_notify()

    assert sent == 0
    assert mail.outbox == []


def test_directors_emailed_when_day_given_brings_agreement_within_60_days(world):
    later = world.suppliers["agreement"].valid_until - datetime.timedelta(days=20)

    sent = agreements_expiring_notify(today=later)

    assert sent == 1
    assert "Rekenwijs" in mail.outbox[0].body
    assert mail.outbox[0].to == [world.users["director"].email]


# -- who disclosed ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["director", "privacy_officer"])
def test_register_names_who_disclosed_on_page_csv_and_api(world, client, api, role):
    director = world.users["director"]
    director.full_name = "Henriëtte Oosterhuis"
    director.save(update_fields=["full_name"])
    by_director = _disclosure(world)
    nobody = _disclosure(world, basis=Basis.CONSENT, label="Inzage")
    Disclosure.objects.filter(pk=nobody.pk).update(created_by=None)  # an access package
    client.force_login(world.users[role])
    api.force_login(world.users[role])

    html = client.get(reverse("disclosure-list")).content.decode()
    rows = list(csv.DictReader(io.StringIO(_body(client.get(reverse("disclosure-export"))))))
    results = api.get(reverse("api:disclosure-list")).json()["results"]

    assert "Henriëtte Oosterhuis" in html
    by_id = {int(row["id"]): row for row in rows}
    assert by_id[by_director.pk]["exported_by"] == "Henriëtte Oosterhuis"
    assert by_id[nobody.pk]["exported_by"] == ""
    names = {item["id"]: item["created_by_name"] for item in results}
    assert names[by_director.pk] == "Henriëtte Oosterhuis"
    assert names[nobody.pk] is None
