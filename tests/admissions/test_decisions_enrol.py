"""Enrolment from an application: the enrolment form of ``students`` filled in from it, the
one enrolment service (``pupil_enrol``) creating the pupil, the guardians with their
authority and their invitations; the application linked and closed. And the refusal letter."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from admissions.constants import ApplicationStatus, TimelineKind
from admissions.document_decisions import refusal_letter_pdf
from students.models import Guardianship, Invitation, Student
from tests.test_permission_matrix import pdf_texts

from .factories_decisions import ApplicationFactory

BSN = "582037165"  # valid by the 11-test


def _application(world):
    return ApplicationFactory.create(
        school=world.school,
        born_abroad=True,
        arrived_in_netherlands_on=timezone.localdate() - datetime.timedelta(days=300),
        guardians=[
            {"first_name": "Sanne", "surname": "van Dijk", "email": "sanne@thuis.example"},
            {
                "first_name": "Tom",
                "surname": "Bos",
                "email": "tom.bos@elders.example",
                "has_authority": False,
                "authority_decided_on": datetime.date(2024, 5, 6),
                "authority_reference": "C/13/7654321",
            },
        ],
    )


def _posted(client, url) -> dict:
    """What the page offers, as the browser would send it, plus what enrolment adds."""
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value in (None, False, ""):
            continue
        data[name] = "on" if value is True else value
    return data


def test_enrol_page_is_filled_in_from_the_application(world, client):
    application = _application(world)
    client.force_login(world.users["director"])

    body = client.get(reverse("application-enrol", args=[application.pk])).content.decode()

    for value in (
        'value="Lotte Maria"',
        f'value="{application.surname}"',
        f'value="{application.date_of_birth.isoformat()}"',
        'value="Kinderdagverblijf De Kikker"',
        'value="sanne@thuis.example"',
        'value="C/13/7654321"',
        'value="2024-05-06"',
    ):
        assert value in body, value
    assert 'name="bsn"' in body  # what enrolment adds is asked


def test_enrol_creates_the_pupil_with_guardians_and_invitations_and_closes_the_application(
    world, client, django_capture_on_commit_callbacks
):
    application = _application(world)
    client.force_login(world.users["director"])
    url = reverse("application-enrol", args=[application.pk])
    data = {
        **_posted(client, url),
        "group": world.group3.pk,
        "start_date": timezone.localdate().isoformat(),
        "sex": "F",
        "bsn": BSN,
        "street": "Lindelaan",
        "house_number": "3",
        "postal_code": "8011 AB",
        "city": "Zwolle",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 303
    application.refresh_from_db()
    pupil = application.student
    assert pupil is not None
    assert application.status == ApplicationStatus.ENROLLED
    assert application.decided_by == world.users["director"]
    assert application.decided_on == timezone.localdate()
    assert application.timeline.filter(kind=TimelineKind.ENROLLED).exists()
    assert (pupil.given_name, pupil.group, pupil.previous_school, pupil.born_abroad) == (
        "Lotte",
        world.group3,
        "Kinderdagverblijf De Kikker",
        True,
    )
    links = {g.guardian.first_name: g for g in Guardianship.objects.filter(student=pupil)}
    assert links["Sanne"].has_authority
    assert not links["Tom"].has_authority
    assert (links["Tom"].authority_decided_on, links["Tom"].authority_reference) == (
        datetime.date(2024, 5, 6),
        "C/13/7654321",
    )
    invited = set(Invitation.objects.filter(guardian__links__student=pupil).values_list("email"))
    assert invited == {("sanne@thuis.example",), ("tom.bos@elders.example",)}
    # The invitations, and the notice to the applicant that there is news.
    assert {m.to[0] for m in mail.outbox} >= {application.email, "sanne@thuis.example"}


def test_refused_enrolment_keeps_everything_typed_with_the_error_at_the_field(world, client):
    application = _application(world)
    client.force_login(world.users["director"])
    client.cookies["django_language"] = "en"
    url = reverse("application-enrol", args=[application.pk])
    data = {
        **_posted(client, url),
        "group": world.group3.pk,
        "start_date": timezone.localdate().isoformat(),
        "sex": "F",
        "bsn": "123456789",  # fails the 11-test
        "street": "Getypte Straat",
    }
    before = Student.objects.count()

    response = client.post(url, data)

    assert response.status_code == 303
    assert response["Location"] == url
    page = client.get(url)
    assert page.context["form"].errors["bsn"]
    body = page.content.decode()
    assert 'value="Getypte Straat"' in body
    assert 'value="123456789"' in body
    assert Student.objects.count() == before
    application.refresh_from_db()
    assert (application.status, application.student) == (ApplicationStatus.RECEIVED, None)


def test_refused_by_the_enrolment_service_writes_nothing(world, client):
    """A start date before the 4th birthday passes the form but not the service: the reason
    at its field, no pupil, the application still open."""
    application = _application(world)
    application.date_of_birth = timezone.localdate() - datetime.timedelta(days=3 * 365)
    application.save(update_fields=["date_of_birth"])
    client.force_login(world.users["director"])
    url = reverse("application-enrol", args=[application.pk])
    data = {
        **_posted(client, url),
        "group": world.group3.pk,
        "start_date": timezone.localdate().isoformat(),
        "sex": "M",
        "bsn": BSN,
    }

    client.post(url, data)

    assert client.get(url).context["form"].errors["start_date"]
    assert not Student.objects.filter(bsn_hash__isnull=False, given_name="Lotte").exists()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECEIVED


# --- The refusal letter --------------------------------------------------------------------


def _letter_text(application) -> str:
    return "".join(pdf_texts(refusal_letter_pdf(application)))


def test_refusal_letter_of_a_public_school_carries_the_objection_clause(world):
    application = ApplicationFactory.create(school=world.school, refused=True)
    text = _letter_text(application)
    assert application.reference in text
    assert "SBODeWegwijzer" in text  # the referral school (whitespace is dropped)
    assert "6weken" in text or "6weeks" in text
    assert world.school.board.name.replace(" ", "") in text


def test_refusal_letter_of_a_special_school_has_no_objection_clause(world):
    world.school.is_public = False
    world.school.save(update_fields=["is_public"])
    application = ApplicationFactory.create(school=world.school, refused=True)
    text = _letter_text(application)
    assert "6weken" not in text and "6weeks" not in text
    assert "Awb" not in text


@pytest.mark.parametrize(
    ("role", "status"),
    [("director", 200), ("administration", 200), ("care_coordinator", 403), ("teacher", 403)],
)
def test_refusal_letter_is_downloaded_by_those_who_handle_applications(world, client, role, status):
    application = ApplicationFactory.create(school=world.school, refused=True)
    client.force_login(world.users[role])
    response = client.get(reverse("application-refusal-letter", args=[application.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"


def test_an_open_application_has_no_refusal_letter(world, client):
    application = ApplicationFactory.create(school=world.school)
    client.force_login(world.users["director"])
    response = client.get(reverse("application-refusal-letter", args=[application.pk]))
    assert response.status_code == 404
