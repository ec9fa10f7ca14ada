"""The one rule for former pupils: a pupil who left is read-only for day-to-day edits.

Every writer of a pupil's day-to-day data calls ``pupil_require_enrolled`` first: moving to
another group, adding a guardian, progress, care records, religion and consent given. What
still applies to a former pupil does not call it: corrections and restrictions on a privacy
request (``services/limits.py``), erasure and retention (``students/erasure.py``), legal
holds, a parent withdrawing consent or taking back their religion entry (always possible,
AVG art. 7(3)), withholding a care record from guardians (it protects the child), a court
decision on parental authority (it decides who exercises the rights on the data kept) and an
invitation to a guardian's account (the parents download the proof of withdrawal there).
docs/domain.md, "Admissions", "Leaving".
"""

from __future__ import annotations

from django.db import transaction

from ..exceptions import FormerPupilError
from ..models import Student


def pupil_require_enrolled(student: Student) -> None:
    """Refuse (``FormerPupilError``, 409) a day-to-day change to a pupil who left. Read from
    the database, not from the object the caller holds: a form opened before the leaving is
    refused all the same. Inside a transaction the pupil row is read locked (a writer that
    locked it already holds it), so a leaving that commits meanwhile cannot slip between this
    check and the write: the leaving locks the same row while it writes."""
    if student.withdrawn_on is not None:
        raise FormerPupilError
    row = Student.objects.filter(pk=student.pk)
    if transaction.get_connection().in_atomic_block:
        # Locked by its key alone: a filter on withdrawn_on would skip the row a leaving is
        # writing instead of waiting for it.
        row = row.select_for_update()
    if row.values_list("withdrawn_on", flat=True).first() is not None:
        raise FormerPupilError
