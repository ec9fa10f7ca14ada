"""Enrolment: the service (each refusal, guardian reuse, invitations, evidence), the page
(keeps what was typed, post/redirect/get, scope) and the API's POST."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time
from rest_framework.test import APIClient

from audit.models import AccessEvent
from kernel.crypto import lookup_hash
from students.exceptions import EnrolmentError
from students.models import Guardian, Guardianship, Invitation, Student
from students.services.enrolment import GuardianDetails, PupilDetails, pupil_enrol
from tests.students.factories import (
    BoardFactory,
    GroupFactory,
    GuardianFactory,
    SchoolFactory,
    StudentFactory,
    link_guardian,
)

BSN = "123456708"
OTHER_BSN = "123456721"
TODAY = "2026-12-04"
START = datetime.date(2027, 1, 11)


def _pupil(**overrides) -> PupilDetails:
    data = {
        "first_names": "Femke Johanna",
        "given_name": "Femke",
        "surname": "Jansen",
        "date_of_birth": datetime.date(2022, 10, 3),
        "sex": "F",
        "bsn": BSN,
        "street": "Dorpsstraat",
        "house_number": "4",
        "postal_code": "1234 ab",
        "city": "Utrecht",
        "previous_school": "Kinderopvang De Vlinder",
    }
    return PupilDetails(**{**data, **overrides})


def _guardian(**overrides) -> GuardianDetails:
    data = {"first_name": "Anna", "surname": "Jansen", "email": "anna.jansen@t.example"}
    return GuardianDetails(**{**data, **overrides})


@pytest.fixture
def group1(world):
    return GroupFactory.create(school=world.school, name="Groep 1", year_group_low=1)


def _enrol(world, group, *, pupil=None, guardians=None, user=None, school=None, start=START):
    return pupil_enrol(
        user=user or world.users["administration"],
        school=school or world.school,
        group=group,
        start_date=start,
        pupil=pupil or _pupil(),
        guardians=guardians if guardians is not None else [_guardian()],
    )


def _refusal(world, group, **kwargs) -> dict:
    with pytest.raises(EnrolmentError) as caught:
        _enrol(world, group, **kwargs)
    return caught.value.field_errors


@freeze_time(TODAY)
def test_enrolment_creates_pupil_guardians_and_invitations(
    world, group1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        student = _enrol(
            world,
            group1,
            pupil=_pupil(born_abroad=True, arrived_in_netherlands_on=datetime.date(2024, 5, 1)),
            guardians=[
                _guardian(),
                _guardian(
                    first_name="Bram",
                    surname="Visser",
                    email="bram@t.example",
                    has_authority=False,
                    authority_decided_on=datetime.date(2025, 3, 1),
                    authority_reference="C/16/123456",
                ),
            ],
        )
    student.refresh_from_db()
    assert (student.school, student.group, student.year_group) == (world.school, group1, 1)
    assert student.enrolled_on == START and student.bsn == BSN and student.postal_code == "1234 AB"
    assert student.previous_school == "Kinderopvang De Vlinder"
    assert student.arrived_in_netherlands_on == datetime.date(2024, 5, 1)
    links = {link.guardian.surname: link for link in Guardianship.objects.filter(student=student)}
    assert links["Jansen"].has_authority is True
    assert not links["Visser"].has_authority
    assert links["Visser"].authority_reference == "C/16/123456"
    assert links["Visser"].authority_decided_on == datetime.date(2025, 3, 1)
    assert Invitation.objects.filter(guardian__links__student=student).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["anna.jansen@t.example", "bram@t.example"]
    # No email the portal sends carries the child's data.
    assert all("Femke" not in m.body and BSN not in m.body for m in mail.outbox)


@freeze_time(TODAY)
def test_enrolment_is_on_the_record_without_the_bsn(world, group1):
    before = AccessEvent.objects.count()
    student = _enrol(world, group1)
    events = AccessEvent.objects.order_by("pk")[before:]
    created = [e for e in events if e.object_type == "student" and e.action == "create"]
    assert len(created) == 1 and created[0].student_id == student.pk
    assert created[0].actor_id == world.users["administration"].pk
    assert {e.object_type for e in events} >= {"student", "guardianship", "invitation"}
    for event in events:
        assert BSN not in " ".join(str(v) for v in event.__dict__.values())


@freeze_time(TODAY)
@pytest.mark.parametrize(
    ("pupil", "field"),
    [
        ({"bsn": "123456789"}, "bsn"),
        ({"bsn": "12345"}, "bsn"),
        ({"bsn": ""}, "bsn"),
        ({"date_of_birth": datetime.date(2023, 3, 1)}, "start_date"),
        ({"date_of_birth": datetime.date(2027, 3, 1)}, "date_of_birth"),
        ({"born_abroad": True}, "arrived_in_netherlands_on"),
        ({"sex": "Q"}, "sex"),
        ({"given_name": " "}, "given_name"),
    ],
)
def test_enrolment_refused_at_the_field_when_pupil_data_is_wrong(world, group1, pupil, field):
    errors = _refusal(world, group1, pupil=_pupil(**pupil))
    assert field in errors
    assert not Student.objects.filter(first_names="Femke Johanna").exists()
    assert not Guardian.objects.filter(email="anna.jansen@t.example").exists()


@freeze_time(TODAY)
def test_start_date_refused_before_the_fourth_birthday_and_allowed_on_it(world, group1):
    errors = _refusal(world, group1, start=datetime.date(2026, 10, 2))
    assert "start_date" in errors
    assert _enrol(world, group1, start=datetime.date(2026, 10, 3)).enrolled_on.day == 3


@freeze_time(TODAY)
def test_enrolment_refused_when_group_is_of_another_school(world):
    errors = _refusal(world, world.other_group)
    assert "group" in errors
    assert not Student.objects.filter(first_names="Femke Johanna").exists()


@freeze_time(TODAY)
def test_enrolment_refused_when_bsn_known_within_the_board(world, group1):
    StudentFactory.create(group=world.other_group, bsn=BSN, bsn_hash=lookup_hash(BSN))
    with translation.override("en"):
        errors = _refusal(world, group1)
    assert "bsn" in errors and "already known" in " ".join(errors["bsn"])


@freeze_time(TODAY)
def test_same_bsn_at_another_board_is_no_duplicate(world, group1):
    StudentFactory.create(group=world.foreign_pupil.group, bsn=BSN, bsn_hash=lookup_hash(BSN))
    assert _enrol(world, group1).bsn == BSN


@freeze_time(TODAY)
def test_limited_authority_needs_the_decision(world, group1):
    errors = _refusal(world, group1, guardians=[_guardian(has_authority=False)])
    assert {"guardians.0.authority_decided_on", "guardians.0.authority_reference"} <= set(errors)


@freeze_time(TODAY)
def test_guardians_refused_when_none_or_more_than_three(world, group1):
    assert "guardians" in _refusal(world, group1, guardians=[])
    four = [_guardian(email=f"p{n}@t.example") for n in range(4)]
    assert "guardians" in _refusal(world, group1, guardians=four)


@freeze_time(TODAY)
def test_known_guardian_of_the_board_is_reused_and_not_invited_twice(world, group1):
    sibling = world.other_pupil  # another school of the same board
    known = GuardianFactory.create(
        first_name="Anna", surname="Jansen", email="anna.jansen@t.example"
    )
    link_guardian(known, sibling)
    student = _enrol(world, group1, guardians=[_guardian(email="  Anna.Jansen@T.example ")])
    assert Guardian.objects.filter(email__iexact="anna.jansen@t.example").count() == 1
    assert list(student.guardians.all()) == [known]


@freeze_time(TODAY)
def test_guardian_with_an_account_is_linked_without_an_invitation(world, group1):
    parent = world.users["guardian"]
    guardian = parent.guardian
    student = _enrol(
        world,
        group1,
        guardians=[
            _guardian(first_name=guardian.first_name, surname=guardian.surname, email=parent.email)
        ],
    )
    assert list(student.guardians.all()) == [guardian]
    assert not Invitation.objects.filter(guardian=guardian).exists()


@freeze_time(TODAY)
def test_known_address_with_another_surname_is_refused(world, group1):
    known = GuardianFactory.create(surname="Smit", email="anna.jansen@t.example")
    link_guardian(known, world.pupil5)
    errors = _refusal(world, group1)
    assert "guardians.0.email" in errors


@freeze_time(TODAY)
def test_guardian_known_only_at_another_board_is_never_reused(world, group1):
    foreign = GuardianFactory.create(
        first_name="Anna", surname="Jansen", email="anna.jansen@t.example"
    )
    link_guardian(foreign, world.foreign_pupil)
    student = _enrol(world, group1)
    assert student.guardians.get() != foreign
    assert Guardian.objects.filter(email="anna.jansen@t.example").count() == 2


# -- the page ---------------------------------------------------------------------------------


def _form_data(world, group, **overrides) -> dict:
    data = {
        "school": world.school.pk,
        "group": group.pk,
        "start_date": "2027-01-11",
        "first_names": "Femke Johanna",
        "given_name": "Femke",
        "surname": "Jansen",
        "date_of_birth": "2022-10-03",
        "sex": "F",
        "bsn": BSN,
        "city": "Utrecht",
        "previous_school": "Kinderopvang De Vlinder",
        "g1_first_name": "Anna",
        "g1_surname": "Jansen",
        "g1_email": "anna.jansen@t.example",
        "g1_has_authority": "yes",
        "g1_invite": "on",
        "g2_first_name": "Bram",
        "g2_surname": "Visser",
        "g2_phone": "06 12345678",
        "g2_has_authority": "yes",
    }
    data.update(overrides)
    return data


@freeze_time(TODAY)
def test_page_enrols_and_redirects_to_the_new_pupil(world, group1, client):
    client.force_login(world.users["administration"])
    response = client.post(reverse("student-enrol"), _form_data(world, group1))
    student = Student.objects.get(surname="Jansen")
    assert response.status_code == 303
    assert response["Location"] == reverse("student-detail", args=[student.pk])
    assert student.guardians.count() == 2
    page = client.get(response["Location"])
    assert "Femke" in page.content.decode()
    assert "Kinderopvang De Vlinder" in page.content.decode()
    assert "ingeschreven" in page.content.decode() or "enrolled" in page.content.decode()


@freeze_time(TODAY)
def test_refused_page_keeps_what_was_typed_and_shows_the_reason_at_the_field(world, group1, client):
    client.force_login(world.users["administration"])
    url = f"{reverse('student-enrol')}?school={world.school.pk}"
    response = client.post(url, _form_data(world, group1, bsn="123456789"))
    assert response.status_code == 303 and response["Location"] == url
    assert not Student.objects.filter(first_names="Femke Johanna").exists()
    body = client.get(url).content.decode()
    assert 'id="id_bsn_error"' in body
    assert (
        'value="Femke Johanna"' in body and 'value="Bram"' in body and 'value="06 12345678"' in body
    )
    # Shown once: a refresh shows the empty form.
    assert 'value="Femke Johanna"' not in client.get(url).content.decode()


@freeze_time(TODAY)
def test_service_refusal_lands_at_the_guardian_field(world, group1, client):
    client.force_login(world.users["administration"])
    url = f"{reverse('student-enrol')}?school={world.school.pk}"
    client.post(url, _form_data(world, group1, g2_has_authority="no"))
    body = client.get(url).content.decode()
    assert 'id="id_g2_authority_decided_on_error"' in body
    assert 'id="id_g2_authority_reference_error"' in body


@freeze_time(TODAY)
@pytest.mark.parametrize(
    ("role", "status"),
    [("teacher", 403), ("guardian", 403), ("care_coordinator", 403), ("privacy_officer", 403)],
)
def test_page_refused_for_roles_without_the_function(world, group1, client, role, status):
    client.force_login(world.users[role])
    assert client.get(reverse("student-enrol")).status_code == status
    response = client.post(reverse("student-enrol"), _form_data(world, group1))
    assert response.status_code == status
    assert not Student.objects.filter(first_names="Femke Johanna").exists()


@freeze_time(TODAY)
def test_page_of_another_school_answers_404(world, client):
    client.force_login(world.users["administration"])
    url = f"{reverse('student-enrol')}?school={world.other_school.pk}"
    assert client.get(url).status_code == 404
    other_group = GroupFactory.create(school=world.other_school, name="Groep 1", year_group_low=1)
    data = _form_data(world, other_group, school=world.other_school.pk)
    assert client.post(url, data).status_code == 404
    assert not Student.objects.filter(first_names="Femke Johanna").exists()


@freeze_time(TODAY)
def test_group_of_another_school_is_not_offered_nor_accepted(world, group1, client):
    client.force_login(world.users["administration"])
    url = f"{reverse('student-enrol')}?school={world.school.pk}"
    assert world.other_group.name not in client.get(url).content.decode()
    client.post(url, _form_data(world, world.other_group))
    assert not Student.objects.filter(first_names="Femke Johanna").exists()


# -- the API ----------------------------------------------------------------------------------


def _api_body(world, group, **overrides) -> dict:
    body = {
        "school": world.school.pk,
        "group": group.pk,
        "start_date": "2027-01-11",
        "pupil": {
            "first_names": "Femke Johanna",
            "given_name": "Femke",
            "surname": "Jansen",
            "date_of_birth": "2022-10-03",
            "sex": "F",
            "bsn": BSN,
        },
        "guardians": [{"first_name": "Anna", "surname": "Jansen", "email": "anna@t.example"}],
    }
    body.update(overrides)
    return body


@freeze_time(TODAY)
def test_api_enrols_with_the_same_service(world, group1):
    client = APIClient()
    client.force_login(world.users["administration"])
    response = client.post(reverse("api:student-list"), _api_body(world, group1), format="json")
    assert response.status_code == 201, response.content
    student = Student.objects.get(pk=response.json()["id"])
    assert student.guardians.get().email == "anna@t.example"
    assert "bsn" not in response.json() or response.json()["bsn"] == BSN


@freeze_time(TODAY)
def test_api_names_the_refused_fields(world, group1):
    client = APIClient()
    client.force_login(world.users["administration"])
    body = _api_body(world, group1)
    body["pupil"]["bsn"] = "123456789"
    response = client.post(reverse("api:student-list"), body, format="json")
    assert response.status_code == 400
    assert "bsn" in response.json()["errors"]


@freeze_time(TODAY)
@pytest.mark.parametrize(
    ("role", "in_scope", "out_of_scope"),
    [
        ("director", 201, 404),
        ("administration", 201, 404),
        ("care_coordinator", 403, 403),
        ("teacher", 403, 403),
        ("privacy_officer", 403, 403),
        ("guardian", 403, 403),
        ("guardian_limited", 403, 403),
    ],
)
def test_api_enrol_status_for_every_role(world, group1, role, in_scope, out_of_scope):
    client = APIClient()
    client.force_login(world.users[role])
    other_group = GroupFactory.create(school=world.other_school, name="Groep 1", year_group_low=1)
    got = client.post(reverse("api:student-list"), _api_body(world, group1), format="json")
    body = _api_body(world, other_group, school=world.other_school.pk)
    body["pupil"] = {**body["pupil"], "bsn": OTHER_BSN}
    out = client.post(reverse("api:student-list"), body, format="json")
    assert (got.status_code, out.status_code) == (in_scope, out_of_scope)


def test_api_enrol_needs_a_login(world, group1):
    response = APIClient().post(
        reverse("api:student-list"), _api_body(world, group1), format="json"
    )
    assert response.status_code == 401


def test_other_board_unaffected(db):
    # A board's own fixture is enough for the service: nothing depends on the demo.
    board = BoardFactory.create(name="Andere stichting")
    assert SchoolFactory.create(board=board).board == board
