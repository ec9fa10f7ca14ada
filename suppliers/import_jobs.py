"""Import jobs: a large file is checked and imported by background jobs, never in a request.

The road: :func:`import_job_create` refuses a file over ``IMPORT_MAX_BYTES``
before storing anything, keeps the upload sealed (``ImportJob.file``) and queues the preview
with the job's id only. :func:`import_job_preview` reads the file (the reader,
``students/edexml/reading.py``, streams it and refuses more than ``IMPORT_MAX_PUPILS`` pupils),
writes its progress in short transactions and keeps the preview.
:func:`import_job_apply_request` (a member of the school's staff confirms) queues
:func:`import_job_apply`, which imports the same file, and only if the plan is still the one
the preview showed; then the file is deleted. A job that failed because of
the portal keeps its file until it expires, so :func:`import_job_retry` can run the same step
again; every step may run twice without harm. :func:`import_jobs_expire` (the hourly job)
deletes the files of jobs nobody carried through.

The results import (a later issue) takes the same road with its own ``kind``. Services live
here, not in ``suppliers/services.py``, which is past the style's 400 lines already.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel.sealed_files import SealedFileError
from students.edexml.applying import PlanChangedError, edexml_carry_out
from students.edexml.planning import Preview, edexml_preview, plan_digest
from students.edexml.reading import edexml_read
from students.edexml.validation import EdexmlError
from students.models import School

from .constants import (
    IMPORT_MAX_BYTES,
    IMPORT_UPLOAD_HOURS,
    ImportKind,
    ImportStatus,
    ImportStep,
)
from .models import ImportJob

logger = logging.getLogger(__name__)

RUNNING = (ImportStatus.WAITING, ImportStatus.PREVIEWING, ImportStatus.APPLYING)


class ImportRefusedError(Exception):
    """An import step that cannot be taken; ``message`` says why in plain words."""

    def __init__(self, message: str):
        self.message = str(message)
        super().__init__(self.message)


# -- starting, confirming, trying again (from a request) -------------------------------------
@transaction.atomic
def import_job_create(*, user: User, school: School, upload: UploadedFile) -> ImportJob:
    """Keep the upload sealed and queue its check; a file over the limit is refused unstored."""
    from .tasks import import_preview_task

    if upload.size is None or upload.size > IMPORT_MAX_BYTES:
        raise ImportRefusedError(_("The file is larger than 20 MB."))
    now = timezone.now()
    job = ImportJob(
        kind=ImportKind.EDEXML,
        school=school,
        uploaded_by=user,
        file_name=Path(upload.name or "").name[:255],
        file_size=upload.size,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        created_at=now,
        expires_at=now + datetime.timedelta(hours=IMPORT_UPLOAD_HOURS),
    )
    # The stored name says nothing about the file or its uploader.
    job.file.save(f"{uuid.uuid4().hex}.xml", upload, save=False)
    job.save()
    event_record(
        user=user,
        action=Action.CREATE,
        object_type="import",
        object_id=job.pk,
        school_id=school.pk,
        data_kind=DataKind.BASICS,
    )
    transaction.on_commit(partial(import_preview_task.delay, job.pk))
    return job


@transaction.atomic
def import_job_apply_request(*, job: ImportJob, user: User) -> ImportJob:
    """Queue the import of a checked file (once: a second click finds the job under way)."""
    from .tasks import import_apply_task

    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if (
        locked.status != ImportStatus.PREVIEWED
        or not locked.file
        or locked.expires_at <= timezone.now()
    ):
        raise ImportRefusedError(_("This file cannot be imported now: see its status below."))
    locked.status = ImportStatus.APPLYING
    locked.step = ImportStep.APPLY
    locked.applied_by = user
    locked.progress_done = 0
    locked.save(update_fields=["status", "step", "applied_by", "progress_done", "updated_at"])
    transaction.on_commit(partial(import_apply_task.delay, locked.pk))
    return locked


@transaction.atomic
def import_job_retry(*, job: ImportJob, user: User) -> ImportJob:
    """Run a failed job's step again on the same file (as long as the file is kept)."""
    from .tasks import import_apply_task, import_preview_task

    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if (
        locked.status != ImportStatus.FAILED
        or not locked.file
        or locked.expires_at <= timezone.now()
    ):
        raise ImportRefusedError(
            _("This import cannot be tried again: the file is no longer kept. Upload it again.")
        )
    fields = ["status", "error", "finished_at", "progress_done", "updated_at"]
    locked.error = ""
    locked.finished_at = None
    locked.progress_done = 0
    if locked.step == ImportStep.APPLY:
        locked.status = ImportStatus.APPLYING
        locked.applied_by = user
        fields.append("applied_by")
        task = import_apply_task
    else:
        locked.status = ImportStatus.WAITING
        task = import_preview_task
    locked.save(update_fields=fields)
    transaction.on_commit(partial(task.delay, locked.pk))
    return locked


# -- the steps (from a task) -----------------------------------------------------------------
def import_job_preview(*, job_id: int) -> ImportJob | None:
    """Check the file and keep the preview. Safe to run twice: it only reads, and a job that
    has moved on (checked, imported, expired) is left as it is."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in (ImportStatus.WAITING, ImportStatus.PREVIEWING):
            return job
        job.status = ImportStatus.PREVIEWING
        job.step = ImportStep.PREVIEW
        job.progress_done = 0
        job.save(update_fields=["status", "step", "progress_done", "updated_at"])
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            preview = edexml_preview(
                _opener(job), school=job.school, progress=_progress_writer(job.pk)
            )
        except (FileNotFoundError, SealedFileError):
            logger.warning("Import job %s: its file cannot be opened.", job.pk)
            return _fail(job.pk, _gone(), drop_file=True)
        except OperationalError:
            raise  # the task retries
        except Exception:
            logger.exception("Import job %s: the check stopped.", job.pk)
            return _fail(job.pk, _stopped(), drop_file=False)
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status != ImportStatus.PREVIEWING:  # e.g. expired meanwhile
                return locked
            locked.preview = _preview_summary(preview)
            if preview.errors:
                # The file itself is wrong: trying again cannot help, so it is not kept.
                locked.status = ImportStatus.FAILED
                locked.error = preview.errors[0]
                locked.finished_at = timezone.now()
            else:
                locked.status = ImportStatus.PREVIEWED
                locked.plan_digest = plan_digest(preview)
            locked.save(
                update_fields=[
                    "preview",
                    "status",
                    "error",
                    "finished_at",
                    "plan_digest",
                    "updated_at",
                ]
            )
    if preview.errors:
        _file_drop(job.pk)
    logger.info("Import job %s checked: %d pupil(s).", job.pk, len(preview.pupils))
    return locked


def import_job_apply(*, job_id: int) -> ImportJob | None:
    """Import the checked file, exactly as previewed, then delete it. Safe to run twice: the
    import and the job's "done" commit together, and a job that is not under way is left."""
    job = ImportJob.objects.filter(pk=job_id).select_related("school").first()
    if job is None or job.status != ImportStatus.APPLYING:
        return job
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            document = edexml_read(_opener(job), progress=_progress_writer(job.pk))
            with transaction.atomic():
                locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                if locked.status != ImportStatus.APPLYING:  # a twin of this task was first
                    return locked
                result = edexml_carry_out(
                    document,
                    school=job.school,
                    actor=locked.applied_by or locked.uploaded_by,
                    expected_digest=locked.plan_digest,
                )
                locked.status = ImportStatus.DONE
                locked.result = {
                    "counts": result.counts(),
                    "proposed_groups": result.proposed_groups,
                }
                # The preview's rows name pupils; once imported they are the portal's own.
                locked.preview = _without_records(locked.preview)
                locked.error = ""
                locked.finished_at = timezone.now()
                locked.save(
                    update_fields=[
                        "status",
                        "result",
                        "preview",
                        "error",
                        "finished_at",
                        "updated_at",
                    ]
                )
        except PlanChangedError as exc:
            # The file is still good: trying again checks it afresh.
            return _fail(job.pk, exc.message, drop_file=False, step=ImportStep.PREVIEW)
        except EdexmlError as exc:
            return _fail(job.pk, exc.message, drop_file=True)
        except (FileNotFoundError, SealedFileError):
            logger.warning("Import job %s: its file cannot be opened.", job.pk)
            return _fail(job.pk, _gone(), drop_file=True)
        except OperationalError:
            raise  # the task retries
        except Exception:
            logger.exception("Import job %s: the import stopped.", job.pk)
            return _fail(job.pk, _stopped(), drop_file=False)
    _file_drop(job.pk)
    logger.info("Import job %s imported.", job.pk)
    return locked


# -- expiry (the hourly job) -----------------------------------------------------------------
def import_jobs_expire(*, now: datetime.datetime) -> int:
    """Delete the files of jobs past their ``expires_at`` (and of finished jobs whose file
    outlived them); a job still waiting for a step becomes "expired". How many files."""
    has_file = ~models.Q(file="")
    due = (
        models.Q(expires_at__lte=now)
        & (has_file | models.Q(status__in=[*RUNNING, ImportStatus.PREVIEWED]))
        | models.Q(status=ImportStatus.DONE) & has_file
    )
    deleted = 0
    for pk in ImportJob.objects.filter(due).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().filter(due, pk=pk).first()
            if job is None:  # finished or emptied meanwhile
                continue
            fields = ["file", "preview", "updated_at"]
            if job.file:
                job.file.storage.delete(job.file.name)
                deleted += 1
            job.file = ""
            job.preview = _without_records(job.preview)
            if job.status in (*RUNNING, ImportStatus.PREVIEWED):
                job.status = ImportStatus.EXPIRED
                job.finished_at = now
                fields += ["status", "finished_at"]
            job.save(update_fields=fields)
    return deleted


def import_upload_names() -> set[str]:
    """The stored names of uploads that a job still names (the stray-file sweep keeps them)."""
    return set(ImportJob.objects.exclude(file="").values_list("file", flat=True))


# -- helpers ---------------------------------------------------------------------------------
def _opener(job: ImportJob) -> Callable[[], BinaryIO]:
    """Opens the sealed upload afresh (decrypting as it is read, chunk by chunk)."""
    name = job.file.name
    storage = job.file.storage
    if not name:
        raise FileNotFoundError("The import job has no file.")
    return lambda: storage.open(name, "rb")


def _progress_writer(job_id: int) -> Callable[[int, int], None]:
    def write(done: int, total: int) -> None:
        # Outside any transaction of the step: each update commits at once, so the page sees it.
        ImportJob.objects.filter(pk=job_id).update(
            progress_done=done, progress_total=total, updated_at=timezone.now()
        )

    return write


def _preview_summary(preview: Preview) -> dict:
    """What the job page shows of a preview: the same rows the page showed before jobs."""
    return {
        "errors": preview.errors,
        "warnings": preview.warnings,
        "school_year": preview.school_year,
        "counts": preview.counts() if preview.is_valid else {},
        "proposed_groups": preview.proposed_groups,
        "records": [
            {
                "kind": record.kind,
                "key": record.key,
                "label": record.label,
                "action": record.action,
                "errors": record.errors,
                "warnings": record.warnings,
                # Only a teacher's changes were ever shown (the proposals), so only they are kept.
                "changes": record.changes if record.kind == "teacher" else [],
            }
            for record in preview.records()
        ],
    }


def _without_records(preview: dict | None) -> dict | None:
    if not preview:
        return preview
    return {**preview, "records": [], "errors": preview.get("errors", [])[:1]}


def _fail(
    job_id: int, message: str, *, drop_file: bool, step: str | None = None
) -> ImportJob | None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (ImportStatus.DONE, ImportStatus.EXPIRED):
            return job
        job.status = ImportStatus.FAILED
        job.error = str(message)
        job.finished_at = timezone.now()
        fields = ["status", "error", "finished_at", "updated_at"]
        if step:
            job.step = step
            fields.append("step")
        job.save(update_fields=fields)
    if drop_file:
        _file_drop(job_id)
        job.refresh_from_db()
    return job


def _file_drop(job_id: int) -> None:
    """Delete the job's file, then empty the field, in the row's own transaction."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.file:
            return
        job.file.storage.delete(job.file.name)
        ImportJob.objects.filter(pk=job_id).update(file="", updated_at=timezone.now())


def _gone() -> str:
    return _("The checked file is no longer kept. Upload it again, please.")


def _stopped() -> str:
    return _(
        "The work stopped because of an error in the portal; nothing was changed. Try again; "
        "if it fails again, tell the portal's administrator."
    )
