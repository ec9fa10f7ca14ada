"""Retention over the whole board with 10% of the pupils due: time and peak memory.

    python -m bench.retention

The generated board has about 2% withdrawn pupils, none past a period. ``retention_prepare``
(in this process) withdraws 5,000 pupils that are not erased yet, about 84 per school, in
the past with plain UPDATEs, as ``student_withdraw`` would have (``withdrawn_on``, a
destination, no group, the open placement ended), and enables every school's seeded rules.
A fresh child process (``python -m bench.retention --child``) then runs retention for the
board the way the nightly job does (``retention_nightly``) and reports its wall time and
its peak resident memory (``VmHWM``), whole process and growth over the memory in use after
setup.

Destructive: the pupils are erased and some anonymised. ``make bench`` regenerates the
database first; run again on the same database it picks 5,000 other pupils, and fails when
fewer than 5,000 are left.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.run import bench_database_only, log, memory_kb, statements_counted

DUE = 5000
# Withdrawn between 25 and 72 months ago (per pupil, from its id, not before enrolment): past
# the pupil-file and consent-evidence periods (24 months), a quarter also past the enrolment
# period (60), so every kind of rule has work. Every tenth pupil left for special education,
# 37 to 84 months ago: past that pupil file's period (36), so that every chosen pupil is due.
MONTHS_AGO_MIN, MONTHS_AGO_SPREAD = 25, 48
MONTHS_AGO_MIN_SPECIAL = 37
SPECIAL_EVERY = 10

# The candidates: not anonymised, nothing erased, not held, enrolled long enough ago to have
# left before the longest pupil-file cutoff (36 months); ranked within their school by id, so
# the 5,000 are spread evenly over the schools and the same database gives the same choice.
CHOOSE_SQL = """
WITH candidates AS (
    SELECT s.id, s.school_id,
           row_number() OVER (PARTITION BY s.school_id ORDER BY s.id) AS rank
    FROM students_student s
    WHERE s.anonymised_at IS NULL
      AND s.enrolled_on < %(latest)s
      AND NOT EXISTS (SELECT 1 FROM retention_erasurerecord e WHERE e.student_id = s.id)
      AND NOT EXISTS (SELECT 1 FROM retention_legalhold h WHERE h.student_id = s.id)
)
SELECT id FROM candidates ORDER BY rank, school_id LIMIT %(due)s
"""
WITHDRAW_SQL = """
UPDATE students_student s
SET withdrawn_on = GREATEST(
        s.enrolled_on,
        (%(today)s::date - make_interval(months => CASE WHEN s.id %% %(special)s = 0
            THEN %(min_special)s ELSE %(min)s END + (s.id %% %(spread)s)::int))::date
    ),
    withdrawal_destination = CASE WHEN s.id %% %(special)s = 0 THEN 'special_education'
                                  ELSE 'secondary_school' END,
    group_id = NULL
WHERE s.id = ANY(%(ids)s)
"""
# The open placement ends, as on withdrawal; the generated placements all start this school
# year, after the backdated withdrawal, so they end on their first day.
PLACEMENTS_SQL = """
UPDATE students_placement SET ended_on = started_on
WHERE student_id = ANY(%(ids)s) AND ended_on IS NULL
"""


def due_count(day) -> int:
    """Pupils due under any enabled rule of any school, each counted once."""
    from retention.constants import Category
    from retention.models import RetentionRule
    from retention.services import due_pupils

    due: set[int] = set()
    for rule in RetentionRule.objects.filter(enabled=True).exclude(category=Category.AUDIT_EVENTS):
        due.update(due_pupils(rule, day).values_list("pk", flat=True))
    return len(due)


def retention_prepare(*, due: int = DUE) -> dict[str, Any]:
    """Make ``due`` pupils due and enable every school's rules; in one transaction."""
    from django.db import connection, transaction
    from django.utils import timezone

    from retention.models import RetentionRule
    from retention.services import cutoff, rules_seed
    from students.models import School

    today = timezone.localdate()
    schools = list(School.objects.order_by("pk"))
    with transaction.atomic():
        for school in schools:
            rules_seed(school=school)  # already there in the generated board; idempotent
        # What a school turns on: its seeded rules (the Dutch periods) in the nightly job.
        enabled = RetentionRule.objects.filter(enabled=False).update(enabled=True)
        latest = cutoff(today, MONTHS_AGO_MIN_SPECIAL)
        with connection.cursor() as cursor:
            cursor.execute(CHOOSE_SQL, {"latest": latest, "due": due})
            ids = [row[0] for row in cursor.fetchall()]
            if len(ids) < due:
                raise RuntimeError(
                    f"bench.retention: only {len(ids)} pupils are left that are not erased or "
                    f"anonymised yet, {due} needed; regenerate the bench database "
                    "(make bench, or python -m bench.generate)."
                )
            params: dict[str, list[int] | datetime.date | int] = {
                "ids": ids,
                "today": today,
                "min": MONTHS_AGO_MIN,
                "min_special": MONTHS_AGO_MIN_SPECIAL,
                "spread": MONTHS_AGO_SPREAD,
                "special": SPECIAL_EVERY,
            }
            cursor.execute(WITHDRAW_SQL, params)
            cursor.execute(PLACEMENTS_SQL, params)
            cursor.execute(
                "SELECT count(DISTINCT school_id) FROM students_student WHERE id = ANY(%s)",
                [ids],
            )
            spread_over = cursor.fetchone()[0]
    return {
        "prepared": len(ids),
        "prepared_schools": spread_over,
        "rules_enabled_now": enabled,
        "due_before": due_count(today),
    }


def child_retention() -> dict[str, Any]:
    """In a fresh process: the nightly retention of the board; time and peak memory."""
    from django.db import connection

    from retention.constants import RunStatus
    from retention.models import ErasureRecord
    from retention.services import retention_nightly

    connection.ensure_connection()
    before, _peak = memory_kb()
    started = time.perf_counter()
    with statements_counted() as counted:
        runs = retention_nightly()
    seconds = time.perf_counter() - started
    _now, after = memory_kb()
    run_ids = [run.pk for run in runs]
    failed = {run.school_id: run.errors for run in runs if run.status != RunStatus.DONE}
    records = ErasureRecord.objects.filter(run_id__in=run_ids)
    return {
        "seconds": seconds,
        "peak_mb": after / 1024,
        "peak_growth_mb": (after - before) / 1024,
        "pupils_processed": records.values("student_id").distinct().count(),
        "erasure_records": records.count(),
        "schools": len(runs),
        "queries": counted["queries"],
        "failed_runs": failed,
    }


def in_child() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.retention", "--child"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.retention child failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_retention() -> dict[str, Any]:
    """Prepare 5,000 due pupils (here), run the board's nightly retention in a fresh process,
    and check that nothing is due afterwards."""
    from django.utils import timezone

    prepared = retention_prepare()
    log(
        f"retention: {prepared['prepared']} pupils made due in "
        f"{prepared['prepared_schools']} schools; {prepared['due_before']} due in all"
    )
    result = in_child()
    result.update(prepared)
    result["due_after"] = due_count(timezone.localdate())
    if result["failed_runs"]:
        raise RuntimeError(f"bench.retention: runs stopped: {result['failed_runs']}")
    if result["due_after"] != 0:
        raise RuntimeError(
            f"bench.retention: {result['due_after']} pupils still due after the run "
            f"(of {result['due_before']})"
        )
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not bench_database_only():
        return 1
    from bench import django_setup

    django_setup()
    from django.test.utils import override_settings

    # Files the erasure removes (exports, access packages) are looked for in a scratch
    # folder, never in the development media/.
    with (
        tempfile.TemporaryDirectory(prefix="samen-een-bench-media-") as media,
        override_settings(MEDIA_ROOT=media),
    ):
        if argv[:1] == ["--child"]:
            sys.stdout.write(json.dumps(child_retention()) + "\n")
            return 0
        result = measure_retention()
    for key, value in result.items():
        log(f"  {key}: {round(value, 2) if isinstance(value, float) else value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
