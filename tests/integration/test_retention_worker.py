"""A retention run started on the director's page is carried out by the real worker on the
real Redis against PostgreSQL (whose triggers guard the evidence), and running it again
changes nothing more."""

import datetime
import time

import pytest
from celery.signals import task_postrun
from django.urls import reverse
from django.utils import timezone

from retention.constants import Category, RunStatus
from retention.models import ErasureRecord, RetentionRun
from retention.tasks import retention_run_task
from students.constants import WithdrawalDestination
from students.models import CareRecord, Student
from students.services import student_withdraw
from tests.students.factories import StudentFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _leaver(world, years: int) -> Student:
    pupil = StudentFactory.create(group=world.group3, enrolled_on=datetime.date(2010, 8, 20))
    today = timezone.localdate()
    left = datetime.date(today.year - years, 1, 10)
    student_withdraw(
        actor=None, student=pupil, on=left, destination=WithdrawalDestination.SECONDARY_SCHOOL
    )
    CareRecord.objects.create(
        student=pupil,
        kind="support_plan",
        source="school",
        content="Plan",
        justification="Nodig",
        review_date=left,
    )
    return Student.objects.get(pk=pupil.pk)


def test_run_started_on_the_page_is_done_by_the_real_worker_and_harmless_again(
    world, client, celery_worker
):
    old = _leaver(world, 6)
    recent = _leaver(world, 1)
    client.force_login(world.users["director"])

    response = client.post(
        reverse("retention-run", args=[world.school.pk]),
        {"categories": [Category.PUPIL_FILE, Category.ENROLMENT]},
    )

    assert response.status_code == 302
    assert _wait_for(
        lambda: (
            RetentionRun.objects.filter(school=world.school)
            .exclude(status=RunStatus.RUNNING)
            .exists()
        )
    ), "the worker never finished the run"
    run = RetentionRun.objects.get(school=world.school)
    assert run.status == RunStatus.DONE, run.errors
    assert run.started_by == world.users["director"]
    assert run.counts[Category.ENROLMENT]["pupils"] == 1
    old.refresh_from_db()
    assert old.anonymised_at is not None
    assert (old.surname, old.bsn, old.date_of_birth.month) == ("", "", 1)
    assert not CareRecord.objects.filter(student=old).exists()
    assert CareRecord.objects.filter(student=recent).exists()
    lines = set(ErasureRecord.objects.filter(student=old).values_list("category", flat=True))
    assert lines == {Category.PUPIL_FILE, Category.ENROLMENT}

    finished = set()

    def record(task_id=None, **kwargs):
        finished.add(task_id)

    task_postrun.connect(record, weak=False)
    try:
        result = retention_run_task.delay(
            world.school.pk, world.users["director"].pk, [Category.PUPIL_FILE, Category.ENROLMENT]
        )
        assert _wait_for(lambda: result.id in finished), "the second run never ran"
    finally:
        task_postrun.disconnect(record)

    assert ErasureRecord.objects.filter(student=old).count() == 2
    second = RetentionRun.objects.filter(school=world.school).order_by("-id").first()
    assert second.status == RunStatus.DONE
    assert second.counts[Category.ENROLMENT]["pupils"] == 0
