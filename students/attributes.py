"""The attribute catalogue: every pupil attribute that can ever leave the school.

The core's catalogue of pupil data: the disclosure gate and its exports (suppliers), the
access package (privacy_requests) and the processing register (registers) all read it.

Each attribute has a code, a label, a data category (the former Vrijstellingsbesluit art. 20)
and a special-category flag. Special-category attributes can never be part of a
supplier's product or agreement (the database refuses them) and leave the school only through
the data subject's own access right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("Name, first names, initials, sex, date of birth")
    CONTACT = "contact", _("Address and contact data")
    ADMINISTRATION = "administration", _("Administration number (BSN / education number)")
    GUARDIANS = "guardians", _("Guardians' contact data")
    ORGANISATION = "organisation", _("Organisation of education and learning materials")
    PROGRESS = "progress", _("Nature and progress of education, study results")
    HEALTH = "health", _("Health or welfare (special category)")
    RELIGION = "religion", _("Religion or belief (special category)")


@dataclass(frozen=True)
class Attribute:
    code: str
    label: StrOrPromise  # a lazy translation, rendered in the reader's language
    category: str
    special_category: bool = False


CATALOGUE: dict[str, Attribute] = {
    a.code: a
    for a in [
        Attribute("first_name", _("First name (the name they go by)"), DataCategory.IDENTITY),
        Attribute("last_name", _("Surname with prefix"), DataCategory.IDENTITY),
        Attribute("initials", _("Initials"), DataCategory.IDENTITY),
        Attribute("date_of_birth", _("Date of birth"), DataCategory.IDENTITY),
        Attribute("sex", _("Sex"), DataCategory.IDENTITY),
        Attribute("year_group", _("Year group"), DataCategory.ORGANISATION),
        Attribute("group_name", _("Group name"), DataCategory.ORGANISATION),
        Attribute("school_brin", _("School BRIN code"), DataCategory.ORGANISATION),
        Attribute("teacher_name", _("Teacher's name"), DataCategory.ORGANISATION),
        Attribute("teacher_email", _("Teacher's email address"), DataCategory.ORGANISATION),
        Attribute("address", _("Address"), DataCategory.CONTACT),
        # DUO's funding registration (BRON) asks the postal code, not the whole address.
        Attribute("postal_code", _("Postal code"), DataCategory.CONTACT),
        Attribute("guardian_name", _("Guardians' names"), DataCategory.GUARDIANS),
        Attribute("guardian_email", _("Guardians' email addresses"), DataCategory.GUARDIANS),
        Attribute("guardian_phone", _("Guardians' phone numbers"), DataCategory.GUARDIANS),
        Attribute("bsn", _("BSN or education number"), DataCategory.ADMINISTRATION),
        Attribute("enrolled_on", _("Enrolment date"), DataCategory.ADMINISTRATION),
        Attribute("withdrawn_on", _("Withdrawal date"), DataCategory.ADMINISTRATION),
        Attribute(
            "withdrawal_destination",
            _("Where the pupil went after leaving"),
            DataCategory.ADMINISTRATION,
        ),
        Attribute("progress", _("Progress and grades"), DataCategory.PROGRESS),
        Attribute("care_records", _("Care records"), DataCategory.HEALTH, special_category=True),
        Attribute(
            "religion", _("Religion or belief"), DataCategory.RELIGION, special_category=True
        ),
    ]
}

SPECIAL_CATEGORY_CODES = frozenset(c for c, a in CATALOGUE.items() if a.special_category)
ORDINARY_CODES = tuple(c for c, a in CATALOGUE.items() if not a.special_category)
ATTRIBUTE_CHOICES = [(code, attribute.label) for code, attribute in CATALOGUE.items()]
ORDINARY_CHOICES = [(code, CATALOGUE[code].label) for code in ORDINARY_CODES]


def ordered(codes) -> list[str]:
    """Codes in catalogue order (stable column order in files)."""
    wanted = set(codes)
    return [code for code in CATALOGUE if code in wanted]
