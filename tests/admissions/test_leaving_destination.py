"""The new school of a leaving that names none (the rollover's Groep 8 leavers, an import):
named on the leaving's page until the education report was sent, so the report can go."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from admissions.constants import LeavingReason
from admissions.models import Departure
from admissions.services.leaving import LeavingError, departure_destination_set
from admissions.services.okr import education_report_save, education_report_send
from audit.constants import Action
from audit.models import AccessEvent
from students.constants import WithdrawalDestination
from students.services.pupils import student_withdraw

from .okr_setup import report_sent


@pytest.fixture
def rollover_leaver(world) -> Departure:
    """pupil3 withdrawn by the core (as the rollover does for Groep 8): a Departure with a
    reason and no new school."""
    student_withdraw(
        actor=None,
        student=world.pupil3,
        on=timezone.localdate(),
        destination=WithdrawalDestination.SECONDARY_SCHOOL,
    )
    departure = Departure.objects.get(student=world.pupil3)
    assert departure.reason == LeavingReason.SECONDARY_SCHOOL
    assert (departure.destination_name, departure.destination_brin) == ("", "")
    return departure


@pytest.fixture
def admin_client(world, client):
    client.cookies["django_language"] = "en"
    client.force_login(world.users["administration"])
    return client


def _updates() -> int:
    return AccessEvent.objects.filter(object_type="departure", action=Action.UPDATE).count()


def _url(departure: Departure, name: str = "leaving-destination") -> str:
    return reverse(name, args=[departure.student_id])


def test_new_school_is_set_on_the_page_and_the_report_can_then_be_sent(
    world, rollover_leaver, admin_client
):
    page = admin_client.get(_url(rollover_leaver, "leaving-detail")).content.decode()
    assert f'action="{_url(rollover_leaver)}"' in page

    response = admin_client.post(
        _url(rollover_leaver),
        {"destination_name": " Het Baken, Zwolle ", "destination_brin": " 12ab "},
    )

    assert response.status_code == 302
    assert response.url == _url(rollover_leaver, "leaving-detail")
    assert "The new school was saved." in [str(m) for m in get_messages(response.wsgi_request)]
    rollover_leaver.refresh_from_db()
    assert (rollover_leaver.destination_name, rollover_leaver.destination_brin) == (
        "Het Baken, Zwolle",
        "12AB",
    )
    event = AccessEvent.objects.get(object_type="departure", action=Action.UPDATE)
    assert event.actor_id == world.users["administration"].pk
    assert event.student_id == world.pupil3.pk
    # The education report, refused before ("names no new school"), now goes.
    education_report_save(
        user=world.users["administration"],
        departure=rollover_leaver,
        summary="Leest vlot.",
        progress_ids=[],
    )
    report = education_report_send(user=world.users["administration"], departure=rollover_leaver)
    assert report.is_sent


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        (
            {"destination_name": "Het Baken", "destination_brin": "1234"},
            "destination_brin",
            "A BRIN number is two digits and two letters, e.g. 12AB.",
        ),
        (
            {"destination_name": "Het Baken", "destination_brin": "12ABC"},
            "destination_brin",
            "A BRIN number is two digits and two letters, e.g. 12AB.",
        ),
        (
            {"destination_name": "  ", "destination_brin": "12AB"},
            "destination_name",
            "Give the name of the new school.",
        ),
    ],
)
def test_refused_input_comes_back_at_its_field_with_what_was_typed(
    rollover_leaver, admin_client, data, field, error
):
    response = admin_client.post(_url(rollover_leaver), data)

    assert response.status_code == 303
    assert response.url == _url(rollover_leaver, "leaving-detail")
    rollover_leaver.refresh_from_db()
    assert (rollover_leaver.destination_name, rollover_leaver.destination_brin) == ("", "")
    assert _updates() == 0
    body = admin_client.get(response.url).content.decode()
    assert f'id="id_{field}_error"' in body
    assert error in body
    assert f'value="{data["destination_brin"]}"' in body
    # Shown once: a refresh shows the page as it stands.
    assert f'id="id_{field}_error"' not in admin_client.get(response.url).content.decode()


def test_service_refuses_a_malformed_brin_with_a_field_error(world, rollover_leaver):
    with pytest.raises(LeavingError) as refused:
        departure_destination_set(
            actor=world.users["director"], departure=rollover_leaver, name="Het Baken", brin="AB12"
        )
    assert set(refused.value.field_errors) == {"destination_brin"}
    assert _updates() == 0


def test_refused_once_the_report_was_sent_and_shown_read_only(world, admin_client):
    departure = report_sent(world, world.pupil3)
    before = (departure.destination_name, departure.destination_brin)

    with pytest.raises(LeavingError):
        departure_destination_set(
            actor=world.users["administration"], departure=departure, name="Elders", brin=""
        )
    response = admin_client.post(
        _url(departure), {"destination_name": "Elders", "destination_brin": ""}
    )

    assert response.status_code == 303
    departure.refresh_from_db()
    assert (departure.destination_name, departure.destination_brin) == before
    assert _updates() == 0
    body = admin_client.get(response.url).content.decode()
    assert "already sent to the new school" in body
    assert f'action="{_url(departure)}"' not in body  # no form: read-only
    assert before[0] in body


def test_unchanged_input_writes_nothing(world, rollover_leaver, admin_client):
    departure, changed = departure_destination_set(
        actor=world.users["director"], departure=rollover_leaver, name="Het Baken", brin="12AB"
    )
    assert changed
    assert _updates() == 1

    departure, changed = departure_destination_set(
        actor=world.users["director"], departure=departure, name=" Het Baken ", brin="12 ab"
    )
    response = admin_client.post(
        _url(departure), {"destination_name": "Het Baken", "destination_brin": "12ab"}
    )

    assert not changed
    assert response.status_code == 302
    assert "Nothing was changed." in [str(m) for m in get_messages(response.wsgi_request)]
    assert _updates() == 1


def test_only_the_schools_director_and_administration_reach_it(world, client):
    today = timezone.localdate()
    for student in (world.pupil3, world.other_pupil):
        student_withdraw(
            actor=None, student=student, on=today, destination=WithdrawalDestination.OTHER
        )
    data = {"destination_name": "Het Baken", "destination_brin": ""}
    for role, own, other in (
        ("director", 302, 404),
        ("administration", 302, 404),
        ("teacher", 403, 403),
        ("guardian", 403, 403),
    ):
        client.force_login(world.users[role])
        Departure.objects.update(destination_name="")
        own_url = reverse("leaving-destination", args=[world.pupil3.pk])
        other_url = reverse("leaving-destination", args=[world.other_pupil.pk])
        assert client.post(own_url, data).status_code == own, role
        assert client.post(other_url, data).status_code == other, role
    assert not Departure.objects.filter(student=world.other_pupil).exclude(destination_name="")


def test_a_pupil_who_has_not_left_has_no_destination_to_set(world, admin_client):
    url = reverse("leaving-destination", args=[world.pupil5.pk])
    response = admin_client.post(url, {"destination_name": "Het Baken"})
    assert response.status_code == 404
    assert not Departure.objects.filter(student=world.pupil5).exists()
