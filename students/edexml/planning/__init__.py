"""Planning an EDEXML import: what will change, shown in the preview (nothing is written here).

:func:`edexml_preview` reads the file (:mod:`students.edexml.reading`) and decides per group and
pupil what will happen: ``create``, ``update``, ``unchanged``, ``withdraw`` or ``skip``, and per
teacher ``propose`` (groups proposed to the director), ``unchanged`` or ``skip``, each with its
errors and warnings in plain words. The import (:mod:`students.edexml.applying`) computes the
same plan inside one transaction and carries it out, nothing more. Records are matched by their
EDEXML ``key``: ``Group.source_key`` (per school and school year) and ``Student.source_key``
(per school), so importing the same file again changes nothing. The groups are planned first
(``groups.py``), then the pupils placed in them (``pupils.py``), then the teachers whose groups
are proposed (``teachers.py``); ``records.py`` holds what a plan is made of.

Decisions where the file and the portal do not fit (each is shown in the preview):

* Year groups: the portal keeps year groups 1 to 8 only. A group with another ``jaargroep``
  (0, B, D, S, V, N, H, 11-16) is skipped, and so is a pupil with such a year group.
  A ``groep`` with ``jaargroep`` C (combination group: the standard records the year group
  per pupil) and a ``samengestelde_groep`` become one portal group each, spanning the year
  groups of their pupils in the file (1-8 when none has one); each pupil keeps their own
  ``jaargroep``. A portal group they are matched to keeps its year groups when those hold all
  its pupils in the file. The portal keeps one group per pupil: a pupil stays in their
  ``groep``; only a pupil without one is placed in their first fitting ``samengestelde_groep``.
* Former pupils (``jaargroep`` H, or an ``uitstroomdatum`` that has passed) are not imported
  (the portal would need a year group 1 to 8 for them, which "H" does not give); one that is
  already in the portal and still enrolled is withdrawn on that date (destination "other").
* A pupil without a group is imported without one: the school places them by hand.
* A pupil without a date of birth is imported with ``PLACEHOLDER_DATE_OF_BIRTH`` of
  ``students/constants.py`` (1 January 1900: the database requires a date, and this one can
  never be mistaken for a real one) and a warning to enter the real date. Without an
  enrolment date (``instroomdatum``) the first day of the file's school year (1 August) is
  used; without a sex (``geslacht``) "other or not stated"; without a name they go by
  (``roepnaam``) the first of their first names. A re-import never overwrites a value with
  such a fallback.
* A pupil without a surname, without any first name or without a year group is skipped.
* An import creates no account and gives no one a role or a group. For a teacher in the file
  whose email address is that of an account that already teaches at the school
  (:func:`students.selectors.staff.teachers_at`), it *proposes* their imported groups of the
  current or a later school year; the director confirms or dismisses each proposal on the
  staff page, the only place where groups are given. Any other address (unknown, a
  guardian's, the importer's own, a colleague's without the teacher role, a teacher of
  another school) gets the same answer: nothing is proposed. A pair proposed once is not
  proposed again. Existing assignments are never removed.
* The BSN, addresses, branches (``vestigingen``) and other EDEXML data are not imported.
"""

from __future__ import annotations

import hashlib
import json

from django.utils import timezone
from django.utils.translation import gettext as _

from students.models import School, school_year_of

from ..reading import EdexmlFile, Progress, Source, edexml_read
from ..validation import EdexmlError
from .context import Planning
from .groups import plan_groups
from .pupils import plan_pupils
from .records import (
    ACTIONS,
    CREATE,
    KIND_ACTIONS,
    PROPOSE,
    SKIP,
    UNCHANGED,
    UPDATE,
    WITHDRAW,
    Preview,
    RecordAction,
    action_label,
    counts_summary,
    kind_label,
)
from .teachers import plan_teachers

__all__ = [
    "ACTIONS",
    "CREATE",
    "KIND_ACTIONS",
    "PROPOSE",
    "SKIP",
    "UNCHANGED",
    "UPDATE",
    "WITHDRAW",
    "Preview",
    "RecordAction",
    "action_label",
    "counts_summary",
    "edexml_plan",
    "edexml_preview",
    "kind_label",
    "plan_digest",
]


def edexml_plan(document: EdexmlFile, *, school: School) -> Preview:
    """Plan per group, pupil and teacher for a file already read (nothing is written)."""
    planning = Planning(
        file=document,
        school=school,
        today=timezone.localdate(),
        preview=Preview(school_year=document.school_year, brin=document.brin),
    )
    _file_warnings(planning)
    plan_groups(planning)
    plan_pupils(planning)
    plan_teachers(planning)
    return planning.preview


def _file_warnings(planning: Planning) -> None:
    warnings = planning.preview.warnings
    document = planning.file
    if not document.brin:
        warnings.append(
            _("The file names no BRIN code; check that it belongs to %(school)s.")
            % {"school": planning.school.name}
        )
    elif document.brin.upper() != (planning.school.brin or "").upper():
        warnings.append(
            _(
                "The file is for BRIN %(file)s, but %(school)s has BRIN %(brin)s. Check "
                "that you chose the right school."
            )
            % {"file": document.brin, "school": planning.school.name, "brin": planning.school.brin}
        )
    current = school_year_of(planning.today)
    if document.school_year != current:
        warnings.append(
            _(
                "The file is for the school year %(file)s; the current school year is "
                "%(current)s. Its groups are created in %(file)s."
            )
            % {
                "file": f"{document.school_year}-{document.school_year + 1}",
                "current": f"{current}-{current + 1}",
            }
        )
    if document.has_branches:
        warnings.append(
            _("The portal does not keep branches (vestigingen); they are not imported.")
        )


def plan_digest(preview: Preview) -> str:
    """A digest of everything the plan does, to hold the import to what the preview showed."""
    rows = [
        (record.kind, record.key, record.action, record.changes, record.errors)
        for record in preview.records()
    ]
    text = json.dumps([preview.school_year, preview.brin, rows], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def edexml_preview(source: Source, *, school: School, progress: Progress | None = None) -> Preview:
    """Read and check the file, then plan per group, pupil and teacher (nothing is written).

    An unreadable or schema-invalid file, or one with too many pupils, gives a Preview with
    only ``errors``.
    """
    try:
        document = edexml_read(source, progress=progress)
    except EdexmlError as exc:
        return Preview(errors=exc.errors)
    return edexml_plan(document, school=school)
