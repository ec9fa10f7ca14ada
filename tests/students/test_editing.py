"""The school edits a pupil's and a guardian's data (issue 24, part 1): validated as at
enrolment with each reason at its field, nothing written for an unchanged save, a save over
someone else's change refused with what was typed kept, every change one history entry and one
audit event, and never a BSN or a confidential guardian's contact data in either."""

from __future__ import annotations

import datetime
import html

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from audit.constants import Action
from audit.models import AccessEvent
from kernel.crypto import lookup_hash
from students import erasure
from students.exceptions import EditConflictError, EditError, FormerPupilError, StudentError
from students.models import ChangeRecord, EmergencyContact, Guardian, Guardianship, Student
from students.services import guardian_authority_set
from students.services.editing import (
    guardian_update,
    guardian_values,
    postal_code_normalise,
    pupil_values,
    record_version,
    student_update,
)
from students.services.emergency import EmergencyContactDetails, emergency_contacts_replace

from .factories import GuardianFactory, link_guardian

SCHOOL = ChangeRecord.Channel.SCHOOL
NEW_BSN = "123456782"  # passes the eleven test


@pytest.fixture
def client():
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def _admin(world):
    return world.users["administration"]


def _events_with(text: str) -> list[AccessEvent]:
    """Access events any of whose stored values holds ``text``."""
    return [
        event
        for event in AccessEvent.objects.all()
        if any(text in str(getattr(event, f.attname)) for f in AccessEvent._meta.concrete_fields)
    ]


def _update_events() -> int:
    return AccessEvent.objects.filter(action=Action.UPDATE).count()


# --- Validation: as at enrolment, at the field ------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date_of_birth": timezone.localdate() + datetime.timedelta(days=1)}, "date_of_birth"),
        ({"postal_code": "12345"}, "postal_code"),
        ({"postal_code": "0123 AB"}, "postal_code"),
        ({"bsn": "123456789"}, "bsn"),
        ({"given_name": "  "}, "given_name"),
        ({"born_abroad": True, "arrived_in_netherlands_on": None}, "arrived_in_netherlands_on"),
        ({"date_of_birth": datetime.date(2021, 1, 1)}, "date_of_birth"),  # not 4 at enrolment
    ],
)
def test_a_pupil_change_against_the_enrolment_rules_is_refused_at_its_field(world, changes, field):
    before = pupil_values(Student.objects.get(pk=world.pupil3.pk))
    with translation.override("en"), pytest.raises(EditError) as refused:
        student_update(actor=_admin(world), student=world.pupil3, changes=changes, channel=SCHOOL)
    assert field in refused.value.field_errors
    assert pupil_values(Student.objects.get(pk=world.pupil3.pk)) == before
    assert not ChangeRecord.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1234ab", "1234 AB"), (" 9999  zz ", "9999 ZZ"), ("", ""), ("1234 A", None)],
)
def test_a_dutch_postal_code_is_written_as_the_post_writes_it(typed, stored):
    assert postal_code_normalise(typed) == stored


def test_a_new_bsn_is_stored_with_its_hash_and_kept_nowhere_else(world):
    record = student_update(
        actor=_admin(world),
        student=world.pupil3,
        changes={"bsn": NEW_BSN, "postal_code": "4321zx"},
        channel=SCHOOL,
    )

    student = Student.objects.get(pk=world.pupil3.pk)
    assert (student.bsn, student.bsn_hash) == (NEW_BSN, lookup_hash(NEW_BSN))
    assert student.postal_code == "4321 ZX"
    assert record is not None and set(record.fields) == {"bsn", "postal_code"}
    assert "bsn" not in record.values
    assert record.values["postal_code"] == ["1234 AB", "4321 ZX"]
    assert NEW_BSN not in str(record.values) and "111222333" not in str(record.values)
    assert not _events_with(NEW_BSN)
    event = AccessEvent.objects.get(action=Action.UPDATE, object_type="student")
    assert (event.student_id, event.school_id) == (world.pupil3.pk, world.school.pk)


def test_an_empty_bsn_keeps_the_bsn(world):
    assert (
        student_update(
            actor=_admin(world), student=world.pupil3, changes={"bsn": ""}, channel=SCHOOL
        )
        is None
    )
    assert Student.objects.get(pk=world.pupil3.pk).bsn == "111222333"


def test_a_bsn_of_another_pupil_of_the_board_is_refused(world):
    other = world.pupil5
    Student.objects.filter(pk=other.pk).update(bsn_hash=lookup_hash(NEW_BSN))
    with pytest.raises(EditError) as refused:
        student_update(
            actor=_admin(world), student=world.pupil3, changes={"bsn": NEW_BSN}, channel=SCHOOL
        )
    assert "bsn" in refused.value.field_errors


def test_an_unchanged_save_writes_and_records_nothing(world):
    student = Student.objects.get(pk=world.pupil3.pk)
    values = pupil_values(student)
    events = AccessEvent.objects.count()

    record = student_update(
        actor=_admin(world),
        student=student,
        changes={**values, "bsn": "", "postal_code": values["postal_code"].lower()},
        channel=SCHOOL,
        version=record_version(values),
    )

    assert record is None
    assert not ChangeRecord.objects.exists()
    assert AccessEvent.objects.count() == events


# --- The page ----------------------------------------------------------------------------------


def _form_data(student: Student, **overrides) -> dict:
    values = pupil_values(student)
    data = {
        name: ("on" if value else "")
        if isinstance(value, bool)
        else (value.isoformat() if hasattr(value, "isoformat") else value or "")
        for name, value in values.items()
    }
    data.update(bsn="", version=record_version(values))
    data.update(overrides)
    return {k: v for k, v in data.items() if not (k == "born_abroad" and not v)}


def test_the_edit_page_never_fills_in_the_bsn(world, client):
    client.force_login(_admin(world))
    page = client.get(reverse("student-edit", args=[world.pupil3.pk])).content.decode()
    assert 'name="bsn"' in page
    assert 'value="111222333"' not in page
    assert "Unchanged unless you type a new one" in html.unescape(page)


def test_refused_fields_are_shown_at_the_field_with_what_was_typed(world, client):
    client.force_login(_admin(world))
    url = reverse("student-edit", args=[world.pupil3.pk])
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    data = _form_data(
        world.pupil3, date_of_birth=future, postal_code="99999", bsn="123456789", city="Zwolle"
    )

    response = client.post(url, data)

    assert response.status_code == 303 and response["Location"] == url
    page = client.get(url).content.decode()
    for field in ("date_of_birth", "postal_code", "bsn"):
        assert f'id="id_{field}_error"' in page, field
    assert 'value="Zwolle"' in page and 'value="99999"' in page
    assert Student.objects.get(pk=world.pupil3.pk).city == "Amsterdam"
    assert not ChangeRecord.objects.exists()


def test_a_change_on_the_page_is_saved_and_in_the_history(world, client):
    client.force_login(_admin(world))
    url = reverse("student-edit", args=[world.pupil3.pk])

    response = client.post(url, _form_data(world.pupil3, street="Nieuwe Gracht", city="Utrecht"))

    assert response.status_code == 302
    student = Student.objects.get(pk=world.pupil3.pk)
    assert (student.street, student.city) == ("Nieuwe Gracht", "Utrecht")
    record = ChangeRecord.objects.get()
    assert (record.subject, record.channel, record.actor) == ("pupil", SCHOOL, _admin(world))
    assert record.values == {
        "street": ["Schoolstraat", "Nieuwe Gracht"],
        "city": ["Amsterdam", "Utrecht"],
    }
    detail = html.unescape(
        client.get(reverse("student-detail", args=[student.pk])).content.decode()
    )
    assert "Schoolstraat → Nieuwe Gracht" in detail


def test_two_editors_at_once_the_second_is_told_and_keeps_what_they_typed(world, client):
    client.force_login(_admin(world))
    url = reverse("student-edit", args=[world.pupil3.pk])
    opened = _form_data(world.pupil3)  # both open the form
    student_update(  # the director saves first
        actor=world.users["director"],
        student=world.pupil3,
        changes={"city": "Haarlem"},
        channel=SCHOOL,
        version=opened["version"],
    )

    response = client.post(url, {**opened, "street": "Kerkstraat"})

    assert response.status_code == 303
    student = Student.objects.get(pk=world.pupil3.pk)
    assert (student.street, student.city) == ("Schoolstraat", "Haarlem")
    page = html.unescape(client.get(url).content.decode())
    assert "Someone else changed this data since you opened the form" in page
    assert 'value="Kerkstraat"' in page  # what they typed
    assert "What is saved now" in page and "Haarlem" in page
    # Saving again (after the look) is a deliberate choice, and goes through.
    import re

    version = re.search(r'name="version" value="([^"]+)"', page)[1]
    assert version == record_version(pupil_values(student))
    again = client.post(url, {**opened, "street": "Kerkstraat", "version": version})
    assert again.status_code == 302
    assert Student.objects.get(pk=world.pupil3.pk).street == "Kerkstraat"


def test_a_stale_version_is_refused_by_the_service(world):
    version = record_version(pupil_values(world.pupil3))
    student_update(
        actor=_admin(world), student=world.pupil3, changes={"city": "Ede"}, channel=SCHOOL
    )
    with pytest.raises(EditConflictError):
        student_update(
            actor=_admin(world),
            student=world.pupil3,
            changes={"street": "Dorpsstraat"},
            channel=SCHOOL,
            version=version,
        )


def test_a_former_pupil_is_read_only_for_day_to_day_edits_but_a_correction_passes(world):
    Student.objects.filter(pk=world.pupil5.pk).update(
        withdrawn_on=timezone.localdate(), group=None, withdrawal_destination="primary_school"
    )
    pupil = Student.objects.get(pk=world.pupil5.pk)
    with pytest.raises(FormerPupilError):
        student_update(actor=_admin(world), student=pupil, changes={"city": "Ede"}, channel=SCHOOL)
    record = student_update(
        actor=_admin(world),
        student=pupil,
        changes={"city": "Ede"},
        channel=ChangeRecord.Channel.CORRECTION,
        reason="Correctieverzoek 12",
    )
    assert record is not None and record.reason == "Correctieverzoek 12"


def test_the_edit_links_are_for_those_who_may_edit(world, client):
    page_url = reverse("student-detail", args=[world.pupil3.pk])
    edit_url = reverse("student-edit", args=[world.pupil3.pk])
    for role, shown in (("administration", True), ("director", True), ("teacher", False)):
        client.force_login(world.users[role])
        assert (f'href="{edit_url}"' in client.get(page_url).content.decode()) is shown, role


# --- A guardian --------------------------------------------------------------------------------


def _guardian(world) -> Guardian:
    return world.users["guardian"].guardian


def _confidential(world) -> Guardian:
    guardian = GuardianFactory.create(
        first_name="Vera", surname="Schuil", contact_confidential=True, phone="06-11112222"
    )
    link_guardian(guardian, world.pupil3)
    return guardian


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "12"}, "phone"),
        ({"phone": "06-1234567x"}, "phone"),
        ({"email": "", "phone": ""}, "phone"),
        ({"first_name": ""}, "first_name"),
        ({"email": "not-an-address"}, "email"),
        ({"language": "de"}, "language"),
    ],
)
def test_a_guardian_change_against_the_rules_is_refused_at_its_field(world, changes, field):
    with pytest.raises(EditError) as refused:
        guardian_update(
            actor=_admin(world), guardian=_guardian(world), changes=changes, channel=SCHOOL
        )
    assert field in refused.value.field_errors


def test_two_guardians_cannot_share_an_address_nor_take_an_account_s(world):
    other = GuardianFactory.create(email="els@home.example")
    with pytest.raises(EditError) as refused:
        guardian_update(
            actor=_admin(world),
            guardian=_guardian(world),
            changes={"email": "ELS@home.example"},
            channel=SCHOOL,
        )
    assert "email" in refused.value.field_errors
    with pytest.raises(EditError) as refused:
        guardian_update(
            actor=_admin(world),
            guardian=other,
            changes={"email": "teacher3@t.example"},
            channel=SCHOOL,
        )
    assert "email" in refused.value.field_errors


def test_a_new_contact_address_does_not_change_the_parents_login(world):
    guardian = _guardian(world)
    login = guardian.user.email
    record = guardian_update(
        actor=_admin(world),
        guardian=guardian,
        changes={"email": "Nieuw@Thuis.example"},
        channel=SCHOOL,
        school_id=world.school.pk,
    )
    guardian.refresh_from_db()
    guardian.user.refresh_from_db()
    assert guardian.email == "nieuw@thuis.example"
    assert guardian.user.email == login
    assert record is not None and record.student_id is None and not record.confidential
    event = AccessEvent.objects.get(action=Action.UPDATE, object_type="guardian")
    assert (event.student_id, event.school_id) == (None, world.school.pk)


def test_a_confidential_guardians_contact_data_is_in_no_history_and_no_event(world):
    vera = _confidential(world)
    record = guardian_update(
        actor=_admin(world),
        guardian=vera,
        changes={
            "phone": "06-99998888",
            "address": "Geheimweg 7, Zwolle",
            "surname": "Schuil-Berg",
        },
        channel=SCHOOL,
        school_id=world.school.pk,
    )
    assert record is not None and record.confidential
    assert set(record.fields) == {"surname", "phone", "address"}
    assert set(record.values) == {"surname"}
    for secret in ("06-99998888", "06-11112222", "Geheimweg"):
        assert secret not in str(record.values)
        assert not _events_with(secret), secret


def test_turning_confidentiality_off_is_recorded_without_the_values(world):
    vera = _confidential(world)
    record = guardian_update(
        actor=_admin(world),
        guardian=vera,
        changes={"contact_confidential": False, "phone": "06-33334444"},
        channel=SCHOOL,
    )
    assert record.confidential and "phone" not in record.values
    assert record.values["contact_confidential"] == [True, False]


def test_turning_confidentiality_off_on_the_page_asks_to_confirm_what_happens(world, client):
    vera = _confidential(world)
    client.force_login(_admin(world))
    url = reverse("guardian-edit", args=[world.pupil3.pk, vera.pk])
    page = html.unescape(client.get(url).content.decode())
    assert "What happens when you remove the tick" in page
    assert _guardian(world).display_name in page  # who will see it, by name
    values = guardian_values(vera)
    data = {
        **{k: v for k, v in values.items() if k != "contact_confidential"},
        "version": record_version(values),
    }

    refused = client.post(url, data)

    assert refused.status_code == 303
    assert Guardian.objects.get(pk=vera.pk).contact_confidential
    assert 'id="id_confirm_disclose_error"' in client.get(url).content.decode()
    saved = client.post(url, {**data, "confirm_disclose": "on"})
    assert saved.status_code == 302
    assert not Guardian.objects.get(pk=vera.pk).contact_confidential


def test_the_guardian_page_says_the_login_stays(world, client):
    client.force_login(_admin(world))
    url = reverse("guardian-edit", args=[world.pupil3.pk, _guardian(world).pk])
    page = html.unescape(client.get(url).content.decode())
    assert "does not change that login" in page
    assert "When ticked, the other parents and guardians" in page  # turning it on explains


def test_a_guardian_of_another_school_is_not_found(world, client):
    other = GuardianFactory.create()
    link_guardian(other, world.other_pupil)
    client.force_login(_admin(world))
    assert (
        client.get(reverse("guardian-edit", args=[world.other_pupil.pk, other.pk])).status_code
        == 404
    )
    # ... and not reached through a pupil of the school either.
    assert client.get(reverse("guardian-edit", args=[world.pupil3.pk, other.pk])).status_code == 404


# --- Parental authority ------------------------------------------------------------------------


def test_a_court_decision_in_the_future_is_an_error_at_the_date_field(world, client):
    link = Guardianship.objects.get(student=world.pupil3, guardian=_guardian(world))
    args = [world.pupil3.pk, link.guardian_id]
    client.force_login(_admin(world))
    future = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()

    response = client.post(
        reverse("guardian-authority", args=args),
        {"has_authority": "0", "decided_on": future, "reference": "C/13/1", "confirm": "on"},
    )

    assert response.status_code == 303
    page = client.get(reverse("guardian-authority-confirm", args=args)).content.decode()
    assert 'id="id_decided_on_error"' in page
    assert "cannot be in the future" in page
    assert Guardianship.objects.get(pk=link.pk).has_authority
    with pytest.raises(StudentError) as refused:
        guardian_authority_set(
            actor=_admin(world),
            link=link,
            has_authority=False,
            decided_on=timezone.localdate() + datetime.timedelta(days=1),
            reference="C/13/1",
        )
    assert "decided_on" in refused.value.field_errors


def test_a_change_of_authority_is_one_history_entry_and_one_event(world):
    link = Guardianship.objects.get(student=world.pupil3, guardian=_guardian(world))
    events = _update_events()

    guardian_authority_set(
        actor=_admin(world),
        link=link,
        has_authority=False,
        decided_on=datetime.date(2026, 3, 2),
        reference="C/13/712345 / FA RK 26-1234",
    )

    record = ChangeRecord.objects.get()
    assert (record.subject, record.student_id, record.guardian_id) == (
        "authority",
        world.pupil3.pk,
        link.guardian_id,
    )
    assert record.reason == "C/13/712345 / FA RK 26-1234"
    assert record.values["has_authority"] == [True, False]
    assert _update_events() == events + 1


# --- Emergency contacts ------------------------------------------------------------------------


def test_emergency_contacts_are_saved_in_order_with_the_phone_checked(world, client):
    client.force_login(_admin(world))
    url = reverse("student-emergency-contacts", args=[world.pupil3.pk])
    version = client.get(url).context["form"].initial["version"]
    rows = {
        "name_1": "Oma Joke",
        "relation_1": "grootmoeder",
        "phone_1": "06-12121212",
        "name_2": "Buurman Piet",
        "phone_2": "12",
        "version": version,
    }

    assert client.post(url, rows).status_code == 303
    assert 'id="id_phone_2_error"' in client.get(url).content.decode()
    assert not EmergencyContact.objects.exists()
    assert client.post(url, {**rows, "phone_2": "020 1234567"}).status_code == 302
    assert list(
        EmergencyContact.objects.filter(student=world.pupil3).values_list("name", "position")
    ) == [("Oma Joke", 0), ("Buurman Piet", 1)]
    record = ChangeRecord.objects.get(subject="emergency_contacts")
    assert record.values["emergency_contacts"][1] == [
        "Oma Joke (grootmoeder): 06-12121212",
        "Buurman Piet: 020 1234567",
    ]


# --- Erasure -----------------------------------------------------------------------------------


def test_erasing_the_enrolment_takes_the_emergency_contacts_and_the_history(world):
    pupil = world.pupil5
    lone = GuardianFactory.create(first_name="Els")
    link_guardian(lone, pupil)
    admin = _admin(world)
    emergency_contacts_replace(
        actor=admin,
        student=pupil,
        contacts=[EmergencyContactDetails(name="Oma", phone="06-12121212")],
        channel=SCHOOL,
    )
    student_update(actor=admin, student=pupil, changes={"street": "Oudeweg"}, channel=SCHOOL)
    guardian_update(actor=admin, guardian=lone, changes={"phone": "0612345678"}, channel=SCHOOL)
    kept = student_update(
        actor=admin, student=world.pupil3, changes={"city": "Ede"}, channel=SCHOOL
    )
    assert ChangeRecord.objects.count() == 4

    with transaction.atomic():
        students = list(Student.objects.select_for_update().filter(pk=pupil.pk))
        counts = erasure.erase(
            category=erasure.ENROLMENT,
            students=students,
            action=erasure.ANONYMISE,
            why=erasure.Why(actor=admin),
        )

    assert counts[pupil.pk]["history"] == 3  # a contact and the two entries of the pupil
    assert not EmergencyContact.objects.filter(student_id=pupil.pk).exists()
    assert list(ChangeRecord.objects.values_list("pk", flat=True)) == [kept.pk]
