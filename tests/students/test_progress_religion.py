"""Progress: teachers of the group write, guardians read. Religion: voluntary, guardians and
administration record it, the care coordinator cannot read it."""

import pytest
from django.urls import reverse

from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent
from students.constants import ReligionStatus
from students.models import ProgressRecord, ReligionRecord
from students.services import student_enrol

RESULT = {"subject": "maths", "period": "Midden groep 3", "result": "7.5", "note": "Goed bezig"}


def _post_progress(world, api, role, student):
    api.force_login(world.users[role])
    return api.post(reverse("api:student-progress", args=[student.pk]), RESULT, format="json")


# --- progress -------------------------------------------------------------------------------


def test_201_and_one_create_event_when_teacher_records_result_for_own_pupil(world, api):
    api.force_login(world.users["teacher"])
    before = AccessEvent.objects.count()
    response = api.post(
        reverse("api:student-progress", args=[world.pupil3.pk]), RESULT, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["subject"], body["period"], body["result"]) == ("maths", "Midden groep 3", "7.5")
    record = ProgressRecord.objects.get(pk=body["id"])
    assert record.student_id == world.pupil3.pk
    assert record.group_id == world.group3.pk
    assert record.recorded_by_id == world.users["teacher"].pk
    assert AccessEvent.objects.count() == before + 1
    (event,) = AccessEvent.objects.filter(request_id=response["X-Request-ID"])
    assert event.action == Action.CREATE and event.outcome == Outcome.ALLOWED
    assert event.data_kind == DataKind.PROGRESS
    assert event.special_category is False
    assert event.object_id == str(record.pk)


@pytest.mark.parametrize(
    ("role", "pupil", "status"),
    [
        ("teacher", "pupil5", 404),
        ("administration", "pupil3", 403),
        ("guardian", "pupil3", 403),
        ("guardian_limited", "pupil3", 403),
        ("care_coordinator", "pupil3", 403),
    ],
)
def test_nothing_recorded_when_caller_may_not_write_progress(world, api, role, pupil, status):
    response = _post_progress(world, api, role, getattr(world, pupil))
    assert response.status_code == status
    assert not ProgressRecord.objects.exists()
    (event,) = AccessEvent.objects.filter(request_id=response["X-Request-ID"])
    assert event.outcome == Outcome.DENIED and event.data_kind == DataKind.PROGRESS


def test_400_and_typed_period_kept_when_page_result_is_empty(world, client):
    client.force_login(world.users["teacher"])
    response = client.post(
        reverse("student-progress", args=[world.pupil3.pk]),
        {"subject": "reading", "period": "Eind groep 3 AVI", "result": "", "note": ""},
    )
    assert response.status_code == 400
    assert "Eind groep 3 AVI" in response.content.decode()
    assert response.context["form"].errors["result"]
    assert not ProgressRecord.objects.exists()


def test_result_listed_when_page_form_is_complete(world, client):
    client.force_login(world.users["teacher"])
    url = reverse("student-progress", args=[world.pupil3.pk])
    response = client.post(url, {**RESULT, "period": "Eind groep 3 AVI"})
    assert response.status_code == 302
    assert "Eind groep 3 AVI" in client.get(url).content.decode()


def test_guardian_without_authority_reads_progress_but_not_care_or_religion(world, api):
    ProgressRecord.objects.create(
        student=world.pupil3, group=world.group3, subject="reading", period="M3", result="B"
    )
    api.force_login(world.users["guardian_limited"])
    progress = api.get(reverse("api:student-progress", args=[world.pupil3.pk]))
    assert progress.status_code == 200
    assert [(r["period"], r["result"]) for r in progress.json()] == [("M3", "B")]
    care = api.get(reverse("api:student-care-records", args=[world.pupil3.pk]))
    assert care.status_code == 403
    religion = api.get(reverse("api:student-religion", args=[world.pupil3.pk]))
    assert religion.status_code == 403
    assert "Rooms-katholiek" not in religion.content.decode()


# --- religion -------------------------------------------------------------------------------


def test_no_religion_entry_when_pupil_is_enrolled(world):
    student = student_enrol(
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
    assert not ReligionRecord.objects.filter(student=student).exists()


def test_status_null_when_nobody_asked_about_religion(world, api):
    api.force_login(world.users["director"])
    response = api.get(reverse("api:student-religion", args=[world.pupil5.pk]))
    assert response.status_code == 200
    assert response.json() == {"status": None, "religion": ""}


def _child_religion(world):
    return reverse("child-religion", args=[world.pupil3.pk])


def test_empty_religion_stored_when_guardian_declines_to_state_it(world, client):
    client.force_login(world.users["guardian"])
    response = client.post(
        _child_religion(world), {"status": "declined", "religion": "Rooms-katholiek"}
    )
    assert response.status_code == 302
    record = ReligionRecord.objects.get(student=world.pupil3)
    assert record.status == ReligionStatus.DECLINED
    assert record.religion == ""
    assert record.recorded_by_id == world.users["guardian"].pk


def test_400_with_field_error_and_nothing_changed_when_stated_without_religion(world, client):
    client.force_login(world.users["guardian"])
    before = AccessEvent.objects.filter(action__in=[Action.CREATE, Action.UPDATE]).count()
    response = client.post(_child_religion(world), {"status": "stated", "religion": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors["religion"]
    record = ReligionRecord.objects.get(student=world.pupil3)
    assert (record.status, record.religion) == (ReligionStatus.STATED, "Rooms-katholiek")
    assert AccessEvent.objects.filter(action__in=[Action.CREATE, Action.UPDATE]).count() == before


def test_entry_removed_when_guardian_posts_empty_status(world, client):
    client.force_login(world.users["guardian"])
    response = client.post(_child_religion(world), {"status": "", "religion": ""})
    assert response.status_code == 302
    assert not ReligionRecord.objects.filter(student=world.pupil3).exists()
    (event,) = AccessEvent.objects.filter(request_id=response["X-Request-ID"], action=Action.UPDATE)
    assert event.data_kind == DataKind.RELIGION and event.special_category is True


@pytest.mark.parametrize("route", ["student-religion", "api:student-religion"])
def test_403_when_care_coordinator_reads_religion(world, client, api, route):
    http = api if route.startswith("api:") else client
    http.force_login(world.users["care_coordinator"])
    response = http.get(reverse(route, args=[world.pupil3.pk]))
    assert response.status_code == 403
    assert "Rooms-katholiek" not in response.content.decode()


def test_403_and_nothing_changed_when_guardian_without_authority_posts_religion(world, client):
    client.force_login(world.users["guardian_limited"])
    response = client.post(_child_religion(world), {"status": "declined", "religion": ""})
    assert response.status_code == 403
    record = ReligionRecord.objects.get(student=world.pupil3)
    assert (record.status, record.religion) == (ReligionStatus.STATED, "Rooms-katholiek")
