"""The consent status rules: the effective status is derived from the evidence, never stored.

A pupil has consent for a purpose only if a guardian with parental authority granted it and no
guardian with authority refused or withdrew it (one refusal wins); for yearly purposes only
decisions of the current school year count; a grant given to a text older than the purpose's
latest material change no longer counts. Otherwise the status is refused or unknown, and
unknown counts as no consent. A restriction of all the pupil's data, or an objection, turns
the status into a refusal.

The same rules twice: per pupil in Python (``derive_status``, ``statuses_for``) and counted in
one SQL aggregate for the dashboards (``status_counts``); tests hold the two to each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

from django.db import connection
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from students.constants import LimitKind
from students.models import Group, Guardianship, ProcessingLimit, Student, school_year_of
from students.selectors import limits_active_for

from ..constants import Decision, Renewal, Status
from ..models import ConsentDecision, ConsentPurpose, PurposeVersion


class HasPk(Protocol):
    """Anything with a read-only primary key (a purpose, or a reference to one)."""

    @property
    def pk(self) -> int: ...


def current_school_year() -> int:
    return school_year_of(timezone.localdate())


def purposes_active(school_id: int) -> list[ConsentPurpose]:
    return list(
        ConsentPurpose.objects.filter(school_id=school_id, is_active=True)
        .select_related("current_version")
        .order_by("position", "id")
    )


def purpose_get(*, school_id: int, purpose) -> ConsentPurpose | None:
    """An active purpose of the school, by id or by code."""
    qs = ConsentPurpose.objects.filter(school_id=school_id, is_active=True).select_related(
        "current_version"
    )
    text = str(purpose)
    if text.isdigit() and len(text) < 19:
        return qs.filter(pk=int(text)).first()
    return qs.filter(code=text).first()


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
    *, student_ids, purposes: Sequence[HasPk], school_year: int | None = None
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


def status_counts(
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


def stopped_pairs(
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
