"""Planning the file's pupils: matched by their EDEXML key (``Student.source_key``, per school),
created, updated, withdrawn (a former pupil still enrolled) or skipped, each with the reason."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _

from students.constants import PLACEHOLDER_DATE_OF_BIRTH, Sex
from students.models import Student

from ..reading import FilePerson
from .context import (
    MAX_SOURCE_KEY,
    YEAR_CODES,
    Planning,
    is_former,
    max_length,
    year_code_meaning,
)
from .records import CREATE, SKIP, UNCHANGED, UPDATE, WITHDRAW, RecordAction

SEX_FROM_CODE = {"1": Sex.MALE, "2": Sex.FEMALE, "0": Sex.OTHER, "9": Sex.OTHER}
# A model limit that is tighter than the schema's.
MAX_SURNAME = max_length(Student, "surname")


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def plan_pupils(planning: Planning) -> None:
    """Plan every pupil of the file, placed in the groups already planned."""
    keys = [pupil.key for pupil in planning.file.pupils]
    existing: dict[str, list[Student]] = {}
    for student in Student.objects.filter(
        school=planning.school, source_key__in=keys
    ).select_related("group"):
        existing.setdefault(student.source_key, []).append(student)
    for pupil in planning.file.pupils:
        record = RecordAction(kind="pupil", key=pupil.key, label=pupil.label)
        record.errors.extend(pupil.date_errors)
        planning.preview.pupils.append(record)
        matches = existing.get(pupil.key, [])
        if len(pupil.key) > MAX_SOURCE_KEY:
            record.skip(_("The key is longer than %(max)s characters.") % {"max": MAX_SOURCE_KEY})
        elif len(matches) > 1:
            record.skip(_("Several pupils of this school already have this key."))
        elif is_former(pupil, planning.today):
            _plan_former(planning, record, pupil, matches[0] if matches else None)
        else:
            _plan_current(planning, record, pupil, matches[0] if matches else None)


def _plan_former(planning: Planning, record: RecordAction, pupil: FilePerson, student) -> None:
    if pupil.year == "H":
        reason = (
            _("Historic pupil (year group code H): left the school on %(date)s.")
            % {"date": _day(pupil.left)}
            if pupil.left
            else _("Historic pupil (year group code H): no longer at the school.")
        )
    elif pupil.left is None:  # is_former(): a pupil not coded H has left on a date
        raise ValueError("A former pupil not coded H has a leaving date.")
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
    on = pupil.left or planning.today
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


def _resolve_year(planning: Planning, record: RecordAction, pupil: FilePerson) -> int | None:
    if pupil.year in YEAR_CODES:
        return YEAR_CODES[pupil.year]
    if pupil.year not in ("", "C"):
        record.skip(
            _(
                "Year group code %(code)s (%(meaning)s) is outside the year groups 1 to 8 "
                "that the portal keeps; the pupil is not imported."
            )
            % {"code": pupil.year, "meaning": year_code_meaning(pupil.year)}
        )
        return None
    group = planning.group_plans.get(pupil.group_key)
    if group is not None and group.action != SKIP and group.detail["low"] == group.detail["high"]:
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
    planning: Planning, record: RecordAction, pupil: FilePerson, year: int, student
) -> RecordAction | None:
    def fits(plan: RecordAction) -> bool:
        return plan.detail["low"] <= year <= plan.detail["high"]

    if pupil.group_key:
        plan = planning.group_plans[pupil.group_key]
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
        plan = planning.group_plans[key]
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


def _plan_current(planning: Planning, record: RecordAction, pupil: FilePerson, student) -> None:
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
    year = _resolve_year(planning, record, pupil)
    if year is None:
        return
    group_plan = _resolve_group(planning, record, pupil, year, student)
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
        _plan_create(planning, record, pupil, values, given, group_plan)
    else:
        _plan_update(planning, record, student, values, group_plan)


def _plan_create(
    planning: Planning,
    record: RecordAction,
    pupil: FilePerson,
    values: dict,
    given: str,
    group_plan,
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
        enrolled_on = datetime.date(planning.file.school_year, 8, 1)
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


def _plan_update(
    planning: Planning, record: RecordAction, student: Student, values: dict, group_plan
):
    changed = {}
    for name, value in values.items():
        old = getattr(student, name)
        if old != value:
            changed[name] = value
            field = Student._meta.get_field(name)
            if not isinstance(field, models.Field):  # values holds the pupil's own columns
                raise TypeError(f"Student.{name} is not a field of its own.")
            label = field.verbose_name
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
                    "old": student.group.name if student.group is not None else "-",
                    "new": group_plan.label,
                }
            )
    elif student.group is not None:
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
