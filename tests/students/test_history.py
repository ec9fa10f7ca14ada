"""The history of a pupil's data as each reader sees it (issue 24, part 1): staff the whole
history, a guardian the child's data, their own details and the other guardians' parental
authority, and nothing at all about a co-guardian whose contact data is confidential: not on
the child's page, not in the access package. In a fixed number of queries."""

from __future__ import annotations

import datetime
import html
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from students.models import ChangeRecord, Guardianship
from students.selectors import student_access_for
from students.selectors.history import changes_for
from students.services import guardian_authority_set
from students.services.editing import guardian_update, student_update
from students.services.emergency import EmergencyContactDetails, emergency_contacts_replace

from .factories import GuardianFactory, link_guardian

SCHOOL = ChangeRecord.Channel.SCHOOL
VERA_PHONE = "06-55556666"
VERA_NEW_PHONE = "06-77778888"
VERA_REFERENCE = "ZAAK-VERA-2026"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    client = Client()
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def history(world):
    """pupil3's history: an address change; the guardian's own phone; the co-guardian
    Vera (confidential) changing her phone and losing authority; a second, open co-guardian
    Bas changing his own email and losing authority; emergency contacts."""
    admin = world.users["administration"]
    vera = GuardianFactory.create(
        first_name="Vera", surname="Schuil", contact_confidential=True, phone=VERA_PHONE
    )
    link_guardian(vera, world.pupil3)
    bas = GuardianFactory.create(first_name="Bas", surname="Open", email="bas@open.example")
    link_guardian(bas, world.pupil3)
    own = world.users["guardian"].guardian
    student_update(
        actor=admin, student=world.pupil3, changes={"street": "Nieuwstraat"}, channel=SCHOOL
    )
    guardian_update(actor=admin, guardian=own, changes={"phone": "0611112222"}, channel=SCHOOL)
    guardian_update(actor=admin, guardian=vera, changes={"phone": VERA_NEW_PHONE}, channel=SCHOOL)
    guardian_update(
        actor=admin, guardian=bas, changes={"email": "bas@nieuw.example"}, channel=SCHOOL
    )
    for guardian, reference in ((vera, VERA_REFERENCE), (bas, "ZAAK-BAS-2026")):
        guardian_authority_set(
            actor=admin,
            link=Guardianship.objects.get(guardian=guardian, student=world.pupil3),
            has_authority=False,
            decided_on=datetime.date(2026, 3, 2),
            reference=reference,
        )
    emergency_contacts_replace(
        actor=admin,
        student=world.pupil3,
        contacts=[EmergencyContactDetails(name="Oma Joke", phone="06-12121212")],
        channel=SCHOOL,
    )
    return {"vera": vera, "bas": bas, "own": own, "admin": admin}


def _titles(user, student):
    access = student_access_for(user=user, student=student)
    return [entry.title for entry in changes_for(user, student, access)]


def test_staff_see_the_whole_history_with_the_values_they_may_see(world, history):
    admin = history["admin"]
    access = student_access_for(user=admin, student=world.pupil3)
    entries = changes_for(admin, world.pupil3, access)

    assert len(entries) == 7
    vera = next(e for e in entries if e.title == "Details of Vera Schuil")
    assert [(c.label, c.shown) for c in vera.changes] == [("Phone number", False)]
    street = next(e for e in entries if e.subject == "pupil")
    assert [(c.old, c.new) for c in street.changes] == [("Schoolstraat", "Nieuwstraat")]
    authority = next(e for e in entries if e.title == "Parental authority of Vera Schuil")
    assert authority.reason == VERA_REFERENCE
    assert street.by == "you"
    director = world.users["director"]
    seen = changes_for(
        director, world.pupil3, student_access_for(user=director, student=world.pupil3)
    )
    assert {entry.by for entry in seen} == {admin.full_name}  # staff are named to staff


def test_a_teacher_sees_the_history_but_not_the_court_references(world, history):
    teacher = world.users["teacher"]
    access = student_access_for(user=teacher, student=world.pupil3)
    entries = changes_for(teacher, world.pupil3, access)
    assert len(entries) == 7
    assert not any(e.reason for e in entries)
    assert VERA_REFERENCE not in str(entries)


def test_a_guardian_sees_the_childs_data_their_own_and_open_authority_only(world, history):
    titles = _titles(world.users["guardian"], world.pupil3)
    assert sorted(titles) == sorted(
        [
            "Your child's details",
            "Your own details",
            "Parental authority of Bas Open",
            "Emergency contacts",
        ]
    )


def test_a_guardian_never_reads_the_staffs_names_nor_a_court_reference(world, history):
    guardian = world.users["guardian"]
    access = student_access_for(user=guardian, student=world.pupil3)
    entries = changes_for(guardian, world.pupil3, access)
    assert {e.by for e in entries} == {""}  # the road says "by the school"
    assert not any(e.reason for e in entries)
    assert history["admin"].full_name not in str(entries)


def test_a_guardian_without_authority_sees_that_the_address_changed_not_to_what(world, history):
    limited = world.users["guardian_limited"]
    access = student_access_for(user=limited, student=world.pupil3)
    pupil = next(e for e in changes_for(limited, world.pupil3, access) if e.subject == "pupil")
    assert [(c.label, c.shown) for c in pupil.changes] == [("Street", False)]


def test_the_confidential_guardian_sees_her_own_changes(world, history):
    vera = history["vera"]
    from .factories import UserFactory

    vera.user = UserFactory.create(email="vera@t.example")
    vera.save(update_fields=["user"])
    from accounts.constants import Role
    from students.services import role_grant

    role_grant(user=vera.user, role=Role.GUARDIAN)
    titles = _titles(vera.user, world.pupil3)
    assert "Your own details" in titles and "Your parental authority" in titles
    assert "Parental authority of Bas Open" in titles
    assert "Details of Bas Open" not in titles


def test_the_co_guardian_finds_no_trace_of_the_confidential_guardian_on_the_childs_page(
    world, history, client
):
    client.force_login(world.users["guardian"])
    page = html.unescape(
        client.get(reverse("child-detail", args=[world.pupil3.pk])).content.decode()
    )
    changes = page.split('id="changes-heading"')[1].split("</section>")[0]
    assert "Parental authority of Bas Open" in changes
    for trace in ("Vera", "Schuil", VERA_PHONE, VERA_NEW_PHONE, VERA_REFERENCE):
        assert trace not in changes, trace
    # Her name is in the list of guardians (as before), never her contact data.
    assert VERA_PHONE not in page and VERA_NEW_PHONE not in page
    assert "Oma Joke" in page  # the emergency contacts


def test_the_staff_history_page_and_pupil_page_show_the_changes(world, history, client):
    client.force_login(world.users["administration"])
    full = html.unescape(
        client.get(reverse("student-history", args=[world.pupil3.pk])).content.decode()
    )
    assert "Details of Vera Schuil" in full and "Phone number changed" in full
    assert VERA_NEW_PHONE not in full and VERA_PHONE not in full  # never kept
    assert "Schoolstraat → Nieuwstraat" in full
    detail = html.unescape(
        client.get(reverse("student-detail", args=[world.pupil3.pk])).content.decode()
    )
    assert "All changes to the data" in detail and "Oma Joke" in detail


def test_the_co_guardians_access_package_holds_no_trace_of_the_confidential_guardian(
    request_world, history
):
    from privacy_requests.package import package_data

    data = package_data(request_world.requests["access"])

    assert [item["what"] for item in data["changes"]]
    text = json.dumps(data, ensure_ascii=False)
    for trace in (VERA_PHONE, VERA_NEW_PHONE, VERA_REFERENCE, "Details of Vera", "Vera Schuil"):
        if trace == "Vera Schuil":
            # Her name stays in the list of guardians (without contact data), as before.
            assert trace not in json.dumps(data["changes"], ensure_ascii=False)
            continue
        assert trace not in text, trace
    whats = {item["what"] for item in data["changes"]}
    assert whats == {
        "Your child's details",
        "Your own details",
        "Parental authority of Bas Open",
        "Emergency contacts",
    }


@pytest.mark.parametrize("role", ["administration", "guardian"])
def test_reading_the_history_takes_the_same_queries_for_one_change_or_thirty(
    world, role, django_assert_num_queries
):
    user = world.users[role]
    admin = world.users["administration"]
    access = student_access_for(user=user, student=world.pupil3)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            changes_for(user, world.pupil3, access)
        return len(queries)

    student_update(actor=admin, student=world.pupil3, changes={"city": "Ede"}, channel=SCHOOL)
    one = count()
    for number in range(30):
        student_update(
            actor=admin, student=world.pupil3, changes={"house_number": str(number)}, channel=SCHOOL
        )
        other = GuardianFactory.create()
        link_guardian(other, world.pupil3)
        guardian_update(
            actor=admin, guardian=other, changes={"phone": "0612345678"}, channel=SCHOOL
        )
    # A guardian: one more, once, for whether the child's address is a confidential
    # co-guardian's (then no change of it shows).
    assert count() == one == (2 if role == "guardian" else 1)
