"""The append-only audit trail: what is written, what survives a rollback, who reads it."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.constants import Action, Outcome
from audit.models import AccessEvent
from students.services import student_enrol, student_move
from tests.students.factories import PASSWORD, GroupFactory


def _view_event(school, student, outcome, **extra):
    return AccessEvent.objects.create(
        action=Action.VIEW, outcome=outcome, school_id=school.pk, student_id=student.pk, **extra
    )


def _enrol(world):
    return student_enrol(
        actor=world.users["administration"],
        school=world.school,
        group=world.group3,
        first_names="Lot",
        given_name="Lot",
        surname="Vis",
        date_of_birth=world.pupil3.date_of_birth,
        sex="F",
        year_group=3,
        enrolled_on=world.pupil3.enrolled_on,
    )


def _events(**filters):
    return list(AccessEvent.objects.filter(**filters).order_by("id"))


def test_page_view_of_pupil_is_an_allowed_event_with_request_id(world, client):
    client.force_login(world.users["teacher"])
    response = client.get(
        reverse("student-detail", args=[world.pupil3.pk]), HTTP_X_REQUEST_ID="req-12345678"
    )
    assert response.status_code == 200
    (event,) = _events(action=Action.VIEW, student_id=world.pupil3.pk)
    assert event.outcome == Outcome.ALLOWED
    assert event.actor_id == world.users["teacher"].pk
    assert event.role == "teacher"
    assert event.school_id == world.school.pk
    assert event.request_id == "req-12345678" == response["X-Request-ID"]


def test_api_view_of_pupil_is_an_allowed_event(world, api):
    api.force_login(world.users["guardian"])
    assert api.get(reverse("api:student-detail", args=[world.pupil3.pk])).status_code == 200
    (event,) = _events(action=Action.VIEW, student_id=world.pupil3.pk)
    assert event.outcome == Outcome.ALLOWED and event.role == "guardian"


@pytest.mark.django_db(transaction=True)
def test_denied_attempt_leaves_its_event_when_request_rolls_back(world, client):
    # No test transaction wraps this one: the request's own transaction really rolls back.
    client.force_login(world.users["teacher"])
    response = client.get(reverse("student-detail", args=[world.pupil5.pk]))
    assert response.status_code == 404
    (event,) = _events(outcome=Outcome.DENIED, student_id=world.pupil5.pk)
    assert event.actor_id == world.users["teacher"].pk
    assert event.object_id == str(world.pupil5.pk)
    assert event.request_id == response["X-Request-ID"]


@pytest.mark.django_db(transaction=True)
def test_denied_api_attempt_and_role_without_function_leave_events(world, api):
    api.force_login(world.users["privacy_officer"])
    assert api.get(reverse("api:student-list")).status_code == 403
    api.force_login(world.users["guardian"])
    assert api.get(reverse("api:audit-event-list")).status_code == 403
    assert api.get(reverse("api:student-detail", args=["abc"])).status_code == 404
    denied = _events(outcome=Outcome.DENIED)
    assert [(e.actor_id, e.object_type) for e in denied] == [
        (world.users["privacy_officer"].pk, "student"),
        (world.users["guardian"].pk, "audit"),
        (world.users["guardian"].pk, "student"),
    ]
    assert denied[2].object_id == "abc" and denied[2].student_id is None


@pytest.mark.django_db(transaction=True)
def test_allowed_event_rolls_back_with_its_action_when_action_fails(world):
    before = AccessEvent.objects.count()

    def enrol_then_fail():
        with transaction.atomic():
            _enrol(world)
            assert AccessEvent.objects.count() == before + 1
            raise RuntimeError("the action fails after the event")

    with pytest.raises(RuntimeError):
        enrol_then_fail()
    assert AccessEvent.objects.count() == before


def test_create_and_update_are_events(world):
    admin = world.users["administration"]
    student = _enrol(world)
    (created,) = _events(action=Action.CREATE, student_id=student.pk)
    assert created.actor_id == admin.pk
    assert created.outcome == Outcome.ALLOWED
    student_move(actor=admin, student=student, group=GroupFactory.create(school=world.school))
    (updated,) = _events(action=Action.UPDATE, student_id=student.pk)
    assert updated.actor_id == admin.pk
    assert updated.school_id == world.school.pk


def test_logins_and_failed_logins_are_events(world, client):
    user = world.users["director"]
    client.post(reverse("accounts:login"), {"email": user.email, "password": "wrong-one"})
    client.post(reverse("accounts:login"), {"email": "nobody@t.example", "password": "x"})
    client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
    failed = _events(action=Action.LOGIN_FAILED)
    assert [(e.actor_id, e.outcome) for e in failed] == [
        (user.pk, Outcome.DENIED),
        (None, Outcome.DENIED),
    ]
    (ok,) = _events(action=Action.LOGIN)
    assert ok.actor_id == user.pk and ok.outcome == Outcome.ALLOWED


def test_application_refuses_update_and_delete_of_events(world):
    event = AccessEvent.objects.create(action=Action.VIEW, outcome=Outcome.ALLOWED)
    with pytest.raises(TypeError):
        AccessEvent.objects.filter(pk=event.pk).update(outcome=Outcome.DENIED)
    with pytest.raises(TypeError):
        AccessEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError):
        event.delete()
    event.outcome = Outcome.DENIED
    with pytest.raises(TypeError):
        event.save()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_database_trigger_refuses_update_and_delete_when_on_postgresql(db):
    event = AccessEvent.objects.create(action=Action.VIEW, outcome=Outcome.ALLOWED)
    for statement in (
        "UPDATE audit_accessevent SET outcome = 'denied' WHERE id = %s",
        "DELETE FROM audit_accessevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [event.pk])
    assert AccessEvent.objects.get(pk=event.pk).outcome == Outcome.ALLOWED
    # The retention flag alone, or a bound the event is not past, still refuses.
    for bound in ("", event.created_at.isoformat()):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL samen_een.retention = 'on'")
            cursor.execute("SELECT set_config('samen_een.retention_before', %s, true)", [bound])
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute("DELETE FROM audit_accessevent WHERE id = %s", [event.pk])
    assert AccessEvent.objects.filter(pk=event.pk).exists()
    # Only the retention path, for an event past its retention, may delete.
    later = (event.created_at + datetime.timedelta(seconds=1)).isoformat()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL samen_een.retention = 'on'")
        cursor.execute("SELECT set_config('samen_een.retention_before', %s, true)", [later])
        cursor.execute("DELETE FROM audit_accessevent WHERE id = %s", [event.pk])
    assert not AccessEvent.objects.filter(pk=event.pk).exists()


def test_director_sees_own_school_events_and_privacy_officer_the_board(world, api):
    _view_event(world.school, world.pupil3, Outcome.ALLOWED)
    _view_event(world.other_school, world.other_pupil, Outcome.DENIED)
    AccessEvent.objects.create(action=Action.LOGIN_FAILED, outcome=Outcome.DENIED)
    url = reverse("api:audit-event-list")

    api.force_login(world.users["director"])
    seen = {e["school_id"] for e in api.get(url).json()["results"]}
    assert seen == {world.school.pk}

    api.force_login(world.users["privacy_officer"])
    seen = {e["school_id"] for e in api.get(url).json()["results"]}
    assert seen == {world.school.pk, world.other_school.pk, None}


def test_audit_list_filters_by_outcome_and_pupil(world, api):
    _view_event(world.school, world.pupil3, Outcome.ALLOWED)
    _view_event(world.school, world.pupil5, Outcome.DENIED)
    api.force_login(world.users["director"])
    body = api.get(reverse("api:audit-event-list"), {"outcome": "denied"}).json()
    assert [e["student_id"] for e in body["results"]] == [world.pupil5.pk]
    body = api.get(
        reverse("api:audit-event-list"), {"student": world.pupil3.pk, "action": "view"}
    ).json()
    assert [e["outcome"] for e in body["results"]] == ["allowed"]


def test_audit_page_lists_events_for_director(world, client):
    _view_event(world.school, world.pupil5, Outcome.DENIED, request_id="abcdef123456")
    client.force_login(world.users["director"])
    html = client.get(reverse("audit-event-list"), {"outcome": "denied"}).content.decode()
    assert "abcdef123456" in html
