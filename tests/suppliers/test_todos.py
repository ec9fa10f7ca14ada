"""The suppliers' panel on the staff start page, which the start page gets from the registry
(students/start_page.py): whoever manages the suppliers sees the agreements that expire soon;
other staff and agreements far from their end show no panel."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from suppliers.constants import AgreementModel
from suppliers.models import Supplier
from suppliers.services import agreement_save, product_save

HEADING = 'id="agreements-heading"'


def _agreement(world, name: str, *, days_left: int) -> None:
    supplier = Supplier.objects.create(board=world.school.board, name=name)
    product = product_save(
        user=world.users["director"],
        supplier=supplier,
        attribute_reasons={"first_name": "inloggen"},
        group_ids=[world.group3.pk],
        name=f"{name} app",
        purposes="Oefenen",
        retention="1 jaar",
        storage_location="NL",
    )
    today = timezone.localdate()
    agreement_save(
        user=world.users["director"],
        supplier=supplier,
        attributes=["first_name"],
        product_ids=[product.pk],
        model=AgreementModel.MODEL_4,
        signed_on=today - datetime.timedelta(days=300),
        valid_from=today - datetime.timedelta(days=300),
        valid_until=today + datetime.timedelta(days=days_left),
    )


@pytest.mark.parametrize(("role", "shown"), [("director", True), ("teacher", False)])
def test_expiring_agreement_is_on_the_start_page_when_the_user_manages_suppliers(
    world, client, role, shown
):
    _agreement(world, "Bijna Voorbij B.V.", days_left=20)
    _agreement(world, "Nog Lang Geldig B.V.", days_left=400)
    client.force_login(world.users[role])

    content = client.get(reverse("home")).content.decode()

    assert (HEADING in content) is shown
    assert ("Bijna Voorbij B.V." in content) is shown
    assert "Nog Lang Geldig B.V." not in content


def test_no_panel_on_the_start_page_when_no_agreement_needs_attention(world, client):
    _agreement(world, "Nog Lang Geldig B.V.", days_left=400)
    client.force_login(world.users["director"])

    assert HEADING not in client.get(reverse("home")).content.decode()
