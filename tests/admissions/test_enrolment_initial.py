"""The enrolment form filled in from an application: the child's address from the first
guardian's one-line address, and no guardian address typed twice."""

from __future__ import annotations

import pytest

from admissions.forms_decisions import enrolment_initial
from students.forms import EnrolmentForm

from .factories_decisions import ApplicationFactory


def test_the_first_guardians_address_becomes_the_childs(world):
    application = ApplicationFactory.create(
        school=world.school,
        guardians=[
            {"address": "Lindelaan 12a, 3512ab Utrecht"},
            {"first_name": "Bram", "address": "Lindelaan 12a, 3512ab Utrecht"},
        ],
    )

    initial = enrolment_initial(application)

    assert (initial["street"], initial["house_number"]) == ("Lindelaan", "12a")
    assert (initial["postal_code"], initial["city"]) == ("3512 AB", "Utrecht")
    assert initial[EnrolmentForm.guardian_name(1, "address")] == ""
    assert initial[EnrolmentForm.guardian_name(2, "address")] == ""


@pytest.mark.parametrize("address", ["Postbus 12", "ergens in Utrecht", ""])
def test_an_address_that_does_not_read_as_one_stays_with_the_guardian(world, address):
    application = ApplicationFactory.create(school=world.school, guardians=[{"address": address}])

    initial = enrolment_initial(application)

    assert "street" not in initial
    assert initial[EnrolmentForm.guardian_name(1, "address")] == address


def test_a_second_guardian_elsewhere_keeps_their_address(world):
    application = ApplicationFactory.create(
        school=world.school,
        guardians=[
            {"address": "Lindelaan 12, 3512 AB Utrecht"},
            {"first_name": "Bram", "address": "Kerkstraat 3, 1234 CD Zeist"},
        ],
    )

    initial = enrolment_initial(application)

    assert initial["city"] == "Utrecht"
    assert initial[EnrolmentForm.guardian_name(2, "address")] == "Kerkstraat 3, 1234 CD Zeist"
