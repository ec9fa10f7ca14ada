"""The school's edits through the API (issue 24, part 1): ``PATCH /api/v1/students/<id>/``
and ``GET``/``PATCH /api/v1/students/<id>/guardians/<gid>/``, the same services as the pages:
400 with ``detail`` and ``errors`` per field, 403 without the function, 404 outside the school,
409 on a stale version; the pupil's answer has the GET's fixed shape."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.constants import Action
from audit.models import AccessEvent
from students.models import ChangeRecord, Guardian, Student

from .factories import GuardianFactory, link_guardian


def _client(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def _pupil_url(student) -> str:
    return reverse("api:student-detail", args=[student.pk])


def _guardian_url(student, guardian) -> str:
    return reverse("api:student-guardian", args=[student.pk, guardian.pk])


def test_a_patch_changes_the_pupil_and_answers_in_the_gets_shape(world):
    client = _client(world.users["administration"])
    shape = set(client.get(_pupil_url(world.pupil3)).json())

    response = client.patch(
        _pupil_url(world.pupil3), {"city": "Zwolle", "postal_code": "8011ab"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert set(response.json()) == shape
    assert response.json()["address"] == "Schoolstraat 1, 8011 AB Zwolle"
    assert response["ETag"]
    record = ChangeRecord.objects.get()
    assert (record.channel, record.subject) == (ChangeRecord.Channel.API, "pupil")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"postal_code": "ABCD 12"}, "postal_code"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "not a date"}, "date_of_birth"),
        ({"bsn": "123456789"}, "bsn"),
        ({"sex": "Q"}, "sex"),
        ({"year_group": 5}, "year_group"),
    ],
)
def test_a_refused_patch_answers_400_with_the_field(world, body, field):
    client = _client(world.users["director"])
    before = Student.objects.get(pk=world.pupil3.pk).city

    response = client.patch(_pupil_url(world.pupil3), body, format="json")

    assert response.status_code == 400
    assert response.json()["detail"]
    assert field in response.json()["errors"]
    assert Student.objects.get(pk=world.pupil3.pk).city == before
    assert not ChangeRecord.objects.exists()


@pytest.mark.parametrize("role", ["teacher", "care_coordinator", "guardian", "privacy_officer"])
def test_a_patch_without_the_function_is_403_and_on_the_record(world, role):
    response = _client(world.users[role]).patch(
        _pupil_url(world.pupil3), {"city": "Zwolle"}, format="json"
    )
    assert response.status_code == 403
    assert AccessEvent.objects.filter(
        request_id=response["X-Request-ID"], outcome="denied"
    ).exists()
    assert Student.objects.get(pk=world.pupil3.pk).city == "Amsterdam"


def test_a_patch_of_a_pupil_of_another_school_is_404_and_without_login_401(world):
    response = _client(world.users["administration"]).patch(
        _pupil_url(world.other_pupil), {"city": "Zwolle"}, format="json"
    )
    assert response.status_code == 404
    assert (
        _client().patch(_pupil_url(world.pupil3), {"city": "X"}, format="json").status_code == 401
    )


def test_a_patch_on_a_stale_version_is_409(world):
    client = _client(world.users["administration"])
    first = client.patch(_pupil_url(world.pupil3), {"city": "Ede"}, format="json")
    etag = first["ETag"]
    client.patch(_pupil_url(world.pupil3), {"city": "Epe"}, format="json")

    stale = client.patch(
        _pupil_url(world.pupil3), {"street": "Dorpsstraat"}, format="json", HTTP_IF_MATCH=etag
    )

    assert stale.status_code == 409
    assert "Someone else changed" in stale.json()["detail"]
    assert Student.objects.get(pk=world.pupil3.pk).street == "Schoolstraat"


def test_an_unchanged_patch_records_nothing(world):
    client = _client(world.users["administration"])
    updates = AccessEvent.objects.filter(action=Action.UPDATE).count()
    response = client.patch(_pupil_url(world.pupil3), {"city": "Amsterdam"}, format="json")
    assert response.status_code == 200
    assert not ChangeRecord.objects.exists()
    assert AccessEvent.objects.filter(action=Action.UPDATE).count() == updates


def test_the_guardian_endpoint_reads_and_changes_a_guardian(world):
    guardian = world.users["guardian"].guardian
    client = _client(world.users["administration"])
    url = _guardian_url(world.pupil3, guardian)

    read = client.get(url)
    assert read.status_code == 200
    assert read.json()["has_account"] is True
    refused = client.patch(url, {"phone": "12"}, format="json")
    assert refused.status_code == 400 and "phone" in refused.json()["errors"]
    changed = client.patch(
        url, {"phone": "0612345678", "version": read.json()["version"]}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert Guardian.objects.get(pk=guardian.pk).phone == "0612345678"
    stale = client.patch(
        url, {"phone": "0687654321", "version": read.json()["version"]}, format="json"
    )
    assert stale.status_code == 409


def test_the_guardian_endpoint_is_for_the_schools_administration_only(world):
    guardian = world.users["guardian"].guardian
    other = GuardianFactory.create()
    link_guardian(other, world.other_pupil)
    for role in ("teacher", "guardian", "care_coordinator"):
        assert (
            _client(world.users[role]).get(_guardian_url(world.pupil3, guardian)).status_code == 403
        )
    admin = _client(world.users["administration"])
    assert admin.get(_guardian_url(world.other_pupil, other)).status_code == 404
    assert admin.patch(_guardian_url(world.pupil3, other), {}, format="json").status_code == 404
    assert _client().get(_guardian_url(world.pupil3, guardian)).status_code == 401


def test_the_schema_documents_the_edits():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    pupil = schema["paths"]["/api/v1/students/{student_id}/"]
    assert pupil["patch"]["operationId"] == "students_partial_update"
    guardian = schema["paths"]["/api/v1/students/{student_id}/guardians/{guardian_id}/"]
    assert {"get", "patch"} <= set(guardian)
