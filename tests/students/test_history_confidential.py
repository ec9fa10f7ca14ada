"""A confidential guardian's address never reaches the co-guardian through the child's history
(issue 24): not on the child page ("Changes to the data"), not in ``changes_for_guardian``, not
in the access package's ``changes``. Two roads: the parent moved with the child before the
school made her contact data confidential (the child's record kept the values), and the school
sets the child's address to a confidential parent's address by hand (the record keeps none).
The confidential parent herself and the school still see the record."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from privacy_requests.package import package_data
from students.models import ChangeRecord, Guardian
from students.selectors import student_access_for
from students.selectors.history import changes_for, changes_for_guardian
from students.services.editing import guardian_update, student_update
from students.services.self_service import address_change_confirm, address_change_propose

from .factories import make_guardian_user

SCHOOL = ChangeRecord.Channel.SCHOOL
SECRET = {"street": "Geheimstraat", "house_number": "7", "postal_code": "8012 AB", "city": "Zwolle"}
SECRET_LINE = "Geheimstraat 7, 8012 AB Zwolle"
TRACES = ("Geheimstraat", "8012 AB")
ADDRESS_LABELS = {"Street", "House number", "Postal code", "City"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _client(user) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def _words(entries) -> str:
    return json.dumps(
        [(e.title, [(c.label, c.old, c.new) for c in e.changes]) for e in entries],
        ensure_ascii=False,
    )


def _labels(entries) -> set[str]:
    return {change.label for entry in entries for change in entry.changes}


def _for_guardian(student, user):
    return changes_for_guardian(
        student, guardian_id=user.guardian.pk, user_id=user.pk, has_authority=True
    )


@pytest.fixture
def moved_then_confidential(request_world):
    """Mara moves with Tim (pupil3) to Geheimstraat; the school confirms; only later does it
    make her contact data confidential. The co-guardian is ``guardian`` (the access request's
    requester)."""
    world = request_world
    admin = world.users["administration"]
    mara = make_guardian_user(world.pupil3, email="mara@home.example")
    change = address_change_propose(
        actor=mara,
        guardian=mara.guardian,
        moves_on=timezone.localdate(),
        students=[world.pupil3],
        **SECRET,
    )
    address_change_confirm(actor=admin, change=change)
    guardian_update(
        actor=admin,
        guardian=mara.guardian,
        changes={"contact_confidential": True},
        channel=SCHOOL,
        school_id=world.school.pk,
        student=world.pupil3,
    )
    world.pupil3.refresh_from_db()
    return mara


@pytest.fixture
def set_by_school(request_world):
    """Mara's contact data is confidential already; the school corrects Tim's address to hers
    on its edit page (the service behind it and the API)."""
    world = request_world
    admin = world.users["administration"]
    mara = make_guardian_user(world.pupil3, email="mara@home.example", confidential=True)
    Guardian.objects.filter(pk=mara.guardian.pk).update(address=SECRET_LINE)
    student_update(actor=admin, student=world.pupil3, changes=dict(SECRET), channel=SCHOOL)
    world.pupil3.refresh_from_db()
    return mara


@pytest.fixture(params=["moved_then_confidential", "set_by_school"])
def mara(request):
    return request.getfixturevalue(request.param)


def test_the_co_guardians_child_page_shows_no_change_of_the_address(request_world, mara):
    co = request_world.users["guardian"]
    page = _client(co).get(reverse("child-detail", args=[request_world.pupil3.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for trace in TRACES:
        assert trace not in text, trace


def test_changes_for_guardian_holds_no_trace_of_the_address(request_world, mara):
    entries = _for_guardian(request_world.pupil3, request_world.users["guardian"])
    words = _words(entries)
    for trace in TRACES:
        assert trace not in words, trace
    # Not even that it changed: the address is the confidential parent's now.
    assert not _labels(entries) & ADDRESS_LABELS


def test_the_co_guardians_access_package_holds_no_trace_of_the_address(request_world, mara):
    request = request_world.requests["access"]
    assert request.guardian_id == request_world.users["guardian"].guardian.pk
    data = package_data(request)
    changes = json.dumps(data["changes"], ensure_ascii=False)
    for trace in TRACES:
        assert trace not in changes, trace
    for label in ADDRESS_LABELS:
        assert f"{label}:" not in changes and f"{label} changed" not in changes, label
    assert SECRET["street"] not in json.dumps(data, ensure_ascii=False)


def test_the_confidential_parent_still_sees_the_change(request_world, mara):
    entries = _for_guardian(request_world.pupil3, mara)
    assert _labels(entries) >= ADDRESS_LABELS


def test_staff_still_see_the_change(request_world, mara):
    admin = request_world.users["administration"]
    access = student_access_for(user=admin, student=request_world.pupil3)
    entries = changes_for(admin, request_world.pupil3, access)
    assert _labels(entries) >= ADDRESS_LABELS


def test_moved_then_confidential_the_parent_and_staff_keep_the_values(
    request_world, moved_then_confidential
):
    # Kept when she was not yet confidential: the school and she herself still read them.
    admin = request_world.users["administration"]
    access = student_access_for(user=admin, student=request_world.pupil3)
    assert "Geheimstraat" in _words(changes_for(admin, request_world.pupil3, access))
    assert "Geheimstraat" in _words(_for_guardian(request_world.pupil3, moved_then_confidential))


def test_the_school_setting_a_confidential_address_keeps_no_values(request_world, set_by_school):
    record = ChangeRecord.objects.filter(
        student=request_world.pupil3, subject=ChangeRecord.Subject.PUPIL
    ).latest("id")
    assert record.confidential
    assert record.guardian_id == set_by_school.guardian.pk
    assert set(SECRET) <= set(record.fields)
    assert not set(record.values) & set(SECRET)
    assert "Geheimstraat" not in json.dumps(record.values)


def test_the_schools_api_patch_to_a_confidential_address_keeps_no_values(world):
    admin = world.users["administration"]
    co = world.users["guardian"]
    mara = make_guardian_user(world.pupil3, email="mara@home.example", confidential=True)
    Guardian.objects.filter(pk=mara.guardian.pk).update(address=SECRET_LINE)
    response = _client(admin).patch(
        f"/api/v1/students/{world.pupil3.pk}/",
        json.dumps(SECRET),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    record = ChangeRecord.objects.filter(student=world.pupil3).latest("id")
    assert record.confidential and record.guardian_id == mara.guardian.pk
    assert "Geheimstraat" not in json.dumps(record.values)
    assert "Geheimstraat" not in _words(_for_guardian(world.pupil3, co))


def test_moving_the_child_away_from_the_confidential_address_keeps_the_old_one_hidden(
    world,
):
    admin = world.users["administration"]
    co = world.users["guardian"]
    mara = make_guardian_user(world.pupil3, email="mara@home.example", confidential=True)
    Guardian.objects.filter(pk=mara.guardian.pk).update(address=SECRET_LINE)
    student_update(actor=admin, student=world.pupil3, changes=dict(SECRET), channel=SCHOOL)
    student_update(
        actor=admin,
        student=world.pupil3,
        changes={"street": "Open Laan", "house_number": "1", "postal_code": "8011 AA"},
        channel=SCHOOL,
    )
    words = _words(_for_guardian(world.pupil3, co))
    for trace in TRACES:
        assert trace not in words, trace


def test_an_address_change_of_an_open_parent_still_shows_to_the_co_guardian(world):
    admin = world.users["administration"]
    co = world.users["guardian"]
    make_guardian_user(world.pupil3, email="mara@home.example", confidential=True)
    student_update(actor=admin, student=world.pupil3, changes=dict(SECRET), channel=SCHOOL)
    # Mara's address is not this one: nothing to hide, the values show as before.
    assert "Geheimstraat" in _words(_for_guardian(world.pupil3, co))
