"""Parents keep their own contact data and their children's emergency contacts current
(students/views/self_service.py, students/services/self_service.py)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audit.models import AccessEvent
from students.models import ChangeRecord, EmergencyContact

from .factories import make_guardian_user

PHONE = "06 11223344"


def _client(user, language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def _contact_form(world, **fields):
    guardian = world.users["guardian"].guardian
    return {"phone": guardian.phone, "email": guardian.email, **fields}


# --- own contact details ---------------------------------------------------------------------


def test_parent_changes_own_phone_at_once_and_it_is_in_the_history(world):
    parent = world.users["guardian"]
    guardian = parent.guardian
    old_phone = guardian.phone

    response = _client(parent).post(reverse("my-contact"), _contact_form(world, phone=PHONE))

    assert response.status_code == 302
    guardian.refresh_from_db()
    assert guardian.phone == PHONE
    record = ChangeRecord.objects.get(guardian=guardian)
    assert record.subject == ChangeRecord.Subject.GUARDIAN
    assert record.channel == ChangeRecord.Channel.GUARDIAN
    assert record.student_id is None
    assert record.fields == ["phone"]
    assert record.values == {"phone": [old_phone, PHONE]}
    assert record.actor == parent
    event = AccessEvent.objects.filter(object_type="guardian", action="update").get()
    assert event.student_id is None
    assert event.school_id == world.school.pk


def test_unchanged_save_records_nothing(world):
    parent = world.users["guardian"]
    events = AccessEvent.objects.count()

    response = _client(parent).post(reverse("my-contact"), _contact_form(world))

    assert response.status_code == 302
    assert not ChangeRecord.objects.exists()
    assert AccessEvent.objects.count() == events
    assert mail.outbox == []


def test_same_values_differently_spaced_change_nothing(world):
    parent = world.users["guardian"]
    guardian = parent.guardian
    guardian.phone = PHONE
    guardian.save(update_fields=["phone"])

    _client(parent).post(
        reverse("my-contact"), _contact_form(world, phone="  06  11223344 ", email=guardian.email)
    )

    assert not ChangeRecord.objects.exists()


def test_wrong_phone_is_refused_at_the_field_and_what_was_typed_stays(world):
    parent = world.users["guardian"]
    client = _client(parent)

    refused = client.post(reverse("my-contact"), _contact_form(world, phone="12-34"))
    assert refused.status_code == 303
    page = client.get(refused["Location"]).content.decode()

    assert 'value="12-34"' in page
    with translation.override("en"):
        assert "Enter a phone number of 10 to 15 digits" in page
    assert 'id="id_phone_error"' in page
    assert not ChangeRecord.objects.exists()


def test_wrong_email_is_refused_at_its_field(world):
    client = _client(world.users["guardian"])

    refused = client.post(reverse("my-contact"), _contact_form(world, email="geen-adres"))
    page = client.get(refused["Location"]).content.decode()

    assert 'id="id_email_error"' in page
    assert 'value="geen-adres"' in page


def test_new_contact_email_sends_a_notice_to_the_old_address_without_child_data(
    world, django_capture_on_commit_callbacks
):
    parent = world.users["guardian"]
    guardian = parent.guardian
    old = guardian.email
    # The child's name, as no random parent's name can contain it (the factories' are random).
    world.pupil3.given_name, world.pupil3.surname = "Wieteke", "Zonnebloemsma"
    world.pupil3.save(update_fields=["given_name", "surname"])

    with django_capture_on_commit_callbacks(execute=True):
        _client(parent).post(
            reverse("my-contact"), _contact_form(world, email="nieuw@thuis.example")
        )

    guardian.refresh_from_db()
    assert guardian.email == "nieuw@thuis.example"
    parent.refresh_from_db()
    assert parent.email == "parent@t.example"  # the login address stays
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [old]
    text = notice.subject + notice.body
    assert "nieuw@thuis.example" not in text  # not the new address
    for child_data in (world.pupil3.given_name, world.pupil3.surname, world.group3.name):
        assert child_data not in text
    assert world.school.name in notice.body  # whom to contact


def test_login_address_is_shown_read_only_and_said_to_be_another(world):
    parent = world.users["guardian"]

    page = _client(parent).get(reverse("my-contact")).content.decode()

    assert parent.email in page
    assert 'name="email"' in page
    with translation.override("en"):
        assert "This is not the address you log in with" in page


def test_confidential_guardians_change_keeps_no_values_and_no_child_id(
    world, django_capture_on_commit_callbacks
):
    parent = make_guardian_user(world.pupil3, confidential=True, email="vera@t.example")
    guardian = parent.guardian

    with django_capture_on_commit_callbacks(execute=True):
        _client(parent).post(
            reverse("my-contact"),
            {"phone": "06 99887766", "email": "vera.nieuw@veilig.example"},
        )

    record = ChangeRecord.objects.get(guardian=guardian)
    assert record.confidential is True
    assert record.values == {}
    assert set(record.fields) == {"phone", "email"}
    events = AccessEvent.objects.filter(actor_id=parent.pk, action="update")
    assert events.exists()
    assert not events.filter(student_id=world.pupil3.pk).exists()
    for event in events.values():
        flat = repr(event)
        assert "06 99887766" not in flat and "vera.nieuw" not in flat
    assert not AccessEvent.objects.filter(
        student_id=world.pupil3.pk, actor_id=parent.pk, action="update"
    ).exists()


def test_other_guardian_sees_nothing_of_a_confidential_guardians_new_phone(world):
    confidential = make_guardian_user(world.pupil3, confidential=True, email="vera@t.example")
    _client(confidential).post(
        reverse("my-contact"), {"phone": "06 99887766", "email": "vera@t.example"}
    )
    other = _client(world.users["guardian"])

    for url in (
        reverse("child-detail", args=[world.pupil3.pk]),
        reverse("child-access-log", args=[world.pupil3.pk]),
        reverse("my-contact"),
        reverse("home"),
    ):
        assert "06 99887766" not in other.get(url).content.decode(), url


def test_staff_and_anonymous_cannot_open_the_parents_page(world):
    assert Client().get(reverse("my-contact")).status_code == 302
    assert _client(world.users["administration"]).get(reverse("my-contact")).status_code == 403


# --- emergency contacts ----------------------------------------------------------------------


def _rows(*contacts) -> dict:
    data = {}
    for index in range(1, 5):
        name, relation, phone = contacts[index - 1] if index <= len(contacts) else ("", "", "")
        data.update({f"name_{index}": name, f"relation_{index}": relation, f"phone_{index}": phone})
    return data


@pytest.mark.parametrize("role", ["guardian", "guardian_limited"])
def test_guardian_with_or_without_authority_keeps_the_emergency_contacts(world, role):
    client = _client(world.users[role])
    url = reverse("child-emergency-contacts", args=[world.pupil3.pk])

    response = client.post(
        url, _rows(("Oma Jans", "grootmoeder", "06 12121212"), ("Buurman Piet", "", "0201234567"))
    )

    assert response.status_code == 302
    assert list(
        EmergencyContact.objects.filter(student=world.pupil3).values_list("name", "phone")
    ) == [("Oma Jans", "06 12121212"), ("Buurman Piet", "0201234567")]
    record = ChangeRecord.objects.get(student=world.pupil3)
    assert record.subject == ChangeRecord.Subject.EMERGENCY_CONTACTS
    assert record.channel == ChangeRecord.Channel.GUARDIAN


def test_emergency_contacts_of_a_child_not_theirs_answer_404(world):
    client = _client(world.users["guardian"])
    url = reverse("child-emergency-contacts", args=[world.pupil5.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, _rows(("Oma", "", "0612121212"))).status_code == 404
    assert not EmergencyContact.objects.exists()


def test_emergency_contact_without_phone_or_with_a_wrong_one_is_refused_at_the_field(world):
    client = _client(world.users["guardian"])
    url = reverse("child-emergency-contacts", args=[world.pupil3.pk])

    refused = client.post(url, _rows(("Oma Jans", "oma", ""), ("Piet", "", "12")))
    page = client.get(refused["Location"]).content.decode()

    assert refused.status_code == 303
    assert 'id="id_phone_1_error"' in page
    assert 'id="id_phone_2_error"' in page
    assert 'value="Oma Jans"' in page
    assert not EmergencyContact.objects.exists()


def test_emergency_contacts_saved_unchanged_record_nothing(world):
    client = _client(world.users["guardian"])
    url = reverse("child-emergency-contacts", args=[world.pupil3.pk])
    client.post(url, _rows(("Oma Jans", "oma", "06 12121212")))
    records, events = ChangeRecord.objects.count(), AccessEvent.objects.count()

    client.post(url, _rows(("Oma Jans", "oma", "06 12121212")))

    assert ChangeRecord.objects.count() == records
    assert AccessEvent.objects.count() == events  # no change, no read (the POST reads nothing)


def test_only_four_emergency_contacts_are_offered(world):
    page = (
        _client(world.users["guardian"])
        .get(reverse("child-emergency-contacts", args=[world.pupil3.pk]))
        .content.decode()
    )
    assert 'name="name_4"' in page
    assert 'name="name_5"' not in page


# --- which road ------------------------------------------------------------------------------


def test_child_page_tells_which_road_to_take(world):
    page = (
        _client(world.users["guardian"])
        .get(reverse("child-detail", args=[world.pupil3.pk]))
        .content.decode()
    )
    assert reverse("my-contact") in page
    assert reverse("my-address") in page
    assert reverse("child-emergency-contacts", args=[world.pupil3.pk]) in page
    assert f"{reverse('request-create')}?kind=correction" in page


def test_correction_request_form_points_to_the_self_service_pages(world):
    page = (
        _client(world.users["guardian"])
        .get(reverse("request-create"), {"kind": "correction"})
        .content.decode()
    )
    assert f'href="{reverse("my-contact")}"' in page
    assert f'href="{reverse("my-address")}"' in page


def test_guardian_without_a_guardian_row_gets_404(world):
    from accounts.constants import Role
    from students.services.pupils import role_grant

    from .factories import UserFactory

    user = UserFactory.create()
    role_grant(user=user, role=Role.GUARDIAN)
    assert _client(user).get(reverse("my-contact")).status_code == 404


def test_second_guardian_of_another_family_cannot_touch_this_one(world):
    # Another family's parent, logged in, reaches only their own row: the form has no id.
    stranger = make_guardian_user(world.pupil5, email="stranger@t.example")
    _client(stranger).post(reverse("my-contact"), {"phone": PHONE, "email": "x@t.example"})
    world.users["guardian"].guardian.refresh_from_db()
    assert world.users["guardian"].guardian.phone != PHONE
    stranger.guardian.refresh_from_db()
    assert stranger.guardian.phone == PHONE


# --- the contact address is the parent's own ------------------------------------------------

TAKEN = "This address cannot be used; choose another, or ask the school."


def _other_guardian_of_the_board(world):
    from students.models import Guardian

    # The world's guardian of other_pupil: another school of the same board, no account.
    return Guardian.objects.get(links__student=world.other_pupil)


@pytest.mark.parametrize("whose", ["staff login", "guardian of the board", "other parent login"])
def test_contact_email_of_someone_else_is_refused_at_the_field_without_saying_whose(world, whose):
    from students.models import Guardian

    if whose == "staff login":
        taken = "Admin@T.example"
    elif whose == "guardian of the board":
        other = _other_guardian_of_the_board(world)
        Guardian.objects.filter(pk=other.pk).update(email="Oma.Elders@t.example")
        taken = " oma.elders@T.EXAMPLE "
    else:
        taken = "PARENT-LIMITED@t.example"
    parent = world.users["guardian"]
    client = _client(parent)

    refused = client.post(reverse("my-contact"), _contact_form(world, email=taken))

    assert refused.status_code == 303
    page = client.get(refused["Location"]).content.decode()
    assert 'id="id_email_error"' in page
    assert TAKEN in page
    for revealing in ("administration", "guardian", "account", "staff"):
        assert revealing not in TAKEN.lower()
    parent.guardian.refresh_from_db()
    assert parent.guardian.email == "parent@t.example"
    assert not ChangeRecord.objects.exists()
    assert mail.outbox == []


def test_the_service_refuses_someone_elses_address_at_the_field_too(world):
    from students.exceptions import EditError
    from students.services.self_service import own_contact_update

    parent = world.users["guardian"]
    with pytest.raises(EditError) as refused:
        own_contact_update(
            actor=parent, guardian=parent.guardian, phone=PHONE, email="ADMIN@t.example"
        )
    assert [str(m) for m in refused.value.field_errors["email"]] == [TAKEN]
    parent.guardian.refresh_from_db()
    assert parent.guardian.email == "parent@t.example"
    assert parent.guardian.phone != PHONE


def test_own_login_address_may_be_the_contact_address(world):
    from students.models import Guardian

    parent = world.users["guardian"]
    Guardian.objects.filter(pk=parent.guardian.pk).update(email="thuis@t.example")

    response = _client(parent).post(
        reverse("my-contact"), _contact_form(world, email="Parent@T.example")
    )

    assert response.status_code == 302
    parent.guardian.refresh_from_db()
    assert parent.guardian.email == "parent@t.example"  # normalised, as accounts keep it


def test_a_case_only_difference_in_the_contact_address_is_no_change(world):
    from students.services.self_service import own_contact_update

    parent = world.users["guardian"]
    guardian = parent.guardian

    response = _client(parent).post(
        reverse("my-contact"),
        _contact_form(world, email=" Parent@T.Example ", phone=f" {guardian.phone} "),
    )

    assert response.status_code == 302
    assert not own_contact_update(
        actor=parent, guardian=guardian, phone=guardian.phone, email="PARENT@t.example"
    )
    assert not ChangeRecord.objects.exists()
    assert mail.outbox == []
    guardian.refresh_from_db()
    assert guardian.email == "parent@t.example"
