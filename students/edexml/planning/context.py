"""One plan under way, shared by the planners of groups, pupils and teachers, and the rules
they share (year group codes, former pupils, the model's key length)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _

from students.models import School, Student

from ..reading import EdexmlFile, FilePerson
from .records import Preview, RecordAction

YEAR_CODES = {str(n): n for n in range(1, 9)}


def max_length(model: type[models.Model], name: str) -> int:
    """The length limit of one of the model's text fields."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.max_length is None:
        raise TypeError(f"{model.__name__}.{name} is not a text field with a length limit.")
    return field.max_length


# A model limit that is tighter than the schema's.
MAX_SOURCE_KEY = max_length(Student, "source_key")


@dataclass
class Planning:
    """The file, the school, today, and what is planned so far: the groups' plans by their
    key in the file, which the pupils and teachers are placed in."""

    file: EdexmlFile
    school: School
    today: datetime.date
    preview: Preview
    group_plans: dict[str, RecordAction] = field(default_factory=dict)


def year_code_meaning(code: str) -> str:
    """What a year group code (jaargroep) outside 1 to 8 means, in words."""
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


def is_former(pupil: FilePerson, today: datetime.date) -> bool:
    """A pupil who has left (year group code H, or a leaving date that has passed)."""
    return pupil.year == "H" or (pupil.left is not None and pupil.left <= today)
