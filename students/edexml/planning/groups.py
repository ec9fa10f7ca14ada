"""Planning the file's groups: matched by their EDEXML key (``Group.source_key``, per school and
school year), or linked by name to a portal group without a key; a combination group (code C)
or a composite group (samengestelde groep) spans the year groups of its pupils in the file."""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from students.models import Group

from .context import (
    MAX_SOURCE_KEY,
    YEAR_CODES,
    Planning,
    is_former,
    max_length,
    year_code_meaning,
)
from .records import CREATE, UNCHANGED, UPDATE, RecordAction

DEFAULT_YEAR_RANGE = (1, 8)
# A model limit that is tighter than the schema's.
MAX_GROUP_NAME = max_length(Group, "name")


def _member_years(planning: Planning) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """The year groups of the current pupils by group key: in their groep, in composite groups."""
    base: dict[str, list[int]] = {}
    cluster: dict[str, list[int]] = {}
    for pupil in planning.file.pupils:
        year = YEAR_CODES.get(pupil.year)
        if year is None or is_former(pupil, planning.today):
            continue
        if pupil.group_key:
            base.setdefault(pupil.group_key, []).append(year)
        for key in pupil.cluster_keys:
            cluster.setdefault(key, []).append(year)
    return base, cluster


def plan_groups(planning: Planning) -> None:
    """Plan every group of the file, and keep each plan by its key for the pupils and teachers."""
    year = planning.file.school_year
    existing = list(Group.objects.filter(school=planning.school, school_year=year))
    by_key: dict[str, list[Group]] = {}
    for known in existing:
        if known.source_key:
            by_key.setdefault(known.source_key, []).append(known)
    names = {group.name: group for group in existing}  # the portal's groups by name
    claimed: dict[str, str] = {}  # names taken by the file's groups planned so far
    base_years, cluster_years = _member_years(planning)
    stay_elsewhere = Counter(
        key
        for pupil in planning.file.pupils
        if pupil.group_key and not is_former(pupil, planning.today)
        for key in pupil.cluster_keys
    )
    for item in planning.file.groups:
        record = RecordAction(kind="group", key=item.key, label=item.name)
        planning.preview.groups.append(record)
        planning.group_plans[item.key] = record
        if len(item.key) > MAX_SOURCE_KEY:
            record.skip(_("The key is longer than %(max)s characters.") % {"max": MAX_SOURCE_KEY})
            continue
        if len(item.name) > MAX_GROUP_NAME:
            record.skip(_("The name is longer than %(max)s characters.") % {"max": MAX_GROUP_NAME})
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
                % {"code": item.year, "meaning": year_code_meaning(item.year)}
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
                else _("New group %(name)s, year group %(low)s.") % {"name": item.name, "low": low}
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
