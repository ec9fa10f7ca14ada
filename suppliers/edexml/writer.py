"""Writing the gate's rows as an EDEXML 2.1 document, carrying only the agreed attributes.

What goes where (attribute code -> EDEXML element):

* ``pseudonym`` (always) -> ``leerling/@key``
* ``last_name`` -> ``achternaam`` (+ ``voorvoegsel``: leading Dutch prefix words such as
  "van der" are split off when they fit the schema's 10 characters; otherwise everything
  stays in ``achternaam``)
* ``first_name`` -> ``roepnaam``; ``initials`` -> ``voorletters-1`` (dots removed; only next to
  a surname, as the schema wants)
* ``date_of_birth`` -> ``geboortedatum``; ``sex`` -> ``geslacht`` (NEN-ISO 5218 codes of the
  schema: M -> 1, F -> 2, X "other or not stated" -> 9 "niet gespecificeerd")
* ``year_group`` -> ``jaargroep``; ``group_name`` -> ``groep`` reference by key, with the groups
  in ``groepen``. A group of one year group has that ``jaargroep``; a combination group
  (year_group_low != year_group_high) gets the schema's code ``C`` ("combinatiegroep,
  jaargroep per leerling vastgelegd"): the group is the pupil's own class, which is what
  ``groep`` means in EDEXML (``samengestelde_groep`` is an extra cluster next to it).
* ``enrolled_on`` -> ``instroomdatum``; ``withdrawn_on`` -> ``uitstroomdatum``
* ``school_brin`` -> ``school/brincode``
* ``teacher_name`` / ``teacher_email`` -> ``leerkrachten`` (name split into ``roepnaam`` and
  surname; ``emailadres``; their groups by key when ``group_name`` is agreed too)

Other agreed attributes (address, guardians, BSN, progress, ...) have no place in this export
and are not written. Nothing is ever filled in that the agreement does not carry: where the
schema requires an element whose attribute is missing, :class:`EdexmlError` says which one.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from students.edexml.validation import EdexmlError, schema_enumeration, validate_written

XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = "EDEXML.structuur.xsd"
XSD_VERSION = "2.1"
FLUSH_EVERY = 200

# Attribute codes this export can carry; any other agreed code is simply not written.
CARRIED_ATTRIBUTES = (
    "first_name",
    "last_name",
    "initials",
    "date_of_birth",
    "sex",
    "year_group",
    "group_name",
    "school_brin",
    "enrolled_on",
    "withdrawn_on",
    "teacher_name",
    "teacher_email",
)

SEX_CODES = {"M": "1", "F": "2", "X": "9"}

# Surname prefix words (NEN 1888 / BRP table of voorvoegsels, the common ones).
# fmt: off
PREFIX_WORDS = frozenset([
    "'s", "'t", "aan", "auf", "bij", "d'", "da", "dal", "de", "del", "della", "den", "der", "des",
    "di", "die", "do", "dos", "du", "el", "het", "in", "l'", "la", "le", "les", "lo", "onder",
    "op", "over", "te", "ten", "ter", "tot", "uit", "uijt", "van", "vande", "vanden", "vander",
    "ver", "vom", "von", "voor", "zu", "zum", "zur",
])
# fmt: on
MAX_PREFIX = 10  # EDEXVoorvoegselType
MAX_SURNAME = 200  # EDEXAchternaamType
MAX_STRING64 = 64  # roepnaam, groep/naam
MAX_KEY = 256  # EDEXKeyType
MAX_INITIALS = 6  # EDEXVoorletters-1Type
BRIN_PATTERN = re.compile(r"\d{2}[A-Z]{2}")

# Alternatives: the agreement must hold at least one code of every tuple.
_REQUIRED = (("first_name", "last_name"),)
# EDEXML requires the second attribute whenever the first is carried.
_DEPENDENCIES = (
    # Every groep has a required jaargroep; with membership it tells each pupil's year group.
    ("group_name", "year_group"),
    # Every leerkracht has a required name (achternaam or roepnaam).
    ("teacher_email", "teacher_name"),
)


def required_attributes() -> list[tuple[str, ...]]:
    """What EDEXML needs at minimum: one code of each tuple must be agreed.

    A pupil (``leerling``) must have a name: ``achternaam`` (last_name) or ``roepnaam``
    (first_name). Use :func:`check_attributes` to test an agreement, including the
    dependencies (group_name needs year_group, teacher_email needs teacher_name).
    """
    return [tuple(group) for group in _REQUIRED]


def missing_attributes(attributes: Iterable[str]) -> list[str]:
    """Plain-language reasons why these attributes cannot make a valid EDEXML file."""
    agreed = set(attributes)
    reasons = []
    for alternatives in _REQUIRED:
        if not agreed & set(alternatives):
            reasons.append(
                _("EDEXML needs a name for every pupil, but the agreement lacks both %(codes)s.")
                % {"codes": " / ".join(alternatives)}
            )
    for code, needs in _DEPENDENCIES:
        if code in agreed and needs not in agreed:
            if code == "group_name":
                reasons.append(
                    _(
                        "EDEXML requires a year group (jaargroep) for every group, but the "
                        "agreement lacks %(needs)s."
                    )
                    % {"needs": needs}
                )
            else:
                reasons.append(
                    _(
                        "EDEXML requires a name for every teacher, but the agreement lacks "
                        "%(needs)s."
                    )
                    % {"needs": needs}
                )
    return reasons


def check_attributes(attributes: Iterable[str]) -> None:
    """Raise :class:`EdexmlError` when these attributes cannot make a valid EDEXML file."""
    reasons = missing_attributes(attributes)
    if reasons:
        raise EdexmlError(reasons[0], errors=reasons)


def school_year_label(school_year: int) -> str:
    return f"{school_year}-{school_year + 1}"


def check_school_year(school_year: int) -> str:
    """The schema's label for the school year, or EdexmlError when EDEXML 2.1 lacks it."""
    label = school_year_label(school_year)
    years = schema_enumeration("EDEXSchooljaarType")
    if label not in years:
        raise EdexmlError(
            _(
                "EDEXML 2.1 only knows the school years %(first)s to %(last)s; the school "
                "year %(year)s cannot be written in it."
            )
            % {"first": years[0], "last": years[-1], "year": label}
        )
    return label


def split_last_name(last_name: str) -> tuple[str, str]:
    """``"van der Berg"`` -> ``("van der", "Berg")``; unknown or too long prefixes stay."""
    words = last_name.split()
    count = 0
    while count < len(words) - 1 and words[count] in PREFIX_WORDS:
        count += 1
    prefix = " ".join(words[:count])
    if not prefix or len(prefix) > MAX_PREFIX:
        return "", " ".join(words)
    return prefix, " ".join(words[count:])


def _initials(value: str) -> str:
    return "".join(ch for ch in value if ch.isalpha())[:MAX_INITIALS]


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib) -> etree._Element:
    element = etree.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _fail_value(who: str, message: str) -> EdexmlError:
    return EdexmlError(
        _("EDEXML cannot carry the data of %(who)s: %(problem)s") % {"who": who, "problem": message}
    )


def _date(value: str, who: str, what: str) -> str:
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise _fail_value(
            who, _("%(what)s is not a date (%(value)s).") % {"what": what, "value": value}
        ) from exc


def _name_elements(
    parent: etree._Element,
    *,
    who: str,
    surname_text: str,
    given: str,
    initials: str = "",
) -> None:
    """The name choice of LeerlingType/LeerkrachtType: a surname sequence, or roepnaam alone."""
    if len(given) > MAX_STRING64:
        raise _fail_value(who, _("the first name is longer than 64 characters."))
    if surname_text:
        prefix, surname = split_last_name(surname_text)
        if len(surname) > MAX_SURNAME:
            raise _fail_value(who, _("the surname is longer than 200 characters."))
        _sub(parent, "achternaam", surname)
        if prefix:
            _sub(parent, "voorvoegsel", prefix)
        if initials:
            _sub(parent, "voorletters-1", initials)
        if given:
            _sub(parent, "roepnaam", given)
    elif given:
        _sub(parent, "roepnaam", given)
    else:
        raise _fail_value(who, _("there is no name, and EDEXML requires one."))


class _Writer:
    def __init__(self, *, school, school_year, attributes, groups, teachers):
        self.codes = set(attributes)
        check_attributes(self.codes)
        label = check_school_year(school_year)
        self.school = school
        self.school_year_label = label
        self.groups = groups if "group_name" in self.codes else []
        self.group_by_name: dict[str, dict] = {}
        self.group_keys: set[str] = set()
        self.groups_element = self._groups_element()
        self.teachers_element = self._teachers_element(teachers if teachers else [])

    # -- school and groups -------------------------------------------------------------
    def school_element(self) -> etree._Element:
        element = etree.Element("school")
        _sub(element, "schooljaar", self.school_year_label)
        if "school_brin" in self.codes:
            brin = (self.school.brin or "").strip().upper()
            if not BRIN_PATTERN.fullmatch(brin):
                raise EdexmlError(
                    _("The BRIN code %(brin)s does not have the EDEXML form 99XX.") % {"brin": brin}
                )
            _sub(element, "brincode", brin)
        _sub(
            element,
            "aanmaakdatum",
            timezone.localtime().replace(microsecond=0, tzinfo=None).isoformat(),
        )
        _sub(element, "xsdversie", XSD_VERSION)
        return element

    def _groups_element(self) -> etree._Element | None:
        if not self.groups:
            return None
        element = etree.Element("groepen")
        for group in self.groups:
            key, name = str(group["key"]), str(group["name"])
            low, high = int(group["year_group_low"]), int(group["year_group_high"])
            if not 1 <= len(key) <= MAX_KEY or key in self.group_keys:
                raise EdexmlError(
                    _("The group key %(key)s is empty, too long or not unique.") % {"key": key}
                )
            if not 1 <= len(name) <= MAX_STRING64:
                raise EdexmlError(
                    _("The group name %(name)s is empty or longer than 64 characters.")
                    % {"name": name}
                )
            if name in self.group_by_name:
                raise EdexmlError(
                    _("Two groups are named %(name)s; pupils cannot be linked to them.")
                    % {"name": name}
                )
            if not 1 <= low <= high <= 8:
                raise EdexmlError(
                    _("The group %(name)s has year groups outside 1-8.") % {"name": name}
                )
            self.group_keys.add(key)
            self.group_by_name[name] = group
            item = _sub(element, "groep", key=key)
            _sub(item, "naam", name)
            _sub(item, "jaargroep", str(low) if low == high else "C")
        return element

    def _teachers_element(self, teachers: list[dict]) -> etree._Element | None:
        if not teachers or not {"teacher_name", "teacher_email"} & self.codes:
            return None
        element = etree.Element("leerkrachten")
        seen = set()
        for teacher in teachers:
            key = str(teacher["key"])
            if not 1 <= len(key) <= MAX_KEY or key in seen:
                raise EdexmlError(
                    _("The teacher key %(key)s is empty, too long or not unique.") % {"key": key}
                )
            seen.add(key)
            item = _sub(element, "leerkracht", key=key)
            who = _("teacher %(key)s") % {"key": key}
            # A full name: the first word is the name they go by, the rest the surname.
            words = str(teacher.get("name") or "").split()
            given = words[0] if len(words) > 1 else ""
            rest = " ".join(words[1:] if len(words) > 1 else words)
            _name_elements(item, who=who, surname_text=rest, given=given)
            email = str(teacher.get("email") or "").strip()
            if "teacher_email" in self.codes and email:
                if len(email) > MAX_KEY:
                    raise _fail_value(who, _("the email address is too long."))
                _sub(item, "emailadres", email)
            keys = [str(k) for k in teacher.get("group_keys") or () if str(k) in self.group_keys]
            if keys:
                groups = _sub(item, "groepen")
                for group_key in dict.fromkeys(keys):
                    _sub(groups, "groep", key=group_key)
        return element

    # -- pupils -------------------------------------------------------------------------
    def pupil_element(self, row: dict) -> etree._Element:
        key = str(row.get("pseudonym") or "")
        if not 1 <= len(key) <= MAX_KEY:
            raise EdexmlError(_("A pupil has no usable pseudonym."))
        who = _("pupil %(key)s") % {"key": key}
        codes = self.codes
        element = etree.Element("leerling", key=key)
        _name_elements(
            element,
            who=who,
            surname_text=str(row.get("last_name") or "").strip() if "last_name" in codes else "",
            given=str(row.get("first_name") or "").strip() if "first_name" in codes else "",
            initials=_initials(str(row.get("initials") or "")) if "initials" in codes else "",
        )
        if "date_of_birth" in codes and row.get("date_of_birth"):
            _sub(
                element,
                "geboortedatum",
                _date(str(row["date_of_birth"]), who, _("the date of birth")),
            )
        if "sex" in codes and row.get("sex"):
            code = SEX_CODES.get(str(row["sex"]))
            if code is None:
                raise _fail_value(who, _("unknown sex %(value)s.") % {"value": row["sex"]})
            _sub(element, "geslacht", code)
        if "year_group" in codes and row.get("year_group"):
            year = str(row["year_group"])
            if year not in {str(n) for n in range(1, 9)}:
                raise _fail_value(who, _("year group %(value)s is not 1-8.") % {"value": year})
            _sub(element, "jaargroep", year)
        if "group_name" in codes and row.get("group_name"):
            group = self.group_by_name.get(str(row["group_name"]))
            if group is None:
                raise _fail_value(
                    who,
                    _("the group %(name)s is not among the groups of the export.")
                    % {"name": row["group_name"]},
                )
            _sub(element, "groep", key=str(group["key"]))
        if "enrolled_on" in codes and row.get("enrolled_on"):
            _sub(
                element,
                "instroomdatum",
                _date(str(row["enrolled_on"]), who, _("the enrolment date")),
            )
        if "withdrawn_on" in codes and row.get("withdrawn_on"):
            _sub(
                element,
                "uitstroomdatum",
                _date(str(row["withdrawn_on"]), who, _("the withdrawal date")),
            )
        return element


def write_edexml(
    stream: BinaryIO,
    *,
    school,
    school_year: int,
    attributes: list[str],
    rows: Iterable[dict],
    groups: list[dict],
    teachers: list[dict],
) -> int:
    """Write an EDEXML 2.1 document to the binary ``stream``, one pupil at a time.

    ``rows`` are the gate's ``{"pseudonym": ..., <code>: str}`` dicts; ``groups`` are
    ``{"key", "name", "year_group_low", "year_group_high"}``; ``teachers`` are
    ``{"key", "name", "email", "group_keys"}``. Only attributes in ``attributes`` are written.

    Raises :class:`EdexmlError` before writing anything when the attributes, the school year
    or the groups and teachers cannot make a valid document, or when there is no pupil (the
    schema needs at least one). A pupil whose data does not fit the schema raises it while
    writing; and the finished document is read back and validated against the schema in use
    (the checks above only foresee what they know of), raising it when anything is off. After
    an error the output must be thrown away. ``stream`` must be readable and seekable (a
    temporary file). Returns the number of pupils written.
    """
    writer = _Writer(
        school=school,
        school_year=school_year,
        attributes=attributes,
        groups=list(groups or []),
        teachers=list(teachers or []),
    )
    school_element = writer.school_element()
    iterator: Iterator[dict] = iter(rows)
    first = next(iterator, None)
    if first is None:
        raise EdexmlError(_("EDEXML needs at least one pupil, and there is none to send."))
    first_element = writer.pupil_element(first)
    start = stream.tell()
    count = 0
    with etree.xmlfile(stream, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(
            "EDEX",
            {f"{{{XSI}}}noNamespaceSchemaLocation": SCHEMA_LOCATION},
            nsmap={"xsi": XSI},
        ):
            xf.write(school_element, pretty_print=True)
            if writer.groups_element is not None:
                xf.write(writer.groups_element, pretty_print=True)
            with xf.element("leerlingen"):
                for element in chain(
                    [first_element], (writer.pupil_element(row) for row in iterator)
                ):
                    xf.write(element, pretty_print=True)
                    count += 1
                    if count % FLUSH_EVERY == 0:
                        xf.flush()
            if writer.teachers_element is not None:
                xf.write(writer.teachers_element, pretty_print=True)
    end = stream.tell()
    stream.seek(start)
    errors = validate_written(stream)
    stream.seek(end)
    if errors:
        raise EdexmlError(
            _(
                "The EDEXML file does not pass the check against the EDEXML 2.1 schema, so it "
                "is not sent: %(error)s"
            )
            % {"error": errors[0]},
            errors=errors,
        )
    return count
