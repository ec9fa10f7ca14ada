"""The daily job that ends substitutes' access runs on the real worker against PostgreSQL:
the permissions of a period that ended are withdrawn once, and the end is on the record."""

import datetime
import time

import pytest
from celery.signals import task_postrun
from django.utils import timezone

from audit.models import AccessEvent
from students.models import GroupTeacher, GroupUserObjectPermission
from students.selectors import students_visible_to
from students.services import teacher_assign_to_group
from students.tasks import teacher_periods_sync_task
from tests.students.factories import make_staff

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _run_on_worker(task) -> None:
    finished = set()

    def record(task_id=None, **kwargs):
        finished.add(task_id)

    task_postrun.connect(record, weak=False)
    try:
        result = task.delay()
        deadline = time.monotonic() + 30
        while result.id not in finished and time.monotonic() < deadline:
            time.sleep(0.2)
        assert result.id in finished, "the worker never ran the job"
    finally:
        task_postrun.disconnect(record)


def test_ended_substitute_loses_group_once_when_the_daily_job_runs_on_the_worker(
    world, celery_worker
):
    today = timezone.localdate()
    substitute = make_staff("teacher", group=world.group3)
    GroupTeacher.objects.filter(teacher=substitute).delete()
    teacher_assign_to_group(
        teacher=substitute,
        group=world.group3,
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today,
        substitute=True,
    )
    assert world.pupil3 in students_visible_to(substitute)
    # The period ended yesterday: the selectors stop at once, the job tidies up.
    GroupTeacher.objects.filter(teacher=substitute).update(
        ends_on=today - datetime.timedelta(days=1)
    )
    assert world.pupil3 not in students_visible_to(substitute)
    assert GroupUserObjectPermission.objects.filter(user=substitute).exists()

    _run_on_worker(teacher_periods_sync_task)
    _run_on_worker(teacher_periods_sync_task)

    assert not GroupUserObjectPermission.objects.filter(user=substitute).exists()
    assignment = GroupTeacher.objects.get(teacher=substitute)
    assert assignment.access_ended_at is not None
    ends = AccessEvent.objects.filter(object_type="group_teacher_end", object_id=str(assignment.pk))
    assert ends.count() == 1
    assert ends.get().school_id == world.school.pk
