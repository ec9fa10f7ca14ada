"""Large imports do not block the site: the request only stores the upload, sealed,
and queues a job with the job's id; the check and the import run as jobs that write their
progress; the file is refused over 20 MB or past 5,000 pupils, and deleted after the import
or when the job expires."""

from __future__ import annotations

import datetime
import io
import tracemalloc
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.constants import Role
from kernel.sealed_files import MAGIC
from retention.expiry import stored_files_expire
from students.edexml.reading import IMPORT_MAX_PUPILS, edexml_read
from students.models import Student
from suppliers.constants import (
    IMPORT_MAX_BYTES,
    IMPORT_UPLOAD_DIR,
    ImportStatus,
    ImportStep,
)
from suppliers.import_jobs import import_job_apply, import_job_preview
from suppliers.models import ImportJob
from suppliers.tasks import import_apply_task, import_preview_task
from tests.students.factories import (
    BoardFactory,
    GroupFactory,
    SchoolFactory,
    StudentFactory,
    make_staff,
)

EXAMPLE = (
    settings.BASE_DIR / "students" / "edexml" / "schema" / "EDEXML.Voorbeeld.2.1.xml"
).read_bytes()
PUPIL = (
    '<leerling key="P{0:05d}"><achternaam>Jansen{0}</achternaam><voorletters-1>J</voorletters-1>'
    "<roepnaam>Jan</roepnaam><geboortedatum>2016-01-01</geboortedatum><geslacht>1</geslacht>"
    '<jaargroep>4</jaargroep><groep key="GRP4B"/></leerling>'
)


def _with_pupils(count: int) -> bytes:
    """The example file with ``count`` generated pupils in place of its own."""
    text = EXAMPLE.decode()
    start = text.index("<leerlingen>") + len("<leerlingen>")
    end = text.index("</leerlingen>")
    return (text[:start] + "".join(PUPIL.format(n) for n in range(count)) + text[end:]).encode()


class Scene:
    def __init__(self):
        board = BoardFactory.create(name="Stichting Import")
        self.school = SchoolFactory.create(board=board, name="OBS Import", brin="12AB")
        self.other_school = SchoolFactory.create(board=board, name="OBS Elders", brin="34CD")
        self.admin = make_staff(Role.ADMINISTRATION, school=self.school, email="a@import.example")
        self.director = make_staff(Role.DIRECTOR, school=self.school, email="d@import.example")
        self.other_director = make_staff(
            Role.DIRECTOR, school=self.other_school, email="d@elders.example"
        )
        self.teacher = make_staff(
            Role.TEACHER,
            group=GroupFactory.create(school=self.school, year_group_low=4),
            email="t@import.example",
        )


@pytest.fixture
def scene(db) -> Scene:
    return Scene()


def _upload(client, scene, data: bytes = EXAMPLE, name: str = "school.xml"):
    return client.post(
        reverse("edexml-import"),
        {"school": scene.school.pk, "file": SimpleUploadedFile(name, data, "text/xml")},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _stored_uploads() -> set[str]:
    folder = Path(settings.MEDIA_ROOT) / IMPORT_UPLOAD_DIR
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


@pytest.fixture(autouse=True)
def _no_files_left_behind():
    """The database rolls back after each test, the media folder does not: remove the uploads
    a test left, so the expiry tests elsewhere find only their own."""
    before = _stored_uploads()
    yield
    folder = Path(settings.MEDIA_ROOT) / IMPORT_UPLOAD_DIR
    for name in _stored_uploads() - before:
        (folder / name).unlink(missing_ok=True)


def _checked(client, scene, capture, data: bytes = EXAMPLE) -> ImportJob:
    """Upload and let the check run (the queued task runs when the request commits)."""
    client.force_login(scene.admin)
    with capture(execute=True):
        response = _upload(client, scene, data)
    assert response.status_code == 302
    return ImportJob.objects.get()


# -- the request -----------------------------------------------------------------------------
def test_request_stores_and_queues_the_job_id_only_when_a_file_is_uploaded(
    scene, client, django_capture_on_commit_callbacks
):
    client.force_login(scene.admin)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _upload(client, scene)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import-job", args=[job.pk])
    # Nothing was read in the request: the job waits for its check.
    assert job.status == ImportStatus.WAITING
    assert job.preview is None and job.progress_total == 0
    assert (job.school, job.uploaded_by, job.file_name) == (scene.school, scene.admin, "school.xml")
    assert job.file_size == len(EXAMPLE)
    assert job.expires_at == job.created_at + datetime.timedelta(hours=24)
    [queued] = callbacks
    assert queued.func == import_preview_task.delay
    assert queued.args == (job.pk,) and not queued.keywords  # the id, never the file
    queued()
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED


def test_upload_is_sealed_at_rest_when_stored(scene, client, django_capture_on_commit_callbacks):
    client.force_login(scene.admin)
    with django_capture_on_commit_callbacks(execute=False):
        _upload(client, scene)

    job = ImportJob.objects.get()
    raw = (Path(settings.MEDIA_ROOT) / job.file.name).read_bytes()
    assert job.file.name.startswith(f"{IMPORT_UPLOAD_DIR}/")
    assert "school" not in Path(job.file.name).name  # the stored name tells nothing
    assert raw.startswith(MAGIC)
    for plain in (b"<?xml", b"<EDEX", b"Wimpie", b"GRP4B", b"leerling"):
        assert plain not in raw
    with job.file.storage.open(job.file.name, "rb") as handle:
        assert handle.read() == EXAMPLE


def test_file_over_20_mb_is_refused_and_nothing_stored_when_uploaded(scene, client):
    client.force_login(scene.admin)
    before = _stored_uploads()

    response = _upload(client, scene, b" " * (IMPORT_MAX_BYTES + 1))

    # Refused: back to the upload page (post/redirect/get), which says why once.
    assert response.status_code == 303
    shown = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "The file is larger than 20 MB." in shown.content.decode()
    assert not ImportJob.objects.exists()
    assert _stored_uploads() == before


def test_file_of_exactly_20_mb_is_accepted_for_the_check(
    scene, client, django_capture_on_commit_callbacks
):
    client.force_login(scene.admin)
    with django_capture_on_commit_callbacks(execute=False):
        response = _upload(client, scene, b" " * IMPORT_MAX_BYTES)

    assert response.status_code == 302
    assert ImportJob.objects.get().file_size == IMPORT_MAX_BYTES


# -- the check -------------------------------------------------------------------------------
def test_file_with_more_than_5000_pupils_is_refused_when_checked(
    scene, client, django_capture_on_commit_callbacks
):
    before = _stored_uploads()
    job = _checked(client, scene, django_capture_on_commit_callbacks, _with_pupils(5001))

    assert job.status == ImportStatus.FAILED
    assert "more than 5,000 pupils" in job.error
    assert "at most 5,000 pupils for one school" in job.error
    assert not job.file  # the file itself is wrong: it is not kept
    assert _stored_uploads() == before
    page = client.get(reverse("import-job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "more than 5,000 pupils" in page.content.decode()
    assert "Try again" not in page.content.decode()


def test_file_with_5000_pupils_is_read_with_bounded_memory():
    """The reading streams: what it holds beyond the pupils it returns stays small and does
    not grow with the file. (libxml2's own memory is not traced by tracemalloc; the schema
    check's tree is bounded by the 20 MB cap instead.)"""
    data = _with_pupils(IMPORT_MAX_PUPILS)
    reads: list[int] = []

    class Recording(io.BytesIO):
        def read(self, size=-1):
            reads.append(size)
            return super().read(size)

    tracemalloc.start()
    try:
        document = edexml_read(lambda: Recording(data))
        retained, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(document.pupils) == IMPORT_MAX_PUPILS
    assert peak - retained < 512 * 1024  # transient: about one record, not the file
    assert peak < 10 * len(data)
    # Every read asks for a bounded chunk: the file is never read whole into memory.
    assert reads and all(0 < size <= 1024 * 1024 for size in reads)


def test_progress_is_written_while_the_file_is_checked(
    scene, client, django_capture_on_commit_callbacks
):
    client.force_login(scene.admin)
    with django_capture_on_commit_callbacks(execute=False):
        _upload(client, scene, _with_pupils(450))
    job = ImportJob.objects.get()

    with CaptureQueriesContext(connection) as queries:
        import_job_preview(job_id=job.pk)

    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "progress_done" in q["sql"]
    ]
    assert len(writes) >= 4  # 0, 200, 400 and 450 of 450, each a short write of its own
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (450, 450)
    assert job.status == ImportStatus.PREVIEWED


def test_job_page_says_the_progress_in_words_and_refreshes_while_running(scene, client):
    job = ImportJob.objects.create(
        school=scene.school,
        uploaded_by=scene.admin,
        file_name="school.xml",
        status=ImportStatus.PREVIEWING,
        progress_done=1200,
        progress_total=3400,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    client.force_login(scene.director)
    url = reverse("import-job", args=[job.pk])

    running = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, result={"counts": {}})
    done = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Checking: 1,200 of 3,400 pupils" in running
    assert '<meta http-equiv="refresh" content="3">' in running
    assert "refreshes itself" in running
    assert 'http-equiv="refresh"' not in done
    assert "Import finished." in done


# -- the import ------------------------------------------------------------------------------
def test_import_does_what_the_preview_showed_and_deletes_the_file(
    scene, client, django_capture_on_commit_callbacks
):
    job = _checked(client, scene, django_capture_on_commit_callbacks)
    stored = job.file.name
    page = client.get(reverse("import-job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert job.status == ImportStatus.PREVIEWED
    assert "Import as shown" in text and "Wimpie" in text  # the preview's rows, as before
    assert not Student.objects.filter(school=scene.school).exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("import-job-apply", args=[job.pk]))
    assert response.status_code == 302
    [queued] = callbacks
    assert queued.func == import_apply_task.delay and queued.args == (job.pk,)
    queued()

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.applied_by == scene.admin
    assert job.result["counts"] == job.preview["counts"]
    created = job.preview["counts"]["pupils"]["create"]
    assert Student.objects.filter(school=scene.school).count() == created > 0
    assert not job.file and not job.file.storage.exists(stored)
    assert job.preview["records"] == []  # the names in the preview are not kept
    done = client.get(reverse("import-job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Import finished." in done.content.decode()
    # Running the job again changes nothing.
    import_job_apply(job_id=job.pk)
    assert Student.objects.filter(school=scene.school).count() == created


def test_import_is_queued_once_when_confirmed_twice(
    scene, client, django_capture_on_commit_callbacks
):
    job = _checked(client, scene, django_capture_on_commit_callbacks)
    url = reverse("import-job-apply", args=[job.pk])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url)
        second = client.post(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert len(callbacks) == 1
    assert "This file cannot be imported now" in second.content.decode()


def test_import_refuses_a_changed_plan_and_can_be_checked_again_when_the_portal_changed(
    scene, client, django_capture_on_commit_callbacks
):
    job = _checked(client, scene, django_capture_on_commit_callbacks)
    # Between the check and the confirmation, someone enrols a pupil with a key of the file.
    StudentFactory.create(
        group=GroupFactory.create(school=scene.school, year_group_low=4),
        source_key="00001",
        surname="Anders",
    )
    before = Student.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-job-apply", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "changed after the check" in job.error
    assert Student.objects.count() == before  # nothing was imported
    assert job.file and job.step == ImportStep.PREVIEW  # kept, to be checked again
    page = client.get(reverse("import-job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Check the file again" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-job-retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-job-apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Student.objects.get(source_key="00001").surname == "ie"  # as the new preview said


def test_failed_import_is_tried_again_on_the_same_file_when_asked(
    scene, client, django_capture_on_commit_callbacks
):
    job = _checked(client, scene, django_capture_on_commit_callbacks)
    # A failure of the portal while importing: the job failed, its file is kept.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, step=ImportStep.APPLY, error="stopped"
    )
    page = client.get(reverse("import-job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Try again" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("import-job-retry", args=[job.pk]))
        client.post(reverse("import-job-retry", args=[job.pk]))  # a second click: refused
    assert len(callbacks) == 1 and callbacks[0].func == import_apply_task.delay
    callbacks[0]()

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.error == ""
    assert Student.objects.filter(school=scene.school, source_key="00001").exists()
    assert not job.file


def test_invalid_file_fails_with_its_errors_and_is_not_kept(
    scene, client, django_capture_on_commit_callbacks
):
    broken = EXAMPLE.replace(b"<naam>4B</naam>", b"")
    before = _stored_uploads()
    job = _checked(client, scene, django_capture_on_commit_callbacks, broken)

    assert job.status == ImportStatus.FAILED
    assert "not valid EDEXML 2.1" in job.error
    assert not job.file and _stored_uploads() == before
    page = client.get(reverse("import-job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "naam" in page.content.decode()  # the schema's findings are shown


# -- expiry ----------------------------------------------------------------------------------
def test_file_is_deleted_and_job_expired_when_nobody_imports_it_within_a_day(
    scene, client, django_capture_on_commit_callbacks
):
    job = _checked(client, scene, django_capture_on_commit_callbacks)
    stored = job.file.name

    within = stored_files_expire(now=job.expires_at - datetime.timedelta(minutes=1))
    assert within["uploads"] == 0 and job.file.storage.exists(stored)
    later = stored_files_expire(now=job.expires_at)

    job.refresh_from_db()
    assert later["uploads"] >= 1  # (with stray files other tests left in the folder)
    assert job.status == ImportStatus.EXPIRED
    assert not job.file and not job.file.storage.exists(stored)
    assert job.preview["records"] == []
    response = client.post(reverse("import-job-apply", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.EXPIRED  # nothing to import any more


# -- who sees a job --------------------------------------------------------------------------
@pytest.mark.parametrize("route", ["import-job", "import-job-apply", "import-job-retry"])
def test_job_is_hidden_from_staff_outside_the_school(
    scene, client, django_capture_on_commit_callbacks, route
):
    job = _checked(client, scene, django_capture_on_commit_callbacks)
    method = "get" if route == "import-job" else "post"
    url = reverse(route, args=[job.pk])

    answers = {}
    for user in (scene.director, scene.other_director, scene.teacher):
        client.force_login(user)
        answers[user.email] = getattr(client, method)(url).status_code

    assert answers == {
        "d@import.example": 200 if method == "get" else 302,
        "d@elders.example": 404,
        "t@import.example": 403,
    }
    job.refresh_from_db()
    assert job.status in (ImportStatus.PREVIEWED, ImportStatus.APPLYING)
