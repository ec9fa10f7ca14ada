"""Importing an EDEXML 2.1 file from the previous administration system: preview, then import.

:func:`edexml_preview` reads the file (safely, checked against the schema) and decides per
group and pupil what will happen: ``create``, ``update``, ``unchanged``, ``withdraw`` or
``skip``, and per teacher ``propose`` (groups proposed to the director), ``unchanged`` or
``skip``, each with its errors and warnings in plain words. :func:`edexml_import` computes
the same plan inside one transaction and carries it out, nothing more. Records are matched by
their EDEXML ``key``: ``Group.source_key`` (per school and school year) and
``Student.source_key`` (per school), so importing the same file again changes nothing.

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
* A pupil without a date of birth is imported with :data:`PLACEHOLDER_DATE_OF_BIRTH`
  (1 January 1900: the database requires a date, and this one can never be mistaken for a
  real one) and a warning to enter the real date. Without an enrolment date (``instroomdatum``)
  the first day of the file's school year (1 August) is used; without a sex (``geslacht``)
  "other or not stated"; without a name they go by (``roepnaam``) the first of their first
  names. A re-import never overwrites a value with such a fallback.
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

import datetime
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from students.constants import Sex, WithdrawalDestination
from students.models import Group, GroupTeacher, School, Student, TeacherProposal, school_year_of
from students.selectors.staff import teachers_at
from students.services import student_enrol, student_move, student_withdraw
from students.services.staff import teacher_proposals_record

from .validation import EdexmlError, iterparse_safely, parse_file_safely, validate

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
WITHDRAW = "withdraw"
SKIP = "skip"
PROPOSE = "propose"  # teachers only: groups proposed to the director, who confirms
ACTIONS = (CREATE, UPDATE, UNCHANGED, WITHDRAW, SKIP, PROPOSE)
KIND_ACTIONS = {
    "groups": (CREATE, UPDATE, UNCHANGED, WITHDRAW, SKIP),
    "pupils": (CREATE, UPDATE, UNCHANGED, WITHDRAW, SKIP),
    "teachers": (PROPOSE, UNCHANGED, SKIP),
}


def action_label(action: str) -> str:
    """An action in words, for the pages."""
    return {
        CREATE: _("new"),
        UPDATE: _("changed"),
        UNCHANGED: _("unchanged"),
        WITHDRAW: _("withdrawn"),
        SKIP: _("not imported"),
        PROPOSE: _("proposed to the director"),
    }[action]


def kind_label(kind: str) -> str:
    return {"group": _("Group"), "pupil": _("Pupil"), "teacher": _("Teacher")}[kind]


def counts_summary(counts: dict[str, dict[str, int]]) -> list[str]:
    """Counts as :meth:`Preview.counts` gives them, in words, one line per kind."""
    names = {"groups": _("Groups"), "pupils": _("Pupils"), "teachers": _("Teachers")}
    lines = []
    for name, actions in counts.items():
        parts = [f"{action_label(action)} {n}" for action, n in actions.items() if n]
        if parts:
            lines.append(f"{names[name]}: {', '.join(parts)}")
    return lines


PLACEHOLDER_DATE_OF_BIRTH = datetime.date(1900, 1, 1)
DEFAULT_YEAR_RANGE = (1, 8)
YEAR_CODES = {str(n): n for n in range(1, 9)}
SEX_FROM_CODE = {"1": Sex.MALE, "2": Sex.FEMALE, "0": Sex.OTHER, "9": Sex.OTHER}
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

# Model limits that are tighter than the schema's.
MAX_SOURCE_KEY = Student._meta.get_field("source_key").max_length
MAX_GROUP_NAME = Group._meta.get_field("name").max_length
MAX_SURNAME = Student._meta.get_field("surname").max_length
MAX_FULL_NAME = User._meta.get_field("full_name").max_length


# -- results ---------------------------------------------------------------------------------
@dataclass
class RecordAction:
    """What happens to one group, pupil or teacher of the file."""

    kind: str  # "group", "pupil" or "teacher"
    key: str  # the record's key in the file
    label: str  # its name, for people
    action: str = CREATE  # one of ACTIONS
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    detail: dict = field(default_factory=dict, repr=False, compare=False)

    def skip(self, error: str | None = None) -> RecordAction:
        self.action = SKIP
        if error:
            self.errors.append(error)
        return self

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def action_label(self) -> str:
        return action_label(self.action)


@dataclass
class Preview:
    """The plan for one file. With ``errors`` the file cannot be imported at all."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    school_year: int | None = None
    brin: str = ""
    groups: list[RecordAction] = field(default_factory=list)
    pupils: list[RecordAction] = field(default_factory=list)
    teachers: list[RecordAction] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def records(self) -> list[RecordAction]:
        return [*self.groups, *self.pupils, *self.teachers]

    def counts(self) -> dict[str, dict[str, int]]:
        """``{"groups": {"create": n, ...}, "pupils": {...}, "teachers": {"propose": n, ...}}``."""
        result = {}
        for name, actions in KIND_ACTIONS.items():
            seen = Counter(record.action for record in getattr(self, name))
            result[name] = {action: seen.get(action, 0) for action in actions}
        return result

    def summary(self) -> list[str]:
        """The counts in words, one line per kind, e.g. "Groups: new 7, not imported 1"."""
        return counts_summary(self.counts())

    @property
    def proposed_groups(self) -> int:
        """How many group assignments the import proposes to the director."""
        return sum(
            len(record.detail.get("groups", ()))
            for record in self.teachers
            if record.action == PROPOSE
        )


@dataclass
class ImportResult:
    """What the import did: exactly the preview's plan, with the ids of the records."""

    preview: Preview
    group_ids: dict[str, int] = field(default_factory=dict)
    student_ids: dict[str, int] = field(default_factory=dict)
    # The accounts of the school's teachers the file names, and the proposals made for them.
    teacher_ids: dict[str, int] = field(default_factory=dict)
    proposal_ids: dict[str, list[int]] = field(default_factory=dict)

    def counts(self) -> dict[str, dict[str, int]]:
        return self.preview.counts()

    def summary(self) -> list[str]:
        return self.preview.summary()

    @property
    def proposed_groups(self) -> int:
        return sum(len(ids) for ids in self.proposal_ids.values())


# -- reading the file ------------------------------------------------------------------------
@dataclass(slots=True)  # thousands per file: no per-instance dict
class _FileGroup:
    key: str
    name: str
    year: str  # jaargroep code; "" for a samengestelde_groep
    cluster: bool


@dataclass(slots=True)  # thousands per file: no per-instance dict
class _FilePerson:
    key: str
    surname: str
    prefix: str
    first_names: str
    initials: str
    given: str
    email: str = ""
    born: datetime.date | None = None
    sex: str = ""
    year: str = ""
    group_key: str = ""
    cluster_keys: list[str] = field(default_factory=list)
    group_keys: list[str] = field(default_factory=list)  # teachers: both kinds
    entered: datetime.date | None = None
    left: datetime.date | None = None
    date_errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        given = self.given or self.first_names or self.initials
        return " ".join(part for part in (given, self.prefix, self.surname) if part) or self.key


@dataclass
class _File:
    school_year: int
    brin: str
    has_branches: bool
    groups: list[_FileGroup]
    pupils: list[_FilePerson]
    teachers: list[_FilePerson]


def _text(element, tag: str) -> str:
    value = element.findtext(tag)
    return " ".join(value.split()) if value else ""


def _date(element, tag: str, person: _FilePerson) -> datetime.date | None:
    text = _text(element, tag)
    if not text:
        return None
    match = _DATE.match(text)
    try:
        return datetime.date(*(int(part) for part in match.groups()))  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        person.date_errors.append(
            _("The date %(value)s in %(element)s cannot be read.") % {"value": text, "element": tag}
        )
        return None


def _person(element) -> _FilePerson:
    return _FilePerson(
        key=element.get("key", ""),
        surname=_text(element, "achternaam"),
        prefix=_text(element, "voorvoegsel"),
        first_names=_text(element, "voornamen"),
        initials=_text(element, "voorletters-1"),
        given=_text(element, "roepnaam"),
        email=_text(element, "emailadres"),
    )


# A section of the file and the records it holds (EDEXML 2.1's order: school, groups, pupils,
# teachers; branches are not imported).
_SECTIONS = {"groepen", "leerlingen", "leerkrachten"}


def _drop(element) -> None:
    """Forget a record once read, and the records before it, so memory holds one record."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _read_stream(handle: BinaryIO, *, total: int = 0, progress: Progress | None = None) -> _File:
    """Read the file record by record (``iterparse``), keeping only the few fields the plan
    needs per record; refuses more than ``IMPORT_MAX_PUPILS`` pupils as soon as it meets one."""
    from suppliers.constants import IMPORT_MAX_PUPILS, IMPORT_PROGRESS_EVERY

    school_year, brin, has_branches = 0, "", False
    groups: list[_FileGroup] = []
    pupils: list[_FilePerson] = []
    teachers: list[_FilePerson] = []
    depth = 0
    if progress is not None:
        progress(0, total)
    for event, element in iterparse_safely(handle, ("start", "end")):
        if event == "start":
            depth += 1
            if depth == 2 and element.tag == "vestigingen":
                has_branches = True
            continue
        depth -= 1
        if depth == 2 and element.getparent().tag in _SECTIONS:
            section = element.getparent().tag
            if section == "groepen":
                groups.append(
                    _FileGroup(
                        key=element.get("key", ""),
                        name=_text(element, "naam"),
                        year=_text(element, "jaargroep"),
                        cluster=element.tag == "samengestelde_groep",
                    )
                )
            elif section == "leerlingen" and element.tag == "leerling":
                if len(pupils) >= IMPORT_MAX_PUPILS:
                    raise EdexmlError(
                        _(
                            "The file holds more than %(max)s pupils. The portal imports at "
                            "most %(max)s pupils for one school: check that the file is the "
                            "export of this school alone."
                        )
                        % {"max": formats.number_format(IMPORT_MAX_PUPILS, force_grouping=True)}
                    )
                pupils.append(_pupil(element))
                if progress is not None and len(pupils) % IMPORT_PROGRESS_EVERY == 0:
                    progress(len(pupils), max(total, len(pupils)))
            elif section == "leerkrachten" and element.tag == "leerkracht":
                teacher = _person(element)
                teacher.group_keys = [item.get("key", "") for item in element.iterfind("groepen/*")]
                teachers.append(teacher)
            _drop(element)
        elif depth == 1:
            if element.tag == "school":
                school_year = int(_text(element, "schooljaar").split("-")[0])
                brin = _text(element, "brincode")
            _drop(element)
    if progress is not None:
        progress(len(pupils), len(pupils))
    return _File(
        school_year=school_year,
        brin=brin,
        has_branches=has_branches,
        groups=groups,
        pupils=pupils,
        teachers=teachers,
    )


def _pupil(element) -> _FilePerson:
    pupil = _person(element)
    pupil.born = _date(element, "geboortedatum", pupil)
    pupil.sex = _text(element, "geslacht")
    pupil.year = _text(element, "jaargroep")
    group = element.find("groep")
    pupil.group_key = group.get("key", "") if group is not None else ""
    clusters = element.iterfind("samengestelde_groepen/samengestelde_groep")
    pupil.cluster_keys = [item.get("key", "") for item in clusters]
    pupil.entered = _date(element, "instroomdatum", pupil)
    pupil.left = _date(element, "uitstroomdatum", pupil)
    return pupil


# -- planning --------------------------------------------------------------------------------
def _day(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _year_code_meaning(code: str) -> str:
    meanings = {
        "B": _("babies"),
        "D": _("toddlers"),
        "0": _("pre-school group"),
        "S": _("special (primary) education"),
        "V": _("special secondary education"),
        "N": _("neither primary nor secondary education"),
        "H": _("historic"),
        "C": _("combination group"),
    }
    if code in meanings:
        return meanings[code]
    if code.isdigit() and int(code) > 10:
        return _("secondary education")
    return _("unknown")


def _is_former(pupil: _FilePerson, today: datetime.date) -> bool:
    return pupil.year == "H" or (pupil.left is not None and pupil.left <= today)


class _Planner:
    def __init__(self, document: _File, school: School):
        self.file = document
        self.school = school
        self.today = timezone.localdate()
        self.preview = Preview(school_year=document.school_year, brin=document.brin)
        self.group_plans: dict[str, RecordAction] = {}

    def plan(self) -> Preview:
        self._file_warnings()
        self._plan_groups()
        self._plan_pupils()
        self._plan_teachers()
        return self.preview

    def _file_warnings(self) -> None:
        warnings = self.preview.warnings
        document = self.file
        if not document.brin:
            warnings.append(
                _("The file names no BRIN code; check that it belongs to %(school)s.")
                % {"school": self.school.name}
            )
        elif document.brin.upper() != (self.school.brin or "").upper():
            warnings.append(
                _(
                    "The file is for BRIN %(file)s, but %(school)s has BRIN %(brin)s. Check "
                    "that you chose the right school."
                )
                % {"file": document.brin, "school": self.school.name, "brin": self.school.brin}
            )
        current = school_year_of(self.today)
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

    # -- groups ------------------------------------------------------------------------
    def _member_years(self) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        base: dict[str, list[int]] = {}
        cluster: dict[str, list[int]] = {}
        for pupil in self.file.pupils:
            year = YEAR_CODES.get(pupil.year)
            if year is None or _is_former(pupil, self.today):
                continue
            if pupil.group_key:
                base.setdefault(pupil.group_key, []).append(year)
            for key in pupil.cluster_keys:
                cluster.setdefault(key, []).append(year)
        return base, cluster

    def _plan_groups(self) -> None:
        year = self.file.school_year
        existing = list(Group.objects.filter(school=self.school, school_year=year))
        by_key: dict[str, list[Group]] = {}
        for group in existing:
            if group.source_key:
                by_key.setdefault(group.source_key, []).append(group)
        names = {group.name: group for group in existing}  # the portal's groups by name
        claimed: dict[str, str] = {}  # names taken by the file's groups planned so far
        base_years, cluster_years = self._member_years()
        stay_elsewhere = Counter(
            key
            for pupil in self.file.pupils
            if pupil.group_key and not _is_former(pupil, self.today)
            for key in pupil.cluster_keys
        )
        for item in self.file.groups:
            record = RecordAction(kind="group", key=item.key, label=item.name)
            self.preview.groups.append(record)
            self.group_plans[item.key] = record
            if len(item.key) > MAX_SOURCE_KEY:
                record.skip(
                    _("The key is longer than %(max)s characters.") % {"max": MAX_SOURCE_KEY}
                )
                continue
            if len(item.name) > MAX_GROUP_NAME:
                record.skip(
                    _("The name is longer than %(max)s characters.") % {"max": MAX_GROUP_NAME}
                )
                continue
            default = False
            # The file states no year groups for a combination or composite group, only those
            # of its pupils.
            from_members = item.cluster or item.year == "C"
            if from_members:
                members = (cluster_years if item.cluster else base_years).get(item.key, [])
                if members:
                    low, high = min(members), max(members)
                else:
                    low, high = DEFAULT_YEAR_RANGE
                    default = True
                if item.cluster and stay_elsewhere[item.key]:
                    record.warnings.append(
                        _(
                            "A composite group (samengestelde groep): the portal keeps each "
                            "pupil in one group, so its %(count)s pupil(s) with a group of "
                            "their own stay there; its teachers are linked to it."
                        )
                        % {"count": stay_elsewhere[item.key]}
                    )
            elif item.year in YEAR_CODES:
                low = high = YEAR_CODES[item.year]
            else:
                record.skip(
                    _(
                        "Year group code %(code)s (%(meaning)s) is outside the year groups 1 "
                        "to 8 that the portal keeps; the group is not imported."
                    )
                    % {"code": item.year, "meaning": _year_code_meaning(item.year)}
                )
                continue
            matches = by_key.get(item.key, [])
            if len(matches) > 1:
                record.skip(
                    _("Several groups of this school year already have this key in the portal.")
                )
                continue
            group = matches[0] if matches else None
            linked = False
            if group is None and item.name in names and not names[item.name].source_key:
                group, linked = names[item.name], True
            if group is not None and (
                default
                or (from_members and group.year_group_low <= low <= high <= group.year_group_high)
            ):
                # A portal group that holds all its pupils keeps its year groups: a Groep 3/4
                # whose file lists only year-4 pupils (e.g. an export limited by consent) is
                # still 3/4, not narrowed to 4.
                low, high = group.year_group_low, group.year_group_high
            elif default:
                record.warnings.append(
                    _(
                        "No pupil of this group has a year group in the file: year groups 1 to 8 "
                        "are assumed. Correct them in the portal."
                    )
                )
            elif item.year == "C" and low == high:
                record.warnings.append(
                    _(
                        "The file marks this group as a combination group, but all its pupils in "
                        "the file are in year group %(year)s: it is imported for that year group "
                        "only. Correct its year groups in the portal if needed."
                    )
                    % {"year": low}
                )
            owner = names.get(item.name)
            if item.name in claimed or (owner is not None and owner is not group):
                record.skip(
                    _(
                        "Another group of this school year is already called %(name)s; the "
                        "group is not imported."
                    )
                    % {"name": item.name}
                )
                continue
            record.detail = {"group": group, "name": item.name, "low": low, "high": high}
            if group is None:
                record.action = CREATE
                record.changes.append(
                    _("New group %(name)s, year groups %(low)s to %(high)s.")
                    % {"name": item.name, "low": low, "high": high}
                    if low != high
                    else _("New group %(name)s, year group %(low)s.")
                    % {"name": item.name, "low": low}
                )
            else:
                if group.name != item.name:
                    names.pop(group.name, None)
                    record.changes.append(
                        _("name: %(old)s → %(new)s") % {"old": group.name, "new": item.name}
                    )
                if (group.year_group_low, group.year_group_high) != (low, high):
                    record.changes.append(
                        _("year groups: %(old)s → %(new)s")
                        % {
                            "old": f"{group.year_group_low}-{group.year_group_high}",
                            "new": f"{low}-{high}",
                        }
                    )
                if linked:
                    record.changes.append(
                        _("The existing group %(name)s is linked to key %(key)s.")
                        % {"name": group.name, "key": item.key}
                    )
                record.action = UPDATE if record.changes else UNCHANGED
            claimed[item.name] = item.key

    # -- pupils ------------------------------------------------------------------------
    def _plan_pupils(self) -> None:
        keys = [pupil.key for pupil in self.file.pupils]
        existing: dict[str, list[Student]] = {}
        for student in Student.objects.filter(
            school=self.school, source_key__in=keys
        ).select_related("group"):
            existing.setdefault(student.source_key, []).append(student)
        for pupil in self.file.pupils:
            record = RecordAction(kind="pupil", key=pupil.key, label=pupil.label)
            record.errors.extend(pupil.date_errors)
            self.preview.pupils.append(record)
            matches = existing.get(pupil.key, [])
            if len(pupil.key) > MAX_SOURCE_KEY:
                record.skip(
                    _("The key is longer than %(max)s characters.") % {"max": MAX_SOURCE_KEY}
                )
            elif len(matches) > 1:
                record.skip(_("Several pupils of this school already have this key."))
            elif _is_former(pupil, self.today):
                self._plan_former(record, pupil, matches[0] if matches else None)
            else:
                self._plan_current(record, pupil, matches[0] if matches else None)

    def _plan_former(self, record: RecordAction, pupil: _FilePerson, student) -> None:
        if pupil.year == "H":
            reason = (
                _("Historic pupil (year group code H): left the school on %(date)s.")
                % {"date": _day(pupil.left)}
                if pupil.left
                else _("Historic pupil (year group code H): no longer at the school.")
            )
        else:
            reason = _("Left the school on %(date)s.") % {"date": _day(pupil.left)}
        if student is None:
            record.skip()
            record.warnings.append(
                reason + " " + _("Former pupils are not imported; only pupils at the school are.")
            )
            return
        if not student.is_enrolled:
            record.action = UNCHANGED
            record.warnings.append(reason)
            return
        on = pupil.left or self.today
        if on < student.enrolled_on:
            record.skip(
                reason
                + " "
                + _("That is before their enrolment date in the portal; withdraw them by hand.")
            )
            return
        record.action = WITHDRAW
        record.detail = {"student": student, "on": on}
        record.changes.append(_("Withdrawn on %(date)s (destination: other).") % {"date": _day(on)})
        record.warnings.append(reason)
        if pupil.left is None:
            record.warnings.append(
                _("The file gives no leaving date: today is used. Correct it if needed.")
            )

    def _resolve_year(self, record: RecordAction, pupil: _FilePerson) -> int | None:
        if pupil.year in YEAR_CODES:
            return YEAR_CODES[pupil.year]
        if pupil.year not in ("", "C"):
            record.skip(
                _(
                    "Year group code %(code)s (%(meaning)s) is outside the year groups 1 to 8 "
                    "that the portal keeps; the pupil is not imported."
                )
                % {"code": pupil.year, "meaning": _year_code_meaning(pupil.year)}
            )
            return None
        group = self.group_plans.get(pupil.group_key)
        if (
            group is not None
            and group.action != SKIP
            and group.detail["low"] == group.detail["high"]
        ):
            record.warnings.append(
                _("No year group in the file: taken from their group %(group)s.")
                % {"group": group.label}
            )
            return group.detail["low"]
        record.skip(
            _("The file gives no year group (1 to 8) for this pupil, and the portal needs one.")
        )
        return None

    def _resolve_group(
        self, record: RecordAction, pupil: _FilePerson, year: int, student
    ) -> RecordAction | None:
        def fits(plan: RecordAction) -> bool:
            return plan.detail["low"] <= year <= plan.detail["high"]

        if pupil.group_key:
            plan = self.group_plans[pupil.group_key]
            if plan.action == SKIP:
                record.warnings.append(
                    _(
                        "Their group %(group)s is not imported, so they are imported without a "
                        "group. Place them in a group."
                    )
                    % {"group": plan.label}
                )
                return None
            if not fits(plan):
                record.warnings.append(
                    _(
                        "Year group %(year)s does not fit their group %(group)s, so they are "
                        "imported without a group. Place them in a group."
                    )
                    % {"year": year, "group": plan.label}
                )
                return None
            return plan
        for key in pupil.cluster_keys:
            plan = self.group_plans[key]
            if plan.action != SKIP and fits(plan):
                record.warnings.append(
                    _("No group of their own in the file: placed in the composite group %(group)s.")
                    % {"group": plan.label}
                )
                return plan
        if student is not None and student.group_id:
            record.warnings.append(
                _("No group in the file: their group in the portal (%(group)s) is kept.")
                % {"group": student.group.name}
            )
        elif student is not None:
            record.warnings.append(
                _("No group in the file, and none in the portal. Place them in a group.")
            )
        else:
            record.warnings.append(
                _("No group in the file: imported without a group. Place them in a group.")
            )
        return None

    def _plan_current(self, record: RecordAction, pupil: _FilePerson, student) -> None:
        if student is not None and not student.is_enrolled:
            record.skip(
                _(
                    "This pupil was withdrawn in the portal on %(date)s, but the file has them at "
                    "the school. Re-enrol them by hand if they came back."
                )
                % {"date": _day(student.withdrawn_on)}
            )
            return
        if not pupil.surname:
            record.skip(_("The file gives no surname for this pupil, and the portal needs one."))
            return
        if len(pupil.surname) > MAX_SURNAME:
            record.skip(_("The surname is longer than %(max)s characters.") % {"max": MAX_SURNAME})
            return
        given = pupil.given or pupil.first_names.split(" ")[0] or pupil.initials
        if not given:
            record.skip(_("The file gives no first name for this pupil, and the portal needs one."))
            return
        year = self._resolve_year(record, pupil)
        if year is None:
            return
        group_plan = self._resolve_group(record, pupil, year, student)
        if pupil.left is not None:
            record.warnings.append(
                _("The file says they leave on %(date)s: withdraw them then.")
                % {"date": _day(pupil.left)}
            )
        sex = SEX_FROM_CODE.get(pupil.sex, "")
        values = {
            "surname": pupil.surname,
            "surname_prefix": pupil.prefix,
            "year_group": year,
        }
        if pupil.given:
            values["given_name"] = pupil.given
        if pupil.first_names:
            values["first_names"] = pupil.first_names
        if pupil.born:
            values["date_of_birth"] = pupil.born
        if sex and pupil.sex != "0":  # 0 "unknown" never overwrites a known sex
            values["sex"] = sex
        if student is None:
            self._plan_create(record, pupil, values, given, group_plan)
        else:
            self._plan_update(record, student, values, group_plan)

    def _plan_create(
        self, record: RecordAction, pupil: _FilePerson, values: dict, given: str, group_plan
    ) -> None:
        warnings = record.warnings
        if not pupil.given:
            warnings.append(
                _("No name they go by (roepnaam) in the file: %(name)s is used.") % {"name": given}
            )
        if not pupil.first_names:
            warnings.append(
                _("No first names (voornamen) in the file: %(name)s is used.") % {"name": given}
            )
            values["first_names"] = given
        values.setdefault("given_name", given)
        if "date_of_birth" not in values:
            values["date_of_birth"] = PLACEHOLDER_DATE_OF_BIRTH
            warnings.append(
                _(
                    "No date of birth in the file: recorded as %(date)s, a placeholder. Enter the "
                    "real date of birth."
                )
                % {"date": _day(PLACEHOLDER_DATE_OF_BIRTH)}
            )
        if "sex" not in values:
            values["sex"] = Sex.OTHER
            if not pupil.sex:
                warnings.append(_("No sex in the file: recorded as 'other or not stated'."))
        enrolled_on = pupil.entered
        if enrolled_on is None:
            enrolled_on = datetime.date(self.file.school_year, 8, 1)
            warnings.append(
                _("No enrolment date in the file: the start of the school year, %(date)s, is used.")
                % {"date": _day(enrolled_on)}
            )
        values["enrolled_on"] = enrolled_on
        record.action = CREATE
        record.detail = {"values": values, "group": group_plan}
        record.changes.append(
            _("New pupil in year group %(year)s, group %(group)s.")
            % {"year": values["year_group"], "group": group_plan.label}
            if group_plan is not None
            else _("New pupil in year group %(year)s, without a group.")
            % {"year": values["year_group"]}
        )

    def _plan_update(self, record: RecordAction, student: Student, values: dict, group_plan):
        changed = {}
        for name, value in values.items():
            old = getattr(student, name)
            if old != value:
                changed[name] = value
                label = Student._meta.get_field(name).verbose_name
                record.changes.append(
                    _("%(field)s: %(old)s → %(new)s")
                    % {"field": label, "old": old or "-", "new": value or "-"}
                )
        move = None
        if group_plan is not None:
            target = group_plan.detail["group"]
            if target is None or target.pk != student.group_id:
                move = group_plan
                record.changes.append(
                    _("group: %(old)s → %(new)s")
                    % {
                        "old": student.group.name if student.group_id else "-",
                        "new": group_plan.label,
                    }
                )
        elif student.group_id:
            year = changed.get("year_group", student.year_group)
            if not student.group.year_group_low <= year <= student.group.year_group_high:
                record.warnings.append(
                    _("Year group %(year)s does not fit their group %(group)s: move them.")
                    % {"year": year, "group": student.group.name}
                )
        if student.date_of_birth == PLACEHOLDER_DATE_OF_BIRTH and "date_of_birth" not in changed:
            record.warnings.append(
                _("The date of birth is still the placeholder: enter the real date of birth.")
            )
        record.action = UPDATE if changed or move else UNCHANGED
        record.detail = {"student": student, "changed": changed, "group": move}

    # -- teachers ----------------------------------------------------------------------
    def _plan_teachers(self) -> None:
        emails = [teacher.email.strip().lower() for teacher in self.file.teachers if teacher.email]
        # Only accounts that already teach at this school; every other address (unknown, a
        # guardian's, the importer's own, staff without the teacher role, a teacher of another
        # school) gets the same answer, so the preview tells nothing about other accounts.
        users = {user.email: user for user in teachers_at(self.school).filter(email__in=emails)}
        taken = {
            *GroupTeacher.objects.filter(teacher__in=users.values()).values_list(
                "teacher_id", "group_id"
            ),
            *TeacherProposal.objects.filter(teacher__in=users.values()).values_list(
                "teacher_id", "group_id"
            ),
        }
        past = self.file.school_year < school_year_of(self.today)
        seen: dict[str, str] = {}
        for teacher in self.file.teachers:
            name = " ".join(
                part
                for part in (teacher.given or teacher.first_names, teacher.prefix, teacher.surname)
                if part
            )[:MAX_FULL_NAME]
            record = RecordAction(kind="teacher", key=teacher.key, label=name or teacher.key)
            self.preview.teachers.append(record)
            email = teacher.email.strip().lower()
            if not email:
                record.skip()
                record.warnings.append(
                    _(
                        "No email address in the file: nothing is proposed. The director gives "
                        "teachers their groups on the staff page."
                    )
                )
                continue
            try:
                validate_email(email)
            except ValidationError:
                record.skip()
                record.warnings.append(
                    _("%(email)s is not a valid email address: nothing is proposed.")
                    % {"email": email}
                )
                continue
            if email in seen:
                record.skip(
                    _("Teacher %(key)s in the file has the same email address.")
                    % {"key": seen[email]}
                )
                continue
            seen[email] = teacher.key
            targets = []
            for key in dict.fromkeys(teacher.group_keys):
                plan = self.group_plans[key]
                if plan.action == SKIP:
                    record.warnings.append(
                        _("Their group %(group)s is not imported: nothing is proposed for it.")
                        % {"group": plan.label}
                    )
                else:
                    targets.append(plan)
            user = users.get(email)
            if user is None:
                record.skip()
                record.warnings.append(
                    _(
                        "No teacher of %(school)s has the email address %(email)s: nothing is "
                        "proposed. An import creates no accounts and gives no roles."
                    )
                    % {"school": self.school.name, "email": email}
                )
                continue
            if not targets:
                record.skip()
                record.warnings.append(
                    _("None of this teacher's groups is imported: nothing is proposed.")
                )
                record.detail = {"user": user, "groups": []}
                continue
            if past:
                record.skip()
                record.warnings.append(
                    _("The file's school year has passed: no groups are proposed for this teacher.")
                )
                record.detail = {"user": user, "groups": []}
                continue
            new = [
                plan
                for plan in targets
                if plan.detail["group"] is None or (user.pk, plan.detail["group"].pk) not in taken
            ]
            record.action = PROPOSE if new else UNCHANGED
            record.changes.extend(
                _(
                    "Proposed to the director: %(email)s teaches %(group)s. The director "
                    "confirms this on the staff page."
                )
                % {"email": email, "group": plan.label}
                for plan in new
            )
            if not new:
                record.changes.append(
                    _(
                        "Already a teacher of these groups, or proposed before: nothing new is "
                        "proposed."
                    )
                )
            record.detail = {"user": user, "groups": new}


# -- the public functions --------------------------------------------------------------------
# The file: its bytes, or a callable that opens it afresh (a stored upload is read twice).
Source = bytes | Callable[[], BinaryIO]
# Told (pupils read, pupils in the file) while the file is read.
Progress = Callable[[int, int], None]


class PlanChangedError(EdexmlError):
    """The plan differs from the one the preview showed (the portal changed meanwhile)."""


def _opener(source: Source) -> Callable[[], BinaryIO]:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        return lambda: io.BytesIO(data)
    return source


def edexml_read(source: Source, *, progress: Progress | None = None) -> _File:
    """Check the file against the schema, then read it record by record.

    The schema check needs the whole document (libxml2 holds the tree, in C, for the check
    only; callers refuse files over ``IMPORT_MAX_BYTES`` first, which bounds it). The reading
    that follows streams and keeps only the fields the plan needs. Raises :class:`EdexmlError`
    whose ``errors`` list every finding.
    """
    open_file = _opener(source)
    try:
        tree = parse_file_safely(open_file)
        errors = validate(tree)
        if errors:
            message = _("The file is not valid EDEXML 2.1; nothing can be imported.")
            raise EdexmlError(message, errors=[message, *errors])
        total = int(tree.xpath("count(/*/leerlingen/leerling)"))
        del tree
        with open_file() as handle:
            return _read_stream(handle, total=total, progress=progress)
    except EdexmlError as exc:
        raise EdexmlError(exc.message, errors=exc.errors or [exc.message]) from exc


def edexml_plan(document: _File, *, school: School) -> Preview:
    """Plan per group, pupil and teacher for a file already read (nothing is written)."""
    return _Planner(document, school).plan()


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


def edexml_import(
    source: Source, *, school: School, actor, progress: Progress | None = None
) -> ImportResult:
    """Read the file, then carry out the plan in one transaction (idempotent by the EDEXML
    keys).

    Raises :class:`EdexmlError` (with ``errors``) for an unreadable or invalid file; then
    nothing is imported.
    """
    document = edexml_read(source, progress=progress)
    with transaction.atomic():
        return edexml_carry_out(document, school=school, actor=actor)


def edexml_carry_out(
    document: _File, *, school: School, actor, expected_digest: str = ""
) -> ImportResult:
    """Plan and carry out, inside the caller's transaction. With ``expected_digest`` (the
    preview's :func:`plan_digest`) a plan that differs raises :class:`PlanChangedError` and
    nothing is written."""
    # One import per school at a time (a no-op on SQLite, which locks the whole file).
    School.objects.select_for_update().filter(pk=school.pk).first()
    preview = edexml_plan(document, school=school)
    if expected_digest and plan_digest(preview) != expected_digest:
        raise PlanChangedError(
            _(
                "The portal's pupils or groups changed after the check, so the import would no "
                "longer do what the preview showed. Nothing was imported. Check the file again."
            )
        )
    result = ImportResult(preview=preview)
    for record in preview.groups:
        _apply_group(record, school=school, year=preview.school_year, actor=actor, result=result)
    for record in preview.pupils:
        _apply_pupil(record, school=school, actor=actor, result=result)
    for record in preview.teachers:
        _apply_teacher(record, school=school, actor=actor, result=result)
    return result


# -- carrying out the plan -------------------------------------------------------------------
def _apply_group(record: RecordAction, *, school, year, actor, result: ImportResult) -> None:
    if record.action == SKIP:
        return
    detail = record.detail
    group = detail["group"]
    if record.action == CREATE:
        group = Group.objects.create(
            school=school,
            school_year=year,
            name=detail["name"],
            source_key=record.key,
            year_group_low=detail["low"],
            year_group_high=detail["high"],
        )
        event_record(
            user=actor,
            action=Action.CREATE,
            object_type="group",
            object_id=group.pk,
            data_kind=DataKind.GROUP,
            school_id=school.pk,
        )
    elif record.action == UPDATE:
        group.name = detail["name"]
        group.source_key = record.key
        group.year_group_low, group.year_group_high = detail["low"], detail["high"]
        group.save(update_fields=["name", "source_key", "year_group_low", "year_group_high"])
        event_record(
            user=actor,
            action=Action.UPDATE,
            object_type="group",
            object_id=group.pk,
            data_kind=DataKind.GROUP,
            school_id=school.pk,
        )
    detail["group"] = group
    result.group_ids[record.key] = group.pk


def _apply_pupil(record: RecordAction, *, school, actor, result: ImportResult) -> None:
    detail = record.detail
    if record.action == CREATE:
        values = detail["values"]
        group_plan = detail["group"]
        if group_plan is not None:
            student = student_enrol(
                actor=actor, school=school, group=group_plan.detail["group"], **values
            )
            Student.objects.filter(pk=student.pk).update(source_key=record.key)
        else:
            # student_enrol needs a group; this is its groupless twin (same row, same event).
            student = Student.objects.create(school=school, source_key=record.key, **values)
            event_record(
                user=actor,
                action=Action.CREATE,
                object_type="student",
                object_id=student.pk,
                student_id=student.pk,
                school_id=school.pk,
            )
        result.student_ids[record.key] = student.pk
    elif record.action == UPDATE:
        student = detail["student"]
        if detail["changed"]:
            for name, value in detail["changed"].items():
                setattr(student, name, value)
            student.save(update_fields=list(detail["changed"]))
            event_record(
                user=actor,
                action=Action.UPDATE,
                object_type="student",
                object_id=student.pk,
                student_id=student.pk,
                school_id=school.pk,
            )
        if detail["group"] is not None:
            student_move(actor=actor, student=student, group=detail["group"].detail["group"])
        result.student_ids[record.key] = student.pk
    elif record.action == WITHDRAW:
        student = student_withdraw(
            actor=actor,
            student=detail["student"],
            on=detail["on"],
            destination=WithdrawalDestination.OTHER,
        )
        result.student_ids[record.key] = student.pk


def _apply_teacher(record: RecordAction, *, school, actor, result: ImportResult) -> None:
    """Propose the teacher's groups to the director; nothing is assigned and no role given."""
    user = record.detail.get("user")
    if user is None:
        return
    result.teacher_ids[record.key] = user.pk
    if record.action != PROPOSE:
        return
    proposals = teacher_proposals_record(
        actor=actor,
        school=school,
        teacher=user,
        groups=[plan.detail["group"] for plan in record.detail["groups"]],
    )
    result.proposal_ids[record.key] = [proposal.pk for proposal in proposals]
