"""Consent's erasure handlers (registered in ``consent/apps.py``, called through
``students/erasure.py``): a pupil's appearances in publications, and the consent evidence of
former pupils past its period.

Consent decisions are evidence: the PostgreSQL triggers refuse to delete them except through
``retention_purge_consent_decisions`` (migration ``retention/migrations/0007``), which only a
retention run reaches, for pupils who left long enough ago and are not held.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from audit.constants import DataKind
from students import erasure
from students.models import Student

from .models import ConsentDecision, Publication, Takedown


def publications_erase(students: Sequence[Student], action: str) -> dict[int, int]:
    """The pupils' appearances in publications go (the publication stays for the others)."""
    publications = Publication.pupils.through.objects.filter(
        student_id__in=[s.pk for s in students]
    )
    counts = erasure.counts_per_pupil(publications)
    publications.delete()
    return counts


def publications_erase_on_request(student: Student) -> int:
    return Publication.pupils.through.objects.filter(student_id=student.pk).delete()[0]


def _consent_decisions_purge(student_ids: list[int]) -> None:
    """Delete the pupils' consent decisions. On PostgreSQL through
    ``retention_purge_consent_decisions``, which refuses unless every pupil left at least 12
    months ago and is not held (migration retention 0007)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT retention_purge_consent_decisions(%s::bigint[])", [student_ids])
        return
    decisions = ConsentDecision.objects.filter(student_id__in=student_ids)
    decisions._raw_delete(decisions.db)


def decisions_erase(students: Sequence[Student], action: str) -> dict[int, int]:
    """The pupils' consent decisions past their evidence period, through the owner's purge
    function on PostgreSQL (``_consent_decisions_purge``). Takedowns that point at them are
    resolved history and go with them.

    The caller holds the pupils' rows locked. All their decisions go in one DELETE inside
    the caller's transaction, so no one ever sees a part of them gone (the order within it
    cannot be observed). Takedowns are the only rows that point at a decision; once these
    are gone nothing can, so the DELETE needs no collector (which would read every decision
    and its takedowns first). Returns the number of decisions per pupil."""
    ids = [student.pk for student in students]
    Takedown.objects.filter(Q(student_id__in=ids) | Q(decision__student_id__in=ids)).delete()
    counts = erasure.counts_per_pupil(ConsentDecision.objects.filter(student_id__in=ids))
    _consent_decisions_purge(ids)
    return counts


def _holding_decisions() -> Exists:
    return Exists(ConsentDecision.objects.filter(student=OuterRef("pk")))


def erasure_handlers_register() -> None:
    erasure.handler_register(erasure.PUPIL_FILE, "publications", publications_erase, order=40)
    erasure.handler_register(erasure.CONSENT_EVIDENCE, "decisions", decisions_erase, order=10)
    erasure.holding_register(erasure.CONSENT_EVIDENCE, _holding_decisions)
    erasure.request_handler_register(
        "publications", publications_erase_on_request, data_kind=DataKind.CONSENT
    )
    erasure.kept_register(
        "consent_decisions",
        _("Consent decisions"),
        _("The school must be able to prove what was agreed (AVG art. 7)."),
        order=20,
    )
