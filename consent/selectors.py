"""Reads of consent: the effective status is derived from the evidence, never stored.

The rules (DOMAIN.md): a pupil has consent for a purpose only if a guardian with parental
authority granted it and no guardian with authority refused or withdrew it (one refusal wins);
for yearly purposes only decisions of the current school year count; a grant given to a text
older than the purpose's latest material change no longer counts. Otherwise the status is
refused or unknown, and unknown counts as no consent.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from accounts.constants import Function
from audit.constants import Action, DataKind, Outcome
from audit.services import event_record
from students.constants import LimitKind
from students.exceptions import FunctionNotAllowed
from students.models import (
    Group,
    GroupUserObjectPermission,
    Guardianship,
    ProcessingLimit,
    School,
    SchoolUserObjectPermission,
    Student,
    school_year_of,
)
from students.selectors import (
    function_require,
    group_ids_with,
    limits_active_for,
    not_found,
    parse_id,
    school_ids_with,
    scoped_get,
    teaching_group_ids,
)

from .constants import Decision, PublicationStatus, Renewal, Status
from .models import (
    ConsentCampaign,
    ConsentDecision,
    ConsentPurpose,
    Publication,
    PurposeVersion,
    Takedown,
)


def current_school_year() -> int:
    return school_year_of(timezone.localdate())


def purposes_active(school_id: int) -> list[ConsentPurpose]:
    return list(
        ConsentPurpose.objects.filter(school_id=school_id, is_active=True)
        .select_related("current_version")
        .order_by("position", "id")
    )


def _min_valid_versions(purpose_ids: Iterable[int]) -> dict[int, int]:
    """Per purpose, the oldest text version whose grants still count."""
    rows = (
        PurposeVersion.objects.filter(purpose_id__in=list(purpose_ids), requires_new_consent=True)
        .values("purpose_id")
        .annotate(latest=Max("number"))
    )
    return {row["purpose_id"]: row["latest"] for row in rows}


def _window(school_year: int) -> Q:
    return Q(purpose__renewal=Renewal.UNTIL_WITHDRAWN) | Q(school_year=school_year)


def latest_decisions(
    *, student_ids, purpose_ids: Iterable[int], school_year: int
) -> QuerySet[ConsentDecision]:
    """Each guardian's latest decision per pupil and purpose within the validity window
    (ids grow with time: the evidence is append-only). One query."""
    latest = (
        ConsentDecision.objects.filter(student_id__in=student_ids, purpose_id__in=list(purpose_ids))
        .filter(_window(school_year))
        .values("student_id", "purpose_id", "guardian_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    return ConsentDecision.objects.filter(id__in=latest)


def derive_status(
    decisions: Iterable[tuple[int, str, int]], *, authority: set[int], min_version: int
) -> str:
    """The effective status from (guardian id, decision, version number) of each guardian's
    latest decision. Pure, so the rules can be tested on their own and by property tests."""
    granted = False
    for guardian_id, decision, version in decisions:
        if guardian_id not in authority:
            continue
        if decision in (Decision.REFUSED, Decision.WITHDRAWN):
            return Status.REFUSED
        if decision == Decision.GRANTED and version >= min_version:
            granted = True
    return Status.GRANTED if granted else Status.UNKNOWN


def _stopped_by_limits(student_ids: list[int], purpose_ids: list[int]) -> set[tuple[int, int]]:
    """(pupil, purpose) pairs that count as refused: a restriction of all the pupil's data
    ends every consent use; an objection ends the purposes it names (all when it names none)."""
    # The pupil's flag marks a restriction of all data (kept in step by the limit service).
    stopped = {
        (sid, pid)
        for sid in Student.objects.filter(
            pk__in=student_ids, processing_restricted=True
        ).values_list("pk", flat=True)
        for pid in purpose_ids
    }
    limits = limits_active_for(student_ids)
    if not limits:
        return stopped
    codes = dict(ConsentPurpose.objects.filter(pk__in=purpose_ids).values_list("pk", "code"))
    for sid, items in limits.items():
        for limit in items:
            if limit.kind == LimitKind.RESTRICTION and not limit.categories:
                stopped.update((sid, pid) for pid in purpose_ids)
            elif limit.kind == LimitKind.OBJECTION:
                stopped.update(
                    (sid, pid)
                    for pid in purpose_ids
                    if not limit.purpose_codes or codes.get(pid) in limit.purpose_codes
                )
    return stopped


def statuses_for(
    *, student_ids, purposes: list[ConsentPurpose], school_year: int | None = None
) -> dict[tuple[int, int], str]:
    """Effective status per (pupil id, purpose id) for many pupils in four queries, whatever
    the number of pupils and decisions. A pupil whose processing is restricted has none."""
    school_year = school_year or current_school_year()
    purpose_ids = [p.pk for p in purposes]
    if isinstance(student_ids, QuerySet):
        student_ids = list(student_ids.values_list("pk", flat=True))
    else:
        student_ids = list(student_ids)
    if not student_ids or not purpose_ids:
        return {}
    authority: dict[int, set[int]] = defaultdict(set)
    for student_id, guardian_id in Guardianship.objects.filter(
        student_id__in=student_ids, has_authority=True
    ).values_list("student_id", "guardian_id"):
        authority[student_id].add(guardian_id)
    per_pair: dict[tuple[int, int], list[tuple[int, str, int]]] = defaultdict(list)
    rows = latest_decisions(
        student_ids=student_ids, purpose_ids=purpose_ids, school_year=school_year
    ).values_list("student_id", "purpose_id", "guardian_id", "decision", "version__number")
    for student_id, purpose_id, guardian_id, decision, number in rows:
        per_pair[(student_id, purpose_id)].append((guardian_id, decision, number))
    min_versions = _min_valid_versions(purpose_ids)
    stopped = _stopped_by_limits(student_ids, purpose_ids)
    return {
        (sid, pid): Status.REFUSED
        if (sid, pid) in stopped
        else derive_status(
            per_pair.get((sid, pid), ()),
            authority=authority.get(sid, set()),
            min_version=min_versions.get(pid, 0),
        )
        for sid in student_ids
        for pid in purpose_ids
    }


# --- Access --------------------------------------------------------------------------------


def students_with_consent_view(user) -> QuerySet[Student]:
    """Enrolled pupils whose consent status this staff member may see."""
    return Student.objects.filter(
        Q(school_id__in=school_ids_with(user, "view_school_consent"))
        | Q(group_id__in=group_ids_with(user, "view_group_consent")),
        withdrawn_on__isnull=True,
    )


@dataclass
class ChildConsent:
    student: Student
    guardian_id: int | None  # the acting guardian, when a guardian looks
    items: list[dict] = field(default_factory=list)
    locked_after: datetime.date | None = None

    @property
    def is_locked(self) -> bool:
        return self.locked_after is not None and timezone.localdate() > self.locked_after


def _history(student: Student, purposes: list[ConsentPurpose]) -> dict[int, list]:
    history: dict[int, list] = defaultdict(list)
    rows = (
        ConsentDecision.objects.filter(student=student, purpose__in=purposes)
        .select_related("guardian", "version")
        .order_by("-recorded_at", "-id")
    )
    for row in rows:
        history[row.purpose_id].append(row)
    return history


def _deny(*, user, student: Student, action=Action.VIEW):
    event_record(
        user=user,
        action=action,
        outcome=Outcome.DENIED,
        object_type="consent",
        object_id=student.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=DataKind.CONSENT,
    )
    return FunctionNotAllowed()


def child_consents_for(*, user, student_id) -> ChildConsent:
    """Every active purpose of a pupil with its text, effective status, the caller's own
    choice and the history: guardians with authority for their child, staff in scope.
    One access event (consent) per read."""
    pk = parse_id(student_id)
    function_require(
        user=user,
        function=(Function.GIVE_CONSENT, Function.VIEW_CONSENT),
        object_type="consent",
        object_id=student_id,
        data_kind=DataKind.CONSENT,
        student_id=pk,
    )
    student = (
        Student.objects.select_related("school", "group").filter(pk=pk).first() if pk else None
    )
    guardian_id = None
    if student is not None:
        link = (
            Guardianship.objects.filter(student=student, guardian__user_id=user.pk)
            .values_list("guardian_id", "has_authority")
            .first()
        )
        in_staff_scope = (
            user.has_function(Function.VIEW_CONSENT)
            and students_with_consent_view(user).filter(pk=student.pk).exists()
        )
        if link is not None and not in_staff_scope:
            if not link[1]:
                raise _deny(user=user, student=student)
            guardian_id = link[0]
        elif not in_staff_scope:
            student = None
    if student is None:
        raise not_found(
            user=user,
            object_type="consent",
            raw_id=student_id,
            student_id=pk,
            data_kind=DataKind.CONSENT,
        )
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="consent",
        object_id=student.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=DataKind.CONSENT,
    )
    year = current_school_year()
    purposes = purposes_active(student.school_id)
    statuses = statuses_for(student_ids=[student.pk], purposes=purposes, school_year=year)
    history = _history(student, purposes)
    result = ChildConsent(
        student=student,
        guardian_id=guardian_id,
        locked_after=campaign_lock_date(student.school_id, year),
    )
    for purpose in purposes:
        mine = None
        if guardian_id is not None:
            for row in history[purpose.pk]:
                valid = purpose.renewal == Renewal.UNTIL_WITHDRAWN or row.school_year == year
                if row.guardian_id == guardian_id and valid:
                    mine = row.decision
                    break
        result.items.append(
            {
                "purpose": purpose,
                "status": statuses[(student.pk, purpose.pk)],
                "my_decision": mine,
                "history": history[purpose.pk],
            }
        )
    return result


def campaign_lock_date(school_id: int, school_year: int) -> datetime.date | None:
    return (
        ConsentCampaign.objects.filter(school_id=school_id, school_year=school_year)
        .values_list("lock_after", flat=True)
        .first()
    )


def guardian_for_decision(*, user, student_id) -> tuple[Student, int]:
    """The pupil and the acting guardian's id, for a guardian with authority; else 403/404."""
    pk = parse_id(student_id)
    function_require(
        user=user,
        function=Function.GIVE_CONSENT,
        object_type="consent",
        object_id=student_id,
        data_kind=DataKind.CONSENT,
        student_id=pk,
    )
    link = (
        Guardianship.objects.filter(student_id=pk, guardian__user_id=user.pk)
        .select_related("student", "student__school")
        .first()
        if pk
        else None
    )
    if link is None:
        raise not_found(
            user=user,
            object_type="consent",
            raw_id=student_id,
            student_id=pk,
            data_kind=DataKind.CONSENT,
        )
    if not link.has_authority:
        raise _deny(user=user, student=link.student, action=Action.CREATE)
    return link.student, link.guardian_id


def student_for_paper_form(*, user, student_id) -> Student:
    """Administration and director record paper forms for the school's pupils."""
    pk = parse_id(student_id)
    function_require(
        user=user,
        function=Function.RECORD_CONSENT,
        object_type="consent",
        object_id=student_id,
        data_kind=DataKind.CONSENT,
        student_id=pk,
    )
    student = (
        Student.objects.filter(pk=pk, school_id__in=school_ids_with(user, "record_school_consent"))
        .select_related("school")
        .first()
        if pk
        else None
    )
    if student is None:
        raise not_found(
            user=user,
            object_type="consent",
            raw_id=student_id,
            student_id=pk,
            data_kind=DataKind.CONSENT,
        )
    return student


def purpose_get(*, school_id: int, purpose) -> ConsentPurpose | None:
    """An active purpose of the school, by id or by code."""
    qs = ConsentPurpose.objects.filter(school_id=school_id, is_active=True).select_related(
        "current_version"
    )
    text = str(purpose)
    if text.isdigit() and len(text) < 19:
        return qs.filter(pk=int(text)).first()
    return qs.filter(code=text).first()


# --- Dashboard, photo lists, publications -------------------------------------------------


def schools_for_dashboard(user) -> QuerySet[School]:
    return School.objects.filter(pk__in=school_ids_with(user, "view_school_consent_dashboard"))


def dashboard_school_for(*, user, school_id=None) -> School:
    """The school whose dashboard to show: the given one in scope, else the caller's own."""
    function_require(
        user=user,
        function=Function.VIEW_CONSENT_DASHBOARD,
        object_type="consent_dashboard",
        data_kind=DataKind.CONSENT,
    )
    schools = schools_for_dashboard(user).order_by("name")
    if school_id in (None, ""):
        school = schools.first()
    else:
        pk = parse_id(school_id)
        school = schools.filter(pk=pk).first() if pk else None
    if school is None:
        raise not_found(
            user=user,
            object_type="consent_dashboard",
            raw_id=school_id or "",
            data_kind=DataKind.CONSENT,
            model=School,
        )
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="consent_dashboard",
        object_id=school.pk,
        school_id=school.pk,
        data_kind=DataKind.CONSENT,
    )
    return school


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
    cells: dict[tuple[int, int], DashboardCell] = defaultdict(DashboardCell)
    totals: dict[int, DashboardCell] = defaultdict(DashboardCell)
    for purpose_id in shown:
        for group_id, count in per_group.items():
            cells[(group_id, purpose_id)].unknown = count
        totals[purpose_id].unknown = len(pupils)
    if pupils and shown:
        counts = _status_counts(school_ids=[school.pk], school_year=year, by_group=True)
        for purpose_id, group_id, granted, refused in counts:
            if purpose_id not in shown:
                continue
            for cell in (cells[(group_id, purpose_id)], totals[purpose_id]):
                cell.granted += granted
                cell.refused += refused
                cell.unknown -= granted + refused
        for group_id, purpose_id, before in _stopped_pairs(
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


# Status codes of the board aggregate; the order is the precedence of derive_status: one
# refusal of a guardian with authority wins over any grant, a grant over no answer.
_SQL_UNKNOWN, _SQL_GRANTED, _SQL_REFUSED = 0, 1, 2
_SQL_STATUS = {
    _SQL_UNKNOWN: Status.UNKNOWN,
    _SQL_GRANTED: Status.GRANTED,
    _SQL_REFUSED: Status.REFUSED,
}


def _board_status_sql(
    *, school_ids: list[int], school_year: int, student_ids: list[int] | None = None
) -> tuple[str, list]:
    """The effective status per (purpose, pupil) of ``statuses_for`` in SQL, for the enrolled
    pupils of the schools (or only ``student_ids``) with a decision in the window; a pair
    without a row is unknown. Columns: purpose_id, student_id, school_id and group_id (the
    pupil's), purpose_school, status (a code of _SQL_STATUS).

    Each decision becomes ``id * 4 + code``, its code as in derive_status: 2 for a refusal or
    withdrawal, 1 for a grant to a text no older than the last material change, 0 otherwise
    and for a guardian without parental authority. The ids grow with time, so the MAX per
    guardian is their latest decision in the window and its remainder their code; per pair
    the MAX of those codes is the status (one refusal wins). Both groupings, and the count per
    purpose over them, run on one sort. Authority is a LEFT JOIN and the two schools are
    compared by the caller: with an inner join on (pupil, guardian), or on the school,
    PostgreSQL expects a handful of rows and picks nested loops. Plain SQL for PostgreSQL and
    SQLite alike."""
    decision = ConsentDecision._meta.db_table
    purpose = ConsentPurpose._meta.db_table
    version = PurposeVersion._meta.db_table
    student = Student._meta.db_table
    group = Group._meta.db_table
    guardianship = Guardianship._meta.db_table
    params: list = [
        _SQL_UNKNOWN,
        Decision.REFUSED,
        Decision.WITHDRAWN,
        _SQL_REFUSED,
        Decision.GRANTED,
        _SQL_GRANTED,
        _SQL_UNKNOWN,
        True,  # the version asks consent again
        True,  # the guardian has parental authority
        True,  # the purpose is active
        school_year,
        Renewal.UNTIL_WITHDRAWN,
        school_year,
        *school_ids,
    ]
    only = ""
    if student_ids is not None:
        only = f"AND d.student_id IN ({', '.join(['%s'] * len(student_ids))})"
        params.extend(student_ids)
    sql = f"""
        SELECT per_guardian.purpose_id, per_guardian.student_id,
               MAX(per_guardian.school_id) AS school_id,
               MAX(per_guardian.group_id) AS group_id,
               MAX(per_guardian.purpose_school) AS purpose_school,
               MAX(per_guardian.latest %% 4) AS status
        FROM (
            SELECT d.purpose_id, d.student_id, d.guardian_id,
                   MAX(s.school_id) AS school_id, MAX(s.group_id) AS group_id,
                   MAX(p.school_id) AS purpose_school,
                   MAX(d.id * 4 + CASE
                       WHEN gs.id IS NULL THEN %s
                       WHEN d.decision IN (%s, %s) THEN %s
                       WHEN d.decision = %s AND v.number >= COALESCE(mv.number, 0) THEN %s
                       ELSE %s END) AS latest
            FROM {decision} d
            JOIN {purpose} p ON p.id = d.purpose_id
            JOIN {version} v ON v.id = d.version_id
            JOIN {student} s ON s.id = d.student_id
            JOIN {group} g ON g.id = s.group_id
            LEFT JOIN (
                SELECT purpose_id, MAX(number) AS number FROM {version}
                WHERE requires_new_consent = %s GROUP BY purpose_id
            ) mv ON mv.purpose_id = d.purpose_id
            LEFT JOIN {guardianship} gs
                ON gs.student_id = d.student_id AND gs.guardian_id = d.guardian_id
                AND gs.has_authority = %s
            WHERE p.is_active = %s AND s.withdrawn_on IS NULL AND g.school_year = %s
              AND (p.renewal = %s OR d.school_year = %s)
              AND s.school_id IN ({", ".join(["%s"] * len(school_ids))})
              {only}
            GROUP BY d.purpose_id, d.student_id, d.guardian_id
        ) per_guardian
        GROUP BY per_guardian.purpose_id, per_guardian.student_id
    """  # noqa: S608
    return sql, params


def _status_counts(
    *, school_ids: list[int], school_year: int, by_group: bool = False
) -> list[tuple[int, int | None, int, int]]:
    """(purpose, group or None, pupils with consent, pupils without) over the schools, per
    purpose or per purpose and group, in one query. A pupil's decisions for a purpose of
    another school (they moved) do not count."""
    inner, params = _board_status_sql(school_ids=school_ids, school_year=school_year)
    group = "pair.group_id" if by_group else "NULL"
    sql = f"""
        SELECT pair.purpose_id, {group},
               SUM(CASE WHEN pair.status = %s AND pair.school_id = pair.purpose_school
                   THEN 1 ELSE 0 END),
               SUM(CASE WHEN pair.status = %s AND pair.school_id = pair.purpose_school
                   THEN 1 ELSE 0 END)
        FROM ({inner}) pair
        GROUP BY pair.purpose_id{", pair.group_id" if by_group else ""}
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [_SQL_GRANTED, _SQL_REFUSED, *params])
        return [
            (purpose_id, group_id, int(granted or 0), int(refused or 0))
            for purpose_id, group_id, granted, refused in cursor.fetchall()
        ]


def _board_pair_statuses(
    *, school_ids: list[int], school_year: int, student_ids: list[int]
) -> dict[tuple[int, int], str]:
    """The status per (pupil, purpose) the aggregate gave a few pupils (before limits)."""
    sql, params = _board_status_sql(
        school_ids=school_ids, school_year=school_year, student_ids=student_ids
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (sid, pid): _SQL_STATUS[code]
            for pid, sid, school_id, _group, purpose_school, code in cursor.fetchall()
            if school_id == purpose_school
        }


def _stopped_pairs(
    *, enrolled: QuerySet[Student], purposes: list[ConsentPurpose], school_year: int
) -> list[tuple[int, int, str]]:
    """(pupil's group, purpose, the status the aggregate gave) for each pair of an enrolled
    pupil and a purpose of their school that a restriction or objection turns into a refusal.
    Few pupils, so the rules are statuses_for's own (``_stopped_by_limits``)."""
    limited = {
        pk: (school_id, group_id)
        for pk, school_id, group_id in enrolled.filter(
            Q(processing_restricted=True)
            | Q(pk__in=ProcessingLimit.objects.active().values("student_id"))
        ).values_list("pk", "school_id", "group_id")
    }
    if not limited:
        return []
    purpose_school = {p.pk: p.school_id for p in purposes}
    before = _board_pair_statuses(
        school_ids=sorted({school_id for school_id, _group in limited.values()}),
        school_year=school_year,
        student_ids=list(limited),
    )
    return [
        (limited[sid][1], pid, before.get((sid, pid), Status.UNKNOWN))
        for sid, pid in _stopped_by_limits(list(limited), list(purpose_school))
        if purpose_school[pid] == limited[sid][0]
    ]


def _cell_move(cell: DashboardCell, old: str, new: str) -> None:
    setattr(cell, old, getattr(cell, old) - 1)
    setattr(cell, new, getattr(cell, new) + 1)


@dataclass
class BoardPurpose:
    """One consent purpose across the board's schools, by its code."""

    code: str
    title: str
    position: int
    cells: list[DashboardCell | None] = field(default_factory=list)  # per school, in order
    total: DashboardCell = field(default_factory=DashboardCell)


def board_consent_overview(*, user, school_year: int | None = None) -> dict:
    """Per school of the caller's scope and per purpose code: the pupils with consent,
    refusal and no answer, with board totals per code. The same effective status as
    ``statuses_for`` (its rules in one SQL aggregate, limits applied after), in a fixed
    number of queries however many schools and pupils. One access event."""
    function_require(
        user=user,
        function=Function.VIEW_CONSENT_DASHBOARD,
        object_type="consent_dashboard_board",
        data_kind=DataKind.CONSENT,
    )
    year = school_year or current_school_year()
    schools = list(schools_for_dashboard(user).order_by("name"))
    school_ids = [school.pk for school in schools]
    boards = {school.board_id for school in schools}
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="consent_dashboard_board",
        object_id=boards.pop() if len(boards) == 1 else "",
        data_kind=DataKind.CONSENT,
    )
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
    for purpose_id, _group, granted, refused in _status_counts(
        school_ids=school_ids, school_year=year
    ):
        cell = cells.get(purpose_id)
        if cell is not None:
            cell.granted, cell.refused = granted, refused
            cell.unknown -= granted + refused
    # Restrictions and objections: few pupils, the same rules as statuses_for.
    for _group, purpose_id, before in _stopped_pairs(
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


def group_for_photo_list(*, user, group_id) -> Group:
    """Teachers of the group and school staff with consent view print the photo list."""
    pk = parse_id(group_id)
    function_require(
        user=user,
        function=Function.VIEW_CONSENT,
        object_type="photo_list",
        object_id=group_id,
        data_kind=DataKind.CONSENT,
    )
    group = (
        Group.objects.filter(
            Q(school_id__in=school_ids_with(user, "view_school_consent"))
            | Q(pk__in=group_ids_with(user, "view_group_consent")),
            pk=pk,
        )
        .select_related("school")
        .first()
        if pk
        else None
    )
    if group is None:
        raise not_found(
            user=user,
            object_type="photo_list",
            raw_id=group_id,
            data_kind=DataKind.CONSENT,
            model=Group,
        )
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="photo_list",
        object_id=group.pk,
        school_id=group.school_id,
        data_kind=DataKind.CONSENT,
    )
    return group


def photo_list(*, group: Group, purposes: list[ConsentPurpose]) -> list[dict]:
    """Per pupil of the group: may they be photographed for each purpose?"""
    pupils = list(
        group.students.filter(withdrawn_on__isnull=True).order_by("given_name", "surname")
    )
    statuses = statuses_for(student_ids=[p.pk for p in pupils], purposes=purposes)
    return [
        {"student": pupil, "statuses": [statuses[(pupil.pk, p.pk)] for p in purposes]}
        for pupil in pupils
    ]


def pupils_for_publication(user) -> QuerySet[Student]:
    """Pupils a staff member may show in a publication: the school's or their own groups'."""
    function_require(
        user=user,
        function=Function.PUBLISH,
        object_type="publication",
        data_kind=DataKind.CONSENT,
    )
    return (
        Student.objects.filter(
            Q(school_id__in=school_ids_with(user, "publish_school"))
            | Q(group_id__in=group_ids_with(user, "publish_group")),
            withdrawn_on__isnull=True,
        )
        .select_related("group", "school")
        .order_by("group__year_group_low", "group__name", "given_name", "surname")
    )


def publications_visible_to(user) -> QuerySet[Publication]:
    """The school's publications for school staff; a teacher's own registrations, while they
    still teach at that school."""
    schools = SchoolUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename="publish_school"
    ).values("content_object_id")
    teaching = GroupUserObjectPermission.objects.filter(
        user_id=user.pk,
        permission__codename="publish_group",
        content_object_id__in=teaching_group_ids(user),
    ).values("content_object__school_id")
    return (
        Publication.objects.filter(
            Q(school_id__in=schools) | Q(created_by_id=user.pk, school_id__in=teaching)
        )
        .select_related("purpose", "purpose__current_version")
        .order_by("-publish_on", "-id")
    )


def publication_get_for(*, user, publication_id) -> Publication:
    return scoped_get(
        user=user,
        queryset=publications_visible_to(user),
        raw_id=publication_id,
        object_type="publication",
        function=Function.PUBLISH,
        data_kind=DataKind.CONSENT,
    )


def publication_check(publication: Publication) -> list[dict]:
    """Per pupil shown: may the publication use them (effective consent for its purpose)?"""
    pupils = list(publication.pupils.select_related("group").order_by("given_name", "surname"))
    statuses = statuses_for(student_ids=[p.pk for p in pupils], purposes=[publication.purpose])
    open_takedowns = set(
        publication.takedowns.filter(resolved_at__isnull=True).values_list("student_id", flat=True)
    )
    return [
        {
            "student": pupil,
            "status": statuses[(pupil.pk, publication.purpose_id)],
            "may": statuses[(pupil.pk, publication.purpose_id)] == Status.GRANTED,
            "takedown": pupil.pk in open_takedowns,
        }
        for pupil in pupils
    ]


def published_with(*, student_id: int, purpose_id: int) -> QuerySet[Publication]:
    return Publication.objects.filter(
        status=PublicationStatus.PUBLISHED, purpose_id=purpose_id, pupils__id=student_id
    )


def managed_school_for(*, user, school_id=None) -> School:
    """A school whose purposes and campaigns this user manages (the director)."""
    function_require(
        user=user,
        function=Function.MANAGE_CONSENT,
        object_type="consent_settings",
        data_kind=DataKind.CONSENT,
    )
    schools = School.objects.filter(pk__in=school_ids_with(user, "manage_school_consent"))
    pk = parse_id(school_id) if school_id not in (None, "") else None
    school = (schools.filter(pk=pk) if pk else schools.order_by("name")).first()
    if school is None:
        raise not_found(
            user=user,
            object_type="consent_settings",
            raw_id=school_id or "",
            data_kind=DataKind.CONSENT,
            model=School,
        )
    return school


def purpose_for_manage(*, user, purpose_id) -> ConsentPurpose:
    purposes = ConsentPurpose.objects.filter(
        school_id__in=school_ids_with(user, "manage_school_consent")
    ).select_related("current_version", "school")
    return scoped_get(
        user=user,
        queryset=purposes,
        raw_id=purpose_id,
        object_type="consent_purpose",
        function=Function.MANAGE_CONSENT,
        data_kind=DataKind.CONSENT,
    )


def campaign_progress(campaign: ConsentCampaign) -> list[dict]:
    """Per group: pupils, and how many have an answer this school year (fixed queries)."""
    groups = list(
        Group.objects.filter(
            school_id=campaign.school_id, school_year=campaign.school_year
        ).order_by("year_group_low", "name")
    )
    pupils = list(
        Student.objects.filter(
            school_id=campaign.school_id,
            withdrawn_on__isnull=True,
            group__school_year=campaign.school_year,
        ).values_list("pk", "group_id")
    )
    answered = set(
        ConsentDecision.objects.filter(
            student__school_id=campaign.school_id, school_year=campaign.school_year
        )
        .values_list("student_id", flat=True)
        .distinct()
    )
    per_group: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pk, group_id in pupils:
        per_group[group_id][0] += 1
        per_group[group_id][1] += pk in answered
    return [
        {
            "group": group,
            "pupils": per_group[group.pk][0],
            "answered": per_group[group.pk][1],
            "rate": round(100 * per_group[group.pk][1] / per_group[group.pk][0], 1)
            if per_group[group.pk][0]
            else 0.0,
        }
        for group in groups
    ]


def takedown_for_resolve(*, user, takedown_id) -> Takedown:
    return scoped_get(
        user=user,
        queryset=Takedown.objects.filter(publication__in=publications_visible_to(user)),
        raw_id=takedown_id,
        object_type="takedown",
        function=Function.PUBLISH,
        data_kind=DataKind.CONSENT,
    )
