"""The suppliers' erasure and expiry handlers (registered in ``suppliers/apps.py``, called
through ``students/erasure.py`` and ``students/expiry.py``).

- When a pupil is anonymised, the links between disclosures and the pupil go, and the stored
  export files that hold the pupil with them; the disclosure evidence itself stays.
- A finished export's file leaves storage once its download period has ended (the row stays
  with its evidence, only the file field is emptied).
- An import job's upload leaves storage once its ``expires_at`` has passed (a day after the
  upload: nobody carried it through) or once it was imported and the job's own deletion did
  not happen; a job still waiting for a step becomes "expired". A stray file in the uploads
  folder that no job names goes a day after it was written (a crash between storing and
  recording, or an upload kept before import jobs existed).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import models
from django.utils.translation import gettext_lazy as _

from kernel.sealed_files import sealed_storage
from students import erasure, expiry
from students.models import Student

from .constants import IMPORT_UPLOAD_DIR, IMPORT_UPLOAD_HOURS, ExportStatus
from .models import DisclosedPupil, Export


def _export_files_remove(student: Student) -> int:
    """Stored export files that hold this pupil go; the disclosure evidence stays."""
    exports = Export.objects.filter(disclosure__links__student=student).exclude(file="")
    removed = 0
    for export in exports:
        erasure.files_delete_on_commit([export.file])
        Export.objects.filter(pk=export.pk).update(file="")
        removed += 1
    return removed


def disclosures_unlink(students: Sequence[Student], action: str) -> dict[int, int]:
    counts = {}
    for student in students:
        # The export files are found through the disclosure links: remove them first.
        removed = _export_files_remove(student)
        removed += DisclosedPupil.objects.filter(student=student).delete()[0]
        counts[student.pk] = removed
    return counts


def exports_expire(now: datetime.datetime) -> int:
    return expiry.files_expire(
        Export, ("file",), models.Q(status=ExportStatus.DONE, expires_at__lte=now)
    )


def uploads_expire(now: datetime.datetime) -> int:
    from .import_jobs import import_jobs_expire, import_upload_names

    before = now - datetime.timedelta(hours=IMPORT_UPLOAD_HOURS)
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


def erasure_handlers_register() -> None:
    erasure.handler_register(erasure.ENROLMENT, "disclosures", disclosures_unlink, order=20)
    erasure.kept_register(
        "disclosures",
        _("Data sent outside the school"),
        _("The school must be able to account for every disclosure."),
        order=40,
    )
    expiry.expiry_register("exports", exports_expire, order=20)
    expiry.expiry_register("uploads", uploads_expire, order=30)
