"""Reading an EDEXML 2.1 file: the schema check, then a streaming read, record by record.

:func:`edexml_read` checks the whole file against the schema (:mod:`students.edexml.validation`),
then reads it with ``iterparse``, keeping per group, pupil and teacher only the few fields the
plan needs (:mod:`students.edexml.planning`) and forgetting each record once read. It refuses a
file with more than :data:`IMPORT_MAX_PUPILS` pupils as soon as it meets one more.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.utils import formats
from django.utils.translation import gettext as _

from .validation import EdexmlError, iterparse_safely, parse_file_safely, validate

# A school's file is far smaller: more pupils than this is not one school's export.
IMPORT_MAX_PUPILS = 5000
# The reader reports its progress after every so many pupils.
IMPORT_PROGRESS_EVERY = 200

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

# The file: its bytes, or a callable that opens it afresh (a stored upload is read twice).
Source = bytes | Callable[[], BinaryIO]
# Told (pupils read, pupils in the file) while the file is read.
Progress = Callable[[int, int], None]


@dataclass(slots=True)  # thousands per file: no per-instance dict
class FileGroup:
    key: str
    name: str
    year: str  # jaargroep code; "" for a samengestelde_groep
    cluster: bool


@dataclass(slots=True)  # thousands per file: no per-instance dict
class FilePerson:
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
class EdexmlFile:
    """What the plan needs of one file: its school year and BRIN, and its records in order."""

    school_year: int
    brin: str
    has_branches: bool
    groups: list[FileGroup]
    pupils: list[FilePerson]
    teachers: list[FilePerson]


def _text(element, tag: str) -> str:
    value = element.findtext(tag)
    return " ".join(value.split()) if value else ""


def _date(element, tag: str, person: FilePerson) -> datetime.date | None:
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


def _person(element) -> FilePerson:
    return FilePerson(
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


def _read_stream(
    handle: BinaryIO, *, total: int = 0, progress: Progress | None = None
) -> EdexmlFile:
    """Read the file record by record (``iterparse``), keeping only the few fields the plan
    needs per record; refuses more than ``IMPORT_MAX_PUPILS`` pupils as soon as it meets one."""
    school_year, brin, has_branches = 0, "", False
    groups: list[FileGroup] = []
    pupils: list[FilePerson] = []
    teachers: list[FilePerson] = []
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
                    FileGroup(
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
    return EdexmlFile(
        school_year=school_year,
        brin=brin,
        has_branches=has_branches,
        groups=groups,
        pupils=pupils,
        teachers=teachers,
    )


def _pupil(element) -> FilePerson:
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


def _opener(source: Source) -> Callable[[], BinaryIO]:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        return lambda: io.BytesIO(data)
    return source


# -- the public function ---------------------------------------------------------------------
def edexml_read(source: Source, *, progress: Progress | None = None) -> EdexmlFile:
    """Check the file against the schema, then read it record by record.

    The schema check needs the whole document (libxml2 holds the tree, in C, for the check
    only; callers cap the size of the file first, which bounds it). The reading that follows
    streams and keeps only the fields the plan needs. Raises :class:`EdexmlError` whose
    ``errors`` list every finding.
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
