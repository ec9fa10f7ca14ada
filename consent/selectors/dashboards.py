"""The consent dashboards: per school (groups by purposes) and for the board (schools by
purpose codes), counted in the database in a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone

from students.models import Group, School, Student
from students.selectors import school_ids_with

from ..constants import Decision, Status
from ..models import ConsentCampaign, ConsentDecision, ConsentPurpose, Takedown
from .status import current_school_year, purposes_active, status_counts, stopped_pairs


def schools_for_dashboard(user) -> QuerySet[School]:
    return School.objects.filter(pk__in=school_ids_with(user, "view_school_consent_dashboard"))


@dataclass
class DashboardCell:
    granted: int = 0
    refused: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return self.granted + self.refused + self.unknown

    def share(self, status: str) -> float:
        return round(100 * getattr(self, status) / self.total, 1) if self.total else 0.0

    @property
    def granted_share(self) -> float:
        return self.share(Status.GRANTED)

    @property
    def refused_share(self) -> float:
        return self.share(Status.REFUSED)

    @property
    def unknown_share(self) -> float:
        return self.share(Status.UNKNOWN)


def _cell_move(cell: DashboardCell, old: str, new: str) -> None:
    setattr(cell, old, getattr(cell, old) - 1)
    setattr(cell, new, getattr(cell, new) + 1)


def consent_dashboard(
    *, school: School, school_year: int | None = None, purpose_code: str | None = None
) -> dict:
    """Per group and purpose the counts of granted, refused and unknown (the effective status
    of ``statuses_for``, counted in the database); the campaign's response rate; recent
    withdrawals; open takedowns. A fixed number of queries."""
    year = school_year or current_school_year()
    purposes = purposes_active(school.pk)
    if purpose_code:
        purposes = [p for p in purposes if p.code == purpose_code]
    groups = list(
        Group.objects.filter(school=school, school_year=year).order_by("year_group_low", "name")
    )
    enrolled = Student.objects.filter(
        school=school, withdrawn_on__isnull=True, group__school_year=year
    )
    pupils = list(enrolled.values_list("pk", "group_id"))
    # Every pupil starts as unknown in their group's cells; the counts of the effective
    # status in SQL (the rules of statuses_for, as for the board) and the few pupils with a
    # restriction or objection move them.
    per_group = Counter(group_id for _pk, group_id in pupils)
    shown = {purpose.pk for purpose in purposes}
    # by_group counts give None for a pupil without a group (none here, by the filter).
    cells: dict[tuple[int | None, int], DashboardCell] = defaultdict(DashboardCell)
    group_id: int | None
    totals: dict[int, DashboardCell] = defaultdict(DashboardCell)
    for purpose_id in shown:
        for group_id, count in per_group.items():
            cells[(group_id, purpose_id)].unknown = count
        totals[purpose_id].unknown = len(pupils)
    if pupils and shown:
        counts = status_counts(school_ids=[school.pk], school_year=year, by_group=True)
        for purpose_id, group_id, granted, refused in counts:
            if purpose_id not in shown:
                continue
            for cell in (cells[(group_id, purpose_id)], totals[purpose_id]):
                cell.granted += granted
                cell.refused += refused
                cell.unknown -= granted + refused
        for group_id, purpose_id, before in stopped_pairs(
            enrolled=enrolled, purposes=purposes, school_year=year
        ):
            for cell in (cells[(group_id, purpose_id)], totals[purpose_id]):
                _cell_move(cell, before, Status.REFUSED)
    pupil_ids = {pk for pk, _group in pupils}
    answered = set(
        ConsentDecision.objects.filter(
            student__school=school, school_year=year, purpose__in=purposes
        )
        # No ordering: the model's default would make DISTINCT per decision, not per pupil.
        .order_by()
        .values_list("student_id", flat=True)
        .distinct()
    )
    since = timezone.now() - datetime.timedelta(days=30)
    withdrawals = list(
        ConsentDecision.objects.filter(
            student__school=school, decision=Decision.WITHDRAWN, recorded_at__gte=since
        )
        .select_related("student", "student__group", "purpose", "purpose__current_version")
        .order_by("-recorded_at")[:20]
    )
    takedowns = list(
        Takedown.objects.filter(publication__school=school, resolved_at__isnull=True)
        .select_related(
            "publication",
            "publication__purpose",
            "publication__purpose__current_version",
            "student",
        )
        .order_by("-flagged_at")[:50]
    )
    return {
        "school": school,
        "school_year": year,
        "purposes": purposes,
        "groups": groups,
        "cells": cells,
        "totals": totals,
        "pupil_count": len(pupils),
        "response_rate": round(100 * len(answered & pupil_ids) / len(pupil_ids), 1)
        if pupil_ids
        else 0.0,
        "campaign": ConsentCampaign.objects.filter(school=school, school_year=year).first(),
        "withdrawals": withdrawals,
        "takedowns": takedowns,
    }


@dataclass
class BoardPurpose:
    """One consent purpose across the board's schools, by its code."""

    code: str
    title: str
    position: int
    cells: list[DashboardCell | None] = field(default_factory=list)  # per school, in order
    total: DashboardCell = field(default_factory=DashboardCell)


def board_consent_overview(*, schools: list[School], school_year: int | None = None) -> dict:
    """Per school (in the order given) and per purpose code: the pupils with consent, refusal
    and no answer, with board totals per code. The same effective status as ``statuses_for``
    (its rules in one SQL aggregate, limits applied after), in a fixed number of queries
    however many schools and pupils."""
    year = school_year or current_school_year()
    school_ids = [school.pk for school in schools]
    result = {
        "school_year": year,
        "schools": schools,
        "purposes": [],
        "pupils": [],
        "pupil_count": 0,
    }
    if not school_ids:
        return result
    purposes = list(
        ConsentPurpose.objects.filter(school_id__in=school_ids, is_active=True)
        .select_related("current_version")
        .order_by("position", "id")
    )
    enrolled = Student.objects.filter(
        school_id__in=school_ids, withdrawn_on__isnull=True, group__school_year=year
    )
    pupils = dict(
        enrolled.order_by()
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    cells: dict[int, DashboardCell] = {
        p.pk: DashboardCell(unknown=pupils.get(p.school_id, 0)) for p in purposes
    }
    for purpose_id, _group, granted, refused in status_counts(
        school_ids=school_ids, school_year=year
    ):
        cell = cells.get(purpose_id)
        if cell is not None:
            cell.granted, cell.refused = granted, refused
            cell.unknown -= granted + refused
    # Restrictions and objections: few pupils, the same rules as statuses_for.
    for _group, purpose_id, before in stopped_pairs(
        enrolled=enrolled, purposes=purposes, school_year=year
    ):
        _cell_move(cells[purpose_id], before, Status.REFUSED)
    by_code: dict[str, BoardPurpose] = {}
    column = {school.pk: index for index, school in enumerate(schools)}
    for purpose in purposes:
        item = by_code.get(purpose.code)
        if item is None:
            item = by_code[purpose.code] = BoardPurpose(
                code=purpose.code,
                title=purpose.title,
                position=purpose.position,
                cells=[None] * len(schools),
            )
        cell = cells[purpose.pk]
        item.cells[column[purpose.school_id]] = cell
        for status in (Status.GRANTED, Status.REFUSED, Status.UNKNOWN):
            setattr(item.total, status, getattr(item.total, status) + getattr(cell, status))
    result["purposes"] = sorted(by_code.values(), key=lambda item: (item.position, item.code))
    result["pupils"] = [pupils.get(school.pk, 0) for school in schools]
    result["pupil_count"] = sum(pupils.values())
    return result
