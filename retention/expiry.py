"""Stored files leave storage once nobody may fetch them any more (the hourly job).

- a released access package's JSON and PDF, and a finished export's file, once their download
  period has ended: the row stays with its evidence (the disclosure, the request's timeline),
  only the file field is emptied; the pages then say that the period has ended;
- an import job's upload (``suppliers.ImportJob``) once its ``expires_at`` has passed (a day
  after the upload: nobody carried it through) or once it was imported and the job's own
  deletion did not happen; a job still waiting for a step becomes "expired";
- a stray file in the uploads folder that no job names, a day after it was written (a crash
  between storing and recording, or an upload kept before import jobs existed).

Packages and exports that were never released or finished have no end of their download
period and are left alone. The file is deleted before its row is emptied, in the row's own
transaction: a failure in between leaves a row naming a file that is gone (no page serves an
expired file) and the next run empties it, never a file that no row names. Safe to run again
and at the same time as itself. Logs counts only.
"""

from __future__ import annotations

import datetime
import logging

from django.db import models, transaction
from django.utils import timezone

from kernel.sealed_files import sealed_storage

logger = logging.getLogger(__name__)


def _files_expire(model: type[models.Model], fields: tuple[str, ...], expired: models.Q) -> int:
    """Delete the files of the ``expired`` rows, one row per transaction; how many rows."""
    has_file = models.Q()
    for field in fields:
        has_file |= ~models.Q(**{field: ""})
    ids = list(model.objects.filter(expired, has_file).order_by("pk").values_list("pk", flat=True))
    emptied = 0
    for pk in ids:
        with transaction.atomic():
            row = model.objects.select_for_update().filter(expired, has_file, pk=pk).first()
            if row is None:  # emptied meanwhile by another run or by erasure
                continue
            for field in fields:
                stored = getattr(row, field)
                if stored:
                    stored.storage.delete(stored.name)
            model.objects.filter(pk=pk).update(**dict.fromkeys(fields, ""))
            emptied += 1
    return emptied


def _uploads_expire(now: datetime.datetime, before: datetime.datetime) -> int:
    from suppliers.constants import IMPORT_UPLOAD_DIR
    from suppliers.import_jobs import import_jobs_expire, import_upload_names

    deleted = import_jobs_expire(now=now)
    storage = sealed_storage()
    try:
        _folders, names = storage.listdir(IMPORT_UPLOAD_DIR)
    except FileNotFoundError:  # no upload was ever kept
        return deleted
    kept = import_upload_names()  # a job's file leaves by the job's own expiry, above
    for filename in names:
        name = f"{IMPORT_UPLOAD_DIR}/{filename}"
        if name in kept:
            continue
        try:
            if storage.get_modified_time(name) > before:
                continue
        except FileNotFoundError:  # confirmed (and deleted) meanwhile
            continue
        storage.delete(name)
        deleted += 1
    return deleted


def stored_files_expire(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete the stored files nobody may fetch any more; how many packages, exports and
    uploads lost theirs."""
    from privacy_requests.constants import PackageStatus
    from privacy_requests.models import AccessPackage
    from suppliers.constants import IMPORT_UPLOAD_HOURS, ExportStatus
    from suppliers.models import Export

    now = now or timezone.now()
    counts = {
        "packages": _files_expire(
            AccessPackage,
            ("json_file", "pdf_file"),
            models.Q(status=PackageStatus.RELEASED, expires_at__lte=now),
        ),
        "exports": _files_expire(
            Export, ("file",), models.Q(status=ExportStatus.DONE, expires_at__lte=now)
        ),
        "uploads": _uploads_expire(now, now - datetime.timedelta(hours=IMPORT_UPLOAD_HOURS)),
    }
    logger.info(
        "Stored files expired: packages=%d exports=%d uploads=%d",
        counts["packages"],
        counts["exports"],
        counts["uploads"],
    )
    return counts
