"""The leaving's pages: the form and its confirmation, the leaving's page with the notice, the
proof of withdrawal for the school and for a parent with parental authority."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from admissions.constants import LeavingReason
from admissions.models import Departure
from admissions.services.leaving import pupil_leave
from audit.models import AccessEvent
from students.models import Student
from suppliers.constants import RecipientKind
from suppliers.models import Recipient
from tests.test_permission_matrix import pdf_texts

TODAY = datetime.date(2026, 12, 4)
FORM = {
    "left_on": "2026-12-04",
    "reason": "other_school",
    "destination_name": "OBS De Regenboog, Utrecht",
    "destination_brin": "07QX",
    "enrolment_confirmed_on": "2026-11-30",
}


@pytest.fixture(autouse=True)
def _today():
    with freeze_time("2026-12-04 10:00:00"):
        yield


@pytest.fixture
def admin_client(world, client):
    client.cookies["django_language"] = "en"
    client.force_login(world.users["administration"])
    return client


def test_the_pupil_page_offers_the_leaving_to_those_who_may(world, client):
    client.cookies["django_language"] = "en"
    url = reverse("student-detail", args=[world.pupil3.pk])
    record = reverse("leaving-record", args=[world.pupil3.pk])
    for role, offered in (("administration", True), ("director", True), ("teacher", False)):
        client.force_login(world.users[role])
        assert (record in client.get(url).content.decode()) is offered, role


def test_refused_input_comes_back_at_its_field_with_what_was_typed(world, admin_client):
    url = reverse("leaving-record", args=[world.pupil3.pk])
    assert admin_client.get(url).status_code == 200
    data = {**FORM, "destination_brin": "", "enrolment_confirmed_on": ""}
    response = admin_client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_destination_brin_error"' in body
    assert 'id="id_enrolment_confirmed_on_error"' in body
    assert "OBS De Regenboog, Utrecht" in body  # kept
    assert Student.objects.get(pk=world.pupil3.pk).withdrawn_on is None


def test_the_confirmation_says_what_will_happen_then_the_leaving_is_recorded(world, admin_client):
    url = reverse("leaving-record", args=[world.pupil3.pk])
    response = admin_client.post(url, FORM)
    assert response.status_code == 200
    body = response.content.decode()
    assert "leaves their group on" in body
    assert "DUO within 7 days" in body
    assert "attendance officer" not in body  # confirmed by the new school: no notice
    assert Student.objects.get(pk=world.pupil3.pk).withdrawn_on is None  # nothing yet

    # "Change what you entered" brings the form back as typed.
    back = admin_client.post(url, {**FORM, "action": "edit"})
    assert back.status_code == 200
    assert 'value="07QX"' in back.content.decode()

    done = admin_client.post(reverse("leaving-confirm", args=[world.pupil3.pk]), FORM)
    assert done.status_code == 302
    assert done["Location"] == reverse("leaving-detail", args=[world.pupil3.pk])
    detail = admin_client.get(done["Location"])
    assert detail.status_code == 200
    assert "OBS De Regenboog, Utrecht" in detail.content.decode()
    assert Departure.objects.get(student=world.pupil3).destination_brin == "07QX"
    # The form of a pupil who left leads to their leaving instead.
    assert admin_client.get(url)["Location"] == done["Location"]


def test_a_refused_confirmation_goes_back_to_the_form_with_the_reason(world, admin_client):
    data = {**FORM, "enrolment_confirmed_on": ""}
    response = admin_client.post(reverse("leaving-confirm", args=[world.pupil3.pk]), data)
    assert response.status_code == 303
    form = admin_client.get(response["Location"])
    body = form.content.decode()
    assert 'id="id_enrolment_confirmed_on_error"' in body
    assert "OBS De Regenboog, Utrecht" in body
    assert not Departure.objects.exists()


def test_the_notice_to_the_attendance_officer_is_shown_and_marked_sent(world, admin_client):
    Recipient.objects.create(
        board=world.school.board,
        kind=RecipientKind.ATTENDANCE_OFFICER,
        name="Leerplicht Gemeente Noord",
        legal_basis="Leerplichtwet 1969",
        attributes=["first_name", "last_name", "bsn"],
    )
    data = {**FORM, "reason": "abroad", "destination_brin": "", "destination_name": ""}
    review = admin_client.post(reverse("leaving-record", args=[world.pupil3.pk]), data)
    assert "attendance officer" in review.content.decode()
    admin_client.post(reverse("leaving-confirm", args=[world.pupil3.pk]), data)
    detail = admin_client.get(reverse("leaving-detail", args=[world.pupil3.pk]))
    body = detail.content.decode()
    assert "Leerplicht Gemeente Noord" in body
    assert "Not yet sent" in body
    admin_client.post(reverse("leaving-notice-sent", args=[world.pupil3.pk]))
    departure = Departure.objects.get(student=world.pupil3)
    assert departure.attendance_notice_sent_at is not None
    assert departure.attendance_notice_sent_by == world.users["administration"]


def _left(world) -> Student:
    pupil_leave(
        actor=world.users["director"],
        student=world.pupil3,
        left_on=TODAY,
        reason=LeavingReason.OTHER_SCHOOL,
        destination_brin="07QX",
        destination_name="OBS De Regenboog",
        enrolment_confirmed_on=datetime.date(2026, 11, 30),
    )
    return Student.objects.get(pk=world.pupil3.pk)


def test_the_proof_names_school_pupil_dates_and_new_school(world, client):
    pupil = _left(world)
    client.force_login(world.users["administration"])
    response = client.get(reverse("leaving-proof", args=[pupil.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(pdf_texts(response.content))
    full_name = f"{pupil.first_names}{pupil.surname_prefix}{pupil.surname}".replace(" ", "")
    for expected in (
        "OBSSamenEen",
        "12AB",
        full_name,
        "1mei2019",  # date of birth, in Dutch
        "21augustus2023",  # enrolment
        "4december2026",  # leaving and signing date
        "OBSDeRegenboog(BRIN07QX)",
        "30november2026",  # the new school's confirmation
    ):
        assert expected in text, expected
    assert world.users["director"].full_name.replace(" ", "") not in text  # by role, not name


def test_a_parent_with_authority_downloads_the_proof_from_the_former_childs_page(world, client):
    pupil = _left(world)
    client.cookies["django_language"] = "en"
    client.force_login(world.users["guardian"])
    page = client.get(reverse("child-detail", args=[pupil.pk]))
    assert page.status_code == 200
    proof = reverse("leaving-proof-parent", args=[pupil.pk])
    assert proof in page.content.decode()
    before = AccessEvent.objects.filter(object_type="leaving_proof", outcome="allowed").count()
    assert client.get(proof).status_code == 200
    assert client.get(proof).status_code == 200
    after = AccessEvent.objects.filter(object_type="leaving_proof", outcome="allowed").count()
    assert after == before + 2  # every download


def test_a_parent_without_authority_sees_the_former_child_but_not_the_proof(world, client):
    pupil = _left(world)
    client.force_login(world.users["guardian_limited"])
    page = client.get(reverse("child-detail", args=[pupil.pk]))
    assert page.status_code == 200
    proof = reverse("leaving-proof-parent", args=[pupil.pk])
    assert proof not in page.content.decode()
    assert client.get(proof).status_code == 404


def test_no_proof_for_a_pupil_who_has_not_left(world, client):
    client.force_login(world.users["guardian"])
    assert client.get(reverse("leaving-proof-parent", args=[world.pupil3.pk])).status_code == 404
    client.force_login(world.users["administration"])
    assert client.get(reverse("leaving-proof", args=[world.pupil3.pk])).status_code == 404
    assert client.get(reverse("leaving-detail", args=[world.pupil3.pk])).status_code == 404
