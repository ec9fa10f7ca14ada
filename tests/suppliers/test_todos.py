"""The suppliers' to-do items on the start page (suppliers/todos.py): whoever manages the
suppliers (the director) and the board's privacy officer see each processing agreement that
expires within 60 days or has expired, until a newer agreement follows it; other staff, and
agreements far from their end, show nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from suppliers.constants import AgreementModel
from suppliers.models import Supplier
from suppliers.services import agreement_save, product_save
from tests.todo_items import todo_items

ROLES = ["director", "administration", "care_coordinator", "teacher", "privacy_officer"]


def _agreement(world, supplier: Supplier, *, days_left: int, started_days_ago: int = 300):
    product = product_save(
        user=world.users["director"],
        supplier=supplier,
        attribute_reasons={"first_name": "inloggen"},
        group_ids=[world.group3.pk],
        name=f"{supplier.name} app {days_left}",
        purposes="Oefenen",
        retention="1 jaar",
        storage_location="NL",
    )
    today = timezone.localdate()
    return agreement_save(
        user=world.users["director"],
        supplier=supplier,
        attributes=["first_name"],
        product_ids=[product.pk],
        model=AgreementModel.MODEL_4,
        signed_on=today - datetime.timedelta(days=started_days_ago),
        valid_from=today - datetime.timedelta(days=started_days_ago),
        valid_until=today + datetime.timedelta(days=days_left),
    )


def _supplier(world, name: str) -> Supplier:
    return Supplier.objects.create(board=world.school.board, name=name)


def _items(client, user, supplier):
    links = {
        reverse("supplier-detail", args=[supplier.pk]),
        f"{reverse('supplier-list')}#s-{supplier.pk}",
    }
    return [i for i in todo_items(client, user) if i.link in links]


@pytest.mark.parametrize(
    ("role", "page"), [("director", "supplier-detail"), ("privacy_officer", "supplier-list")]
)
def test_the_item_links_to_a_page_the_person_may_open(world, client, role, page):
    supplier = _supplier(world, "Bijna Voorbij B.V.")
    _agreement(world, supplier, days_left=20)
    user = world.users[role]

    (item,) = _items(client, user, supplier)

    assert item.link.startswith(
        reverse(page, args=[supplier.pk] if page == "supplier-detail" else [])
    )
    assert client.get(item.link.split("#")[0]).status_code == 200
    if "#" in item.link:
        assert f'id="{item.link.split("#")[1]}"' in client.get(item.link).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_expiring_agreement_is_on_the_list_of_who_manages_or_oversees_suppliers(
    world, client, role
):
    soon = _supplier(world, "Bijna Voorbij B.V.")
    _agreement(world, soon, days_left=20)
    later = _supplier(world, "Nog Lang Geldig B.V.")
    _agreement(world, later, days_left=400)
    user = world.users[role]

    assert bool(_items(client, user, soon)) is (role in ("director", "privacy_officer"))
    assert _items(client, user, later) == []


def test_urgency_follows_the_end_date(world, client):
    director = world.users["director"]
    expired = _supplier(world, "Verlopen B.V.")
    _agreement(world, expired, days_left=-3)
    soon = _supplier(world, "Bijna B.V.")
    _agreement(world, soon, days_left=10)
    within_60 = _supplier(world, "Binnenkort B.V.")
    _agreement(world, within_60, days_left=50)

    assert [i.urgency for i in _items(client, director, expired)] == ["overdue"]
    assert [i.urgency for i in _items(client, director, soon)] == ["due-soon"]
    assert [i.urgency for i in _items(client, director, within_60)] == ["normal"]
    links = [i.link for i in todo_items(client, director)]
    order = [reverse("supplier-detail", args=[s.pk]) for s in (expired, soon, within_60)]
    assert [link for link in links if link in order] == order


def test_a_renewed_agreement_leaves_the_list(world, client):
    director = world.users["director"]
    supplier = _supplier(world, "Verlengd B.V.")
    _agreement(world, supplier, days_left=-3, started_days_ago=400)
    assert _items(client, director, supplier)

    _agreement(world, supplier, days_left=700, started_days_ago=2)

    assert _items(client, director, supplier) == []


def test_no_agreement_item_when_none_needs_attention(world, client):
    supplier = _supplier(world, "Nog Lang Geldig B.V.")
    _agreement(world, supplier, days_left=400)

    assert _items(client, world.users["director"], supplier) == []


def test_the_privacy_overview_links_each_agreement_to_a_page_the_officer_may_open(world, client):
    """Her overview listed expiring agreements with links to the supplier's own page, which
    answers her 403: it links to the agreement on the suppliers list instead."""
    import re

    supplier = _supplier(world, "Bijna Voorbij B.V.")
    _agreement(world, supplier, days_left=20)
    client.force_login(world.users["privacy_officer"])
    page = client.get(reverse("privacy-overview")).content.decode()

    links = set(re.findall(r'href="([^"]*)"', page))
    supplier_links = {link for link in links if "/suppliers/" in link}
    assert f"{reverse('supplier-list')}#s-{supplier.pk}" in supplier_links
    for link in supplier_links:
        assert client.get(link.split("#")[0]).status_code == 200, link
