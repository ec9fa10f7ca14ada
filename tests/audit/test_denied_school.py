"""A refused attempt is evidence of the school it concerns: it is recorded under the
school of the pupil or object, when that exists, so the director of that school sees it in her
audit trail (page and API) and the daily digest counts it under that school. The caller's
answer does not change: the same 404 for "not yours" and "missing"."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.constants import Role
from audit.constants import Outcome
from audit.models import AccessEvent
from audit_trail.digest import denied_digest_send
from audit_trail.selectors import events_visible_to
from students.models import Student
from tests.students.factories import make_staff


def _denied(**filters) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(outcome=Outcome.DENIED, **filters).order_by("id"))


def _api_ids(api, user) -> set[int]:
    api.force_login(user)
    response = api.get(reverse("api:audit-event-list"), {"outcome": "denied", "page_size": 100})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_director_of_the_pupils_school_sees_it_when_a_teacher_opens_a_care_record_outside_her_group(
    world, client, api
):
    teacher = world.users["teacher"]  # teaches Groep 3; pupil5 is in Groep 5 of the same school
    record = world.care["pupil5"]
    director_b = make_staff(Role.DIRECTOR, school=world.other_school, email="director-b@t.example")
    client.force_login(teacher)

    response = client.get(reverse("care-record-detail", args=[world.pupil5.pk, record.pk]))

    assert response.status_code == 404
    (event,) = _denied(actor_id=teacher.pk)
    assert event.school_id == world.school.pk
    assert event.student_id == world.pupil5.pk
    assert event.special_category is True
    assert event.pk in _api_ids(api, world.users["director"])
    assert event.pk in _api_ids(api, world.users["privacy_officer"])
    assert event.pk not in _api_ids(api, director_b)
    client.force_login(world.users["director"])
    page = client.get(reverse("audit-event-list"), {"outcome": "denied"})
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 1


def test_answer_is_the_same_404_when_the_care_record_exists_elsewhere_or_not_at_all(world, client):
    client.force_login(world.users["teacher"])
    missing_pupil = (Student.objects.order_by("-pk").values_list("pk", flat=True).first()) + 1000

    out_of_scope = client.get(
        reverse("api:student-care-record", args=[world.pupil5.pk, world.care["pupil5"].pk])
    )
    missing = client.get(reverse("api:student-care-record", args=[missing_pupil, 1]))

    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.content == missing.content
    first, second = _denied(actor_id=world.users["teacher"].pk)
    assert (first.school_id, second.school_id) == (world.school.pk, None)


def test_event_carries_the_objects_school_when_a_director_opens_a_request_of_another_school(
    request_world, client
):
    world = request_world
    other = world.requests["other"]
    director_b = make_staff(Role.DIRECTOR, school=world.other_school, email="director-b@t.example")
    client.force_login(world.users["director"])

    assert client.get(reverse("request-detail", args=[other.pk])).status_code == 404

    (event,) = _denied(actor_id=world.users["director"].pk, object_type="privacy_request")
    assert event.school_id == world.other_school.pk
    assert events_visible_to(director_b).filter(pk=event.pk).exists()
    assert not events_visible_to(world.users["director"]).filter(pk=event.pk).exists()


@pytest.mark.parametrize("route", ["api:group-detail", "consent-photo-list"])
def test_event_carries_the_groups_school_when_a_teacher_opens_another_group(world, client, route):
    client.force_login(world.users["teacher"])

    assert client.get(reverse(route, args=[world.group5.pk])).status_code == 404

    (event,) = _denied(actor_id=world.users["teacher"].pk)
    assert event.school_id == world.school.pk


def test_digest_counts_the_attempt_under_the_pupils_school(world, client):
    client.force_login(world.users["teacher"])
    assert (
        client.get(
            reverse("care-record-detail", args=[world.pupil5.pk, world.care["pupil5"].pk])
        ).status_code
        == 404
    )
    day = timezone.localdate()

    denied_digest_send(day=day)

    (message,) = mail.outbox
    assert message.to == [world.users["privacy_officer"].email]
    assert "- OBS Samen Een · teacher: 1" in message.body
    assert "No school" not in message.body and "Geen school" not in message.body


def test_each_privacy_officer_gets_only_the_schools_they_oversee_when_the_digest_is_sent(world):
    other_officer = make_staff(
        Role.PRIVACY_OFFICER, board=world.foreign_school.board, email="privacy-elders@t.example"
    )
    when = timezone.now() - datetime.timedelta(days=1)
    for school_id in (world.school.pk, world.foreign_school.pk, None):
        AccessEvent.objects.create(
            created_at=when,
            action="view",
            outcome=Outcome.DENIED,
            role="teacher",
            school_id=school_id,
        )

    denied_digest_send(day=timezone.localdate(when))

    bodies = {message.to[0]: message.body for message in mail.outbox}
    ours, theirs = bodies[world.users["privacy_officer"].email], bodies[other_officer.email]
    assert "OBS Samen Een" in ours and "Elders" not in ours
    assert "Elders" in theirs and "OBS Samen Een" not in theirs


def test_event_carries_the_pupils_school_when_a_role_without_the_function_is_refused(world, client):
    client.force_login(world.users["teacher"])  # teachers never see religion

    assert client.get(reverse("api:student-religion", args=[world.pupil5.pk])).status_code == 403

    (event,) = _denied(actor_id=world.users["teacher"].pk)
    assert (event.student_id, event.school_id) == (world.pupil5.pk, world.school.pk)


def test_event_carries_the_pupils_school_when_a_guardian_opens_the_staff_pupil_page(world, client):
    client.force_login(world.users["guardian"])

    assert client.get(reverse("student-detail", args=[world.pupil5.pk])).status_code == 403

    (event,) = _denied(actor_id=world.users["guardian"].pk)
    assert event.school_id == world.school.pk
