"""The register of processing activities (AVG art. 30) is generated from what the portal holds:
every supplier product in use under a valid agreement, every retention rule and every active
consent purpose of the caller's schools, transfers outside the EEA and the maintained security
measures; nothing the portal does not hold."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from freezegun import freeze_time

from registers.models import SecurityMeasures
from registers.register import processing_register
from registers.selectors import register_schools_for
from retention.services import rule_update, rules_for, rules_seed
from suppliers.constants import AgreementModel
from suppliers.models import Supplier
from suppliers.services import agreement_save, product_save


def _product(world, name, *, board=None, agreement: dict | None = None, **fields):
    """A supplier of the board (or another board) with one product and, unless ``agreement``
    is None, an agreement covering it (signed a year ago; the dict overrides dates)."""
    board = board or world.school.board
    supplier = Supplier.objects.create(board=board, name=name)
    product = product_save(
        user=None,
        supplier=supplier,
        group_ids=[world.group3.pk],
        name=f"{name} online",
        attribute_reasons={"first_name": "inloggen", "group_name": "klas"},
        purposes="Oefenen met rekenen",
        retention=fields.pop("retention", "Tot een jaar na het laatste gebruik"),
        storage_location=fields.pop("storage_location", "Nederland"),
        **fields,
    )
    if agreement is not None:
        today = timezone.localdate()
        agreement_save(
            user=None,
            supplier=supplier,
            attributes=["first_name", "group_name"],
            product_ids=[product.pk],
            **{
                "model": AgreementModel.MODEL_4,
                "signed_on": today - datetime.timedelta(days=365),
                "valid_from": today - datetime.timedelta(days=365),
                "valid_until": today + datetime.timedelta(days=365),
                **agreement,
            },
        )
    return product


@pytest.fixture
def portal(world):
    """Products in every state, purposes with one switched off, saved retention rules."""
    today = timezone.localdate()
    products = {
        "active": world.suppliers["product"],  # Rekenwijs, agreement valid for a year
        "expiring": _product(
            world, "Taalkracht", agreement={"valid_until": today + datetime.timedelta(days=20)}
        ),
        "outside_eea": _product(
            world,
            "Leesapp",
            agreement={},
            storage_location="Verenigde Staten (AWS us-east-1)",
            outside_eea=True,
        ),
        "expired": _product(
            world, "Oudmethode", agreement={"valid_until": today - datetime.timedelta(days=1)}
        ),
        "terminated": _product(
            world, "Opgezegd", agreement={"terminated_on": today - datetime.timedelta(days=3)}
        ),
        "unsigned": _product(world, "Concept", agreement={"signed_on": None}),
        "no_agreement": _product(world, "Zonderovereenkomst"),
        "foreign": world.suppliers["foreign_product"],  # another board, valid agreement
    }
    newsletter = world.school.purposes.get(code="newsletter")
    newsletter.is_active = False
    newsletter.save(update_fields=["is_active"])
    rules = {rule.category: rule for rule in rules_seed(school=world.school)}
    rule_update(
        user=world.users["director"],
        rule=rules["pupil_file"],
        period_months=18,
        action="delete",
        enabled=True,
    )
    return products


def _register(user) -> dict:
    with translation.override("en"):
        return processing_register(schools=register_schools_for(user))


def _purposes(register) -> list[str]:
    return [activity["purpose"] for activity in register["activities"]]


def _product_activities(register) -> dict[str, dict]:
    return {
        activity["purpose"].split(" / ", 1)[1]: activity
        for activity in register["activities"]
        if activity["purpose"].startswith("Learning materials: ")
    }


@pytest.mark.parametrize("role", ["director", "privacy_officer"])
def test_register_lists_exactly_the_products_in_use_when_agreements_are_in_every_state(
    world, portal, role
):
    register = _register(world.users[role])

    listed = set(_product_activities(register))

    assert listed == {portal[key].name for key in ("active", "expiring", "outside_eea")}, (
        "only products under an active or expiring agreement of the board"
    )
    text = str(register)
    for key in ("expired", "terminated", "unsigned", "no_agreement", "foreign"):
        assert portal[key].name not in text, key
    assert world.suppliers["foreign_supplier"].name not in text


def test_product_activity_names_the_supplier_categories_and_retention_when_listed(world, portal):
    register = _register(world.users["director"])

    activity = _product_activities(register)[portal["expiring"].name]

    assert activity["recipients"] == ["Taalkracht"]
    assert activity["retention"] == ["Tot een jaar na het laatste gebruik"]
    assert activity["description"] == "Oefenen met rekenen"
    assert activity["categories"] == [
        "Name, first names, initials, sex, date of birth",
        "Organisation of education and learning materials",
    ]
    learning = register["activities"][0]
    assert set(learning["recipients"]) == {
        f"{portal[key].supplier.name} / {portal[key].name}"
        for key in ("active", "expiring", "outside_eea")
    }


def test_storage_location_is_shown_outside_the_eea_when_the_product_stores_data_there(
    world, portal
):
    register = _register(world.users["privacy_officer"])

    products = _product_activities(register)

    assert products[portal["outside_eea"].name]["outside_eea"] == [
        "Verenigde Staten (AWS us-east-1)"
    ]
    assert products[portal["active"].name]["outside_eea"] == []
    assert products[portal["expiring"].name]["outside_eea"] == []


@pytest.mark.parametrize(
    ("role", "schools"),
    [("director", ["school"]), ("privacy_officer", ["school", "other_school"])],
)
def test_register_holds_every_retention_rule_of_the_callers_schools_and_no_other(
    world, portal, role, schools
):
    register = _register(world.users[role])

    expected = sorted(
        (rule.school.name, rule.category, rule.period_months, rule.action, rule.enabled)
        for name in schools
        for rule in rules_for(school=getattr(world, name))
    )
    listed = sorted(
        (r["school"], r["category"], r["period_months"], r["action"], r["enabled"])
        for r in register["retention_rules"]
    )
    assert listed == expected
    assert ("OBS Samen Een", "pupil_file", 18, "delete", True) in listed  # the saved rule
    assert world.foreign_school.name not in str(register)
    in_register = sorted((getattr(world, name) for name in schools), key=lambda s: s.name)
    assert [s["id"] for s in register["schools"]] == [school.pk for school in in_register]


def test_pupil_file_retention_of_the_school_is_on_the_learning_activity_when_saved(world, portal):
    register = _register(world.users["director"])

    learning = register["activities"][0]

    assert any("OBS Samen Een" in line and "18 months" in line for line in learning["retention"]), (
        learning["retention"]
    )


def test_active_consent_purposes_of_the_school_appear_and_inactive_ones_do_not(world, portal):
    with translation.override("en"):
        active = [
            f"With consent: {purpose.title} ({world.school.name})"
            for purpose in world.school.purposes.filter(is_active=True)
        ]
        inactive = world.school.purposes.get(code="newsletter").title
    register = _register(world.users["director"])

    consent = [p for p in _purposes(register) if p.startswith("With consent: ")]

    assert active
    assert consent == active
    assert not any(inactive in purpose for purpose in _purposes(register))
    assert not any(world.other_school.name in purpose for purpose in consent)


def test_security_measures_text_appears_when_the_privacy_officer_has_kept_it(world, client):
    text = "Twee-factorauthenticatie voor alle medewerkers; versleutelde back-ups per nacht."
    SecurityMeasures.objects.create(
        board=world.foreign_school.board, text="Maatregelen van een ander bestuur"
    )
    client.force_login(world.users["privacy_officer"])

    response = client.post(reverse("security-measures"), {"text": text})

    assert response.status_code == 302
    for role in ("privacy_officer", "director"):
        assert _register(world.users[role])["security_measures"] == text, role


def test_security_measures_are_empty_when_only_another_board_has_described_them(world):
    SecurityMeasures.objects.create(
        board=world.foreign_school.board, text="Maatregelen van een ander bestuur"
    )

    assert _register(world.users["director"])["security_measures"] == ""


def test_register_says_when_it_was_generated_when_the_clock_is_frozen(world):
    with freeze_time("2026-03-16 10:00:00"):
        register = _register(world.users["director"])

    assert datetime.datetime.fromisoformat(register["generated_at"]) == datetime.datetime(
        2026, 3, 16, 10, 0, tzinfo=datetime.UTC
    )
    assert register["controller"] == ["Stichting AURO"]


def test_register_page_offers_json_and_a_pdf_download_when_asked(world, portal, client):
    client.force_login(world.users["privacy_officer"])
    url = reverse("processing-register")

    page = client.get(url)
    data = client.get(url, {"format": "json"})
    pdf = client.get(url, {"format": "pdf"})

    assert page.status_code == 200
    assert portal["outside_eea"].name.encode() in page.content
    assert data.status_code == 200
    assert "generated_at" in data.json()
    assert portal["expiring"].name in {
        a["purpose"].split(" / ")[-1] for a in data.json()["activities"]
    }
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    assert pdf.content.startswith(b"%PDF")


def test_security_measures_cannot_be_changed_when_the_director_posts_them(world, client):
    client.force_login(world.users["director"])

    response = client.post(reverse("security-measures"), {"text": "Alles is veilig"})

    assert response.status_code == 403
    assert not SecurityMeasures.objects.exists()
