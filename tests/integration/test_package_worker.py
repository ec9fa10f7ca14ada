"""An access package asked for through the API is built by the real worker on the real Redis,
against PostgreSQL; the job run again changes nothing, and the release is one disclosure
under the access basis."""

import hashlib
import json
import time

import pytest
from celery.signals import task_postrun
from django.urls import reverse

from privacy_requests.constants import Kind, PackageStatus, Status, Step
from privacy_requests.models import AccessPackage, PrivacyRequest
from privacy_requests.tasks import package_build_task
from suppliers.constants import Basis
from suppliers.models import Disclosure

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _run_again(package_id: int) -> None:
    """Enqueue the build job once more and wait until the worker has finished it."""
    finished = set()

    def record(task_id=None, **kwargs):
        finished.add(task_id)

    task_postrun.connect(record, weak=False)
    try:
        result = package_build_task.delay(package_id)
        # The worker thread runs in this process, so its signals reach us.
        assert _wait_for(lambda: result.id in finished), "the duplicate job never ran"
    finally:
        task_postrun.disconnect(record)


def _snapshot(package: AccessPackage) -> dict:
    package.refresh_from_db()
    return {
        "status": package.status,
        "progress": package.progress,
        "json": package.json_file.name,
        "pdf": package.pdf_file.name,
        "checksum": package.checksum,
        "sections": package.sections,
        "built_at": package.built_at,
        "released_at": package.released_at,
        "disclosure": package.disclosure_id,
    }


def _package_files(tmp_path) -> list[str]:
    folder = tmp_path / "media" / "private" / "packages"
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def _access_disclosures(student):
    return Disclosure.objects.filter(basis=Basis.ACCESS_RIGHT, links__student=student)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_access_package_built_once_by_real_worker_and_released_as_one_disclosure(
    world, api, celery_worker, tmp_path
):
    pupil = world.pupil3
    assert not _access_disclosures(pupil).exists()

    # A guardian with authority asks for access.
    api.force_login(world.users["guardian"])
    response = api.post(
        reverse("api:privacy-request-list"),
        {"student": pupil.pk, "kind": Kind.ACCESS, "description": "Alles wat u over Tim heeft."},
        format="json",
    )
    assert response.status_code == 201, response.content
    request_id = response.json()["id"]
    assert response.json()["status"] == Status.RECEIVED
    assert response.json()["package"] is None

    # Administration starts the package; the worker builds it.
    api.force_login(world.users["administration"])
    response = api.post(reverse("api:privacy-request-package", args=[request_id]))
    assert response.status_code == 202, response.content
    assert response.json()["status"] == Status.IN_PROGRESS
    assert response.json()["package"]["status"] in ("building", "built")
    detail_url = reverse("api:privacy-request-detail", args=[request_id])
    seen = {}

    def done() -> bool:
        seen.update(api.get(detail_url).json())
        return seen["package"]["status"] in ("built", "failed")

    assert _wait_for(done), f"package still {seen['package']['status']} after 30 s"
    assert seen["package"]["status"] == "built", AccessPackage.objects.get().error
    assert seen["package"]["progress"] == 100
    assert {s["key"] for s in seen["package"]["sections"]} >= {"student", "consents", "access_log"}
    # Staff who started it see no download links: only the guardians get those, once released.
    assert "json_url" not in seen["package"]
    assert seen["status"] == Status.IN_PROGRESS

    package = AccessPackage.objects.get(request_id=request_id)
    built = _snapshot(package)
    assert built["status"] == PackageStatus.BUILT
    with package.json_file.open("rb") as handle:
        payload = handle.read()
    assert hashlib.sha256(payload).hexdigest() == built["checksum"]
    data = json.loads(payload)
    assert data["student"]["id"] == pupil.pk
    assert data["student"]["surname"] == pupil.surname
    with package.pdf_file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    files = _package_files(tmp_path)
    assert files == sorted([f"package-{package.pk}.json", f"package-{package.pk}.pdf"])

    # The job again (a redelivery, a double click): nothing changes.
    _run_again(package.pk)
    assert _snapshot(package) == built
    assert AccessPackage.objects.count() == 1
    assert _package_files(tmp_path) == files
    with package.json_file.open("rb") as handle:
        assert handle.read() == payload
    req = PrivacyRequest.objects.get(pk=request_id)
    assert req.steps.filter(step=Step.PACKAGE_BUILT).count() == 1
    assert req.steps.filter(step=Step.PACKAGE_STARTED).count() == 1

    # Starting it again is harmless too: the built package is returned, nothing is queued.
    response = api.post(reverse("api:privacy-request-package", args=[request_id]))
    assert response.status_code == 202, response.content
    assert response.json()["package"]["status"] == "built"
    assert _snapshot(package) == built
    assert AccessPackage.objects.count() == 1
    assert not _access_disclosures(pupil).exists()

    # The director releases: one disclosure to the child's guardians under the access basis.
    api.force_login(world.users["director"])
    response = api.post(reverse("api:privacy-request-release", args=[request_id]))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.COMPLETED
    assert response.json()["package"]["status"] == "released"
    disclosure = _access_disclosures(pupil).get()
    assert list(disclosure.pupils.values_list("pk", flat=True)) == [pupil.pk]
    assert disclosure.file_checksum == built["checksum"]
    package.refresh_from_db()
    assert package.status == PackageStatus.RELEASED
    assert package.disclosure_id == disclosure.pk

    # A late duplicate of the job after the release leaves the released package alone.
    released = _snapshot(package)
    _run_again(package.pk)
    assert _snapshot(package) == released
    assert _access_disclosures(pupil).count() == 1
    assert Disclosure.objects.filter(basis=Basis.ACCESS_RIGHT).count() == 1
    assert AccessPackage.objects.count() == 1

    # Releasing twice is refused and records nothing more.
    response = api.post(reverse("api:privacy-request-release", args=[request_id]))
    assert response.status_code == 409, response.content
    assert _access_disclosures(pupil).count() == 1
