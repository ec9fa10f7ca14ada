"""Stored files leave storage once nobody may fetch them any more (the hourly job).

Each app registers how its own stored files expire (``students/expiry.py``): a released
access package's JSON and PDF and a finished export's file once their download period has
ended (the row stays with its evidence, only the file field is emptied; the pages then say
that the period has ended), an import job's upload once nobody carried it through, a stray
upload a day after it was written. Packages and exports that were never released or finished
have no end of their download period and are left alone. Safe to run again and at the same
time as itself. Logs counts only.
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from students.expiry import expiries_run

logger = logging.getLogger(__name__)


def stored_files_expire(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete the stored files nobody may fetch any more; how many lost theirs, per kind
    (packages, exports and uploads)."""
    counts = expiries_run(now=now or timezone.now())
    logger.info("Stored files expired: %s", " ".join(f"{name}={n:d}" for name, n in counts.items()))
    return counts
