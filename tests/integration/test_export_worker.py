"""An export through the API is built by the real worker on the real Redis, against
PostgreSQL, and recorded once even when the job runs again."""

import time

import pytest
from celery.signals import task_postrun
from django.urls import reverse

from suppliers.constants import ExportStatus
from suppliers.models import DisclosedPupil, Disclosure, Export
from suppliers.tasks import export_build_task
from tests.students.factories import StudentFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_export_built_once_by_real_worker_when_requested_through_api_and_enqueued_again(
    world, api, celery_worker
):
    StudentFactory.create(group=world.group3)
    api.force_login(world.users["director"])

    response = api.post(
        reverse("api:export-create"),
        {
            "agreement": world.suppliers["agreement"].pk,
            "product": world.suppliers["product"].pk,
            "format": "csv",
        },
        format="json",
    )

    assert response.status_code == 202, response.content
    export_id = response.json()["id"]
    detail_url = reverse("api:export-detail", args=[export_id])
    seen = {}

    def done() -> bool:
        seen.update(api.get(detail_url).json())
        return seen["status"] in (ExportStatus.DONE, ExportStatus.FAILED)

    assert _wait_for(done), f"export still {seen.get('status')} after 30 s"
    assert seen["status"] == ExportStatus.DONE, seen["error"]
    assert seen["pupil_count"] == 2
    assert seen["progress"] == 100
    assert seen["download_url"]
    export = Export.objects.get(pk=export_id)
    assert Disclosure.objects.count() == 1
    assert export.disclosure_id == Disclosure.objects.get().pk
    assert DisclosedPupil.objects.filter(disclosure=export.disclosure).count() == 2

    finished = set()

    def record(task_id=None, **kwargs):
        finished.add(task_id)

    task_postrun.connect(record, weak=False)
    try:
        result = export_build_task.delay(export_id)
        # The worker thread runs in this process, so its signals reach us.
        assert _wait_for(lambda: result.id in finished), "the duplicate job never ran"
    finally:
        task_postrun.disconnect(record)

    assert Disclosure.objects.count() == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    assert export.disclosure_id == Disclosure.objects.get().pk
