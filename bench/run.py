"""Run the board-scale measurements against the generated bench database (``make bench``).

    python -m bench.run

Every latency is measured in-process with Django's test ``Client`` (queries counted with
``CaptureQueriesContext``), interleaved with its reference (the floor views in ``bench.floor``,
or the same view with audit switched off) so both run in the same process and the same
minute. Writes ``bench/results.json`` and ``bench/results.md``; a measurement that is not
built yet is simply absent from them.

It writes to the bench database only (``samen_een_bench*``): audit events, an API token, a
privacy request with its package, exports.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import BENCH_DATABASE_URL

HERE = Path(__file__).resolve().parent
RESULTS_JSON = HERE / "results.json"
RESULTS_MD = HERE / "results.md"
DOMAIN = "bench.samen-een.example"
BENCH_DB_PREFIX = "samen_een_bench"


def log(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def bench_database_only() -> bool:
    """True when DATABASE_URL (default: the bench database) names a ``samen_een_bench*``
    database; the measurements write audit events, tokens and exports."""
    os.environ.setdefault("DATABASE_URL", BENCH_DATABASE_URL)
    name = os.environ["DATABASE_URL"].rsplit("/", 1)[-1]
    if not name.startswith(BENCH_DB_PREFIX):
        log(f"bench only runs against {BENCH_DB_PREFIX}* databases, not {name!r}.")
        return False
    return True


# --- timing ------------------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    queries: int | None = None  # None: not counted for this measurement

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        if len(self.seconds) < 2:
            return self.seconds[0] * 1000
        return statistics.quantiles(self.seconds, n=20, method="inclusive")[18] * 1000

    def summary(self) -> dict[str, Any]:
        summary = {
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "runs": len(self.seconds),
        }
        if self.queries is not None:
            summary["queries"] = self.queries
        return summary


def interleaved(
    calls: dict[str, Callable[[], Any]], *, runs: int, warmup: int = 3
) -> dict[str, Sample]:
    """Time each call ``runs`` times, round-robin, so a slow minute hits all of them alike;
    queries are counted on one extra run of each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples = {name: Sample() for name in calls}
    for _ in range(warmup):
        for call in calls.values():
            call()
    for _ in range(runs):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            samples[name].seconds.append(time.perf_counter() - started)
    for name, call in calls.items():
        with CaptureQueriesContext(connection) as captured:
            call()
        samples[name].queries = len(captured.captured_queries)
    return samples


def get_ok(client, url: str, **extra) -> Callable[[], Any]:
    def call():
        response = client.get(url, **extra)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        # Streaming or not, the body is part of the work.
        return response.content

    return call


# --- the results -------------------------------------------------------------------------------


@dataclass
class Results:
    targets: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        name: str,
        value: float,
        limit: float,
        unit: str,
        *,
        direction: str = "max",
        **info: Any,
    ) -> None:
        value = round(value, 2)
        met = value >= limit if direction == "min" else value <= limit
        target = {"name": name, "value": value, "limit": limit, "unit": unit, "met": met}
        if direction != "max":
            target["direction"] = direction
        if info:
            target["info"] = info
        self.targets.append(target)
        log(f"  {'ok  ' if met else 'MISS'} {name}: {value} {unit} (limit {limit} {unit})")
        for key, detail in info.items():
            log(f"         {key}: {detail}")


def machine() -> dict[str, Any]:
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "postgres": postgres,
        "platform": platform.platform(),
    }


def write(results: Results) -> None:
    data: dict[str, Any] = {  # the results file's JSON, of mixed values
        "machine": machine(),
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "targets": results.targets,
    }
    RESULTS_JSON.write_text(json.dumps(data, indent=2) + "\n")
    lines = [
        "# Bench results",
        "",
        f"{data['when']}; {data['machine']['cpu']} ({data['machine']['cores']} cores), "
        f"Python {data['machine']['python']}, PostgreSQL {data['machine']['postgres']}.",
        "",
        "| target | value | limit | met | detail |",
        "| --- | ---: | ---: | :---: | --- |",
    ]
    for t in results.targets:
        bound = "≥" if t.get("direction") == "min" else "≤"
        detail = "; ".join(f"{k} {v}" for k, v in t.get("info", {}).items())
        lines.append(
            f"| {t['name']} | {t['value']} {t['unit']} | {bound} {t['limit']} {t['unit']} "
            f"| {'yes' if t['met'] else '**no**'} | {detail} |"
        )
    RESULTS_MD.write_text("\n".join(lines) + "\n")
    log(f"bench: wrote {RESULTS_JSON.name} and {RESULTS_MD.name}")


# --- audit on and off --------------------------------------------------------------------------


@contextmanager
def audit_off():
    """Replace ``audit.services.event_record`` by a no-op, in this process only, also where a
    module imported the name (``from audit.services import event_record``)."""
    from audit import services

    original = services.event_record

    def noop(**kwargs):
        return None

    patched = []
    for module in list(sys.modules.values()):
        if getattr(module, "event_record", None) is original:
            module.event_record = noop
            patched.append(module)
    try:
        yield len(patched)
    finally:
        for module in patched:
            module.event_record = original


# --- the measurements --------------------------------------------------------------------------


def user(email: str):
    from accounts.models import User

    return User.objects.get(email=email)


def staff_client(email: str):
    from django.test import Client

    client = Client()
    client.force_login(user(email))
    return client


def teacher_setup():
    """The first school's group-5 teacher, the group, and a pupil in it."""
    from students.models import Group, Student

    teacher = user(f"leerkracht1-5@{DOMAIN}")
    group = Group.objects.get(school__brin="B000", year_group_low=5, school_year__isnull=False)
    student = Student.objects.filter(group=group).order_by("surname", "given_name", "id").first()
    return teacher, group, student


def measure_list_and_detail(results: Results, runs: int) -> None:
    from django.test import Client

    from accounts.services import api_token_issue

    teacher, group, student = teacher_setup()
    page = staff_client(teacher.email)
    api = Client(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=teacher)}")
    # The floor is asked by the same logged-in teacher: it renders the product's page, whose
    # navigation depends on who is logged in. A bare request (no session) is measured too.
    floor = page
    bare = Client()

    cases = (
        ("list", "/students/", "/api/v1/students/", f"students/?group={group.pk}"),
        (
            "detail",
            f"/students/{student.pk}/",
            f"/api/v1/students/{student.pk}/",
            f"students/{student.pk}/",
        ),
    )
    for case, page_url, api_url, floor_path in cases:
        log(f"{case}: teacher {teacher.pk}, group {group.pk}, pupil {student.pk}, {runs} runs")
        # The floor answers with the same pupils in the same JSON, or the ratio means nothing.
        product_json = api.get(api_url).json()
        floor_json = floor.get(f"/bench-floor/api/{floor_path}").json()
        if case == "list":
            product_json, floor_json = product_json["results"], floor_json["results"]
        if product_json != floor_json:
            raise SystemExit(f"bench: the floor's {case} JSON differs from the product's")
        s = interleaved(
            {
                "page": get_ok(page, page_url),
                "api": get_ok(api, api_url),
                "floor": get_ok(floor, f"/bench-floor/{floor_path}"),
                "floor_json": get_ok(floor, f"/bench-floor/api/{floor_path}"),
                "floor_bare": get_ok(bare, f"/bench-floor/api/{floor_path}"),
            },
            runs=runs,
        )
        # (label, product, reference, extra details as Results.add takes them: free-form JSON)
        comparisons: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
            ("page", "page", "floor", {}),
            ("API", "api", "floor_json", {"floor_without_session": s["floor_bare"].summary()}),
        )
        for label, product, reference, extra in comparisons:
            results.add(
                f"pupil {case} {label} vs floor",
                s[product].median_ms / s[reference].median_ms,
                2,
                "x",
                product=s[product].summary(),
                floor=s[reference].summary(),
                **extra,
            )

    log(f"audit overhead: pupil detail page, {runs} runs each, interleaved")
    on, off = Sample(), Sample()
    call = get_ok(page, f"/students/{student.pk}/")
    for _ in range(3):
        call()
    for _ in range(runs):
        started = time.perf_counter()
        call()
        on.seconds.append(time.perf_counter() - started)
        with audit_off():
            started = time.perf_counter()
            call()
            off.seconds.append(time.perf_counter() - started)
    results.add(
        "audit overhead (pupil detail page)",
        (on.median_ms / off.median_ms - 1) * 100,
        15,
        "%",
        audit_on=on.summary(),
        audit_off=off.summary(),
    )


def measure_dashboard(results: Results, runs: int) -> None:
    from students.models import School

    school = School.objects.get(brin="B000")
    director = staff_client(f"directeur1@{DOMAIN}")
    log(f"consent dashboard: school {school.pk}, {runs} runs")
    s = interleaved({"school": get_ok(director, f"/consent/?school={school.pk}")}, runs=runs)
    results.add(
        "consent dashboard, one school (median)",
        s["school"].median_ms,
        150,
        "ms",
        **s["school"].summary(),
        pupils=school.students.filter(withdrawn_on__isnull=True).count(),
    )


def measure_board_dashboard(results: Results, runs: int) -> None:
    from students.models import Student

    officer = staff_client(f"privacy@{DOMAIN}")
    log(f"consent overview, whole board: {runs} runs")
    s = interleaved({"board": get_ok(officer, "/consent/board/")}, runs=runs, warmup=2)
    results.add(
        "consent overview, whole board (median)",
        s["board"].median_ms,
        1000,
        "ms",
        **s["board"].summary(),
        pupils=Student.objects.filter(withdrawn_on__isnull=True).count(),
    )


def long_history_pupil():
    """Of the pupils with a guardian who has parental authority and a portal account, the one
    with the most access events (ties: lowest id), and that guardian."""
    from django.db.models import Count, Exists, OuterRef

    from audit.models import AccessEvent
    from students.models import Guardianship, Student

    reachable = Guardianship.objects.filter(
        student_id=OuterRef("student_id"), guardian__user__isnull=False, has_authority=True
    )
    top = (
        AccessEvent.objects.filter(Exists(reachable), student_id__isnull=False)
        .values("student_id")
        .annotate(n=Count("id"))
        .order_by("-n", "student_id")
        .first()
    )
    student = Student.objects.get(pk=top["student_id"])
    link = (
        Guardianship.objects.filter(
            student=student, guardian__user__isnull=False, has_authority=True
        )
        .select_related("guardian", "guardian__user")
        .first()
    )
    return student, link.guardian, top["n"]


def measure_access_package(results: Results, runs: int) -> None:
    from privacy_requests.constants import Kind, PackageStatus
    from privacy_requests.models import AccessPackage
    from privacy_requests.services.packages import package_build, package_start
    from privacy_requests.services.submission import request_submit

    student, guardian, events = long_history_pupil()
    officer = user(f"privacy@{DOMAIN}")
    log(f"access package: pupil {student.pk} ({events} access events), {runs} runs")
    request = request_submit(
        user=guardian.user,
        student=student,
        guardian=guardian,
        kind=Kind.ACCESS,
        description="Bench: inzage in alle gegevens.",
    )
    package = package_start(user=officer, request=request)
    sample = Sample()
    for _ in range(runs):
        # A built package returns at once; put it back in the queue so each run builds it
        # again (the build replaces its files).
        AccessPackage.objects.filter(pk=package.pk).update(status=PackageStatus.QUEUED)
        started = time.perf_counter()
        package = package_build(package_id=package.pk)
        sample.seconds.append(time.perf_counter() - started)
    AccessPackage.objects.filter(pk=package.pk).update(status=PackageStatus.QUEUED)
    with statements_counted() as counted:
        package = package_build(package_id=package.pk)
    sample.queries = counted["queries"]
    results.add(
        "access package, long history (median)",
        sample.median_ms,
        2000,
        "ms",
        **sample.summary(),
        access_events=events,
        status=str(package.status),
    )


# The agreement-based export: Rekenwijs covers year groups 3-8 of every school; one export per
# school, since the gate discloses for one school at a time.
EXPORT_SUPPLIER = "Rekenwijs Uitgevers B.V."
COPY_SQL = (
    "COPY (SELECT s.id, s.given_name, s.surname_prefix, s.surname, s.year_group, g.name,"
    " sc.brin FROM students_student s JOIN students_group g ON g.id = s.group_id"
    " JOIN students_school sc ON sc.id = s.school_id"
    " WHERE s.withdrawn_on IS NULL AND g.year_group_low BETWEEN 3 AND 8"
    " ORDER BY s.school_id, s.id) TO STDOUT"
)


@contextmanager
def statements_counted():
    """Count the statements this process sends (``counted["queries"]``), without keeping
    their SQL as CaptureQueriesContext does: the export and the retention run send tens of
    thousands of rows' worth, and the count is all the table needs."""
    from django.db import connection

    counted = {"queries": 0}

    def count(execute, sql, params, many, context):
        counted["queries"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield counted


def memory_kb() -> tuple[int, int]:
    """This process's resident memory now and its high-water mark, in kB.

    From /proc (VmRSS, VmHWM): a process started with fork and exec reports in ``ru_maxrss``
    the parent's resident size at the fork when that was larger, so a child of this bench
    would show the bench's own size instead of its peak. ``ru_maxrss`` where /proc is absent.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
    except (OSError, KeyError, ValueError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak, peak


def child_export(kind: str) -> dict[str, Any]:
    """In a fresh process: the gate's export of every school, or the plain COPY; the time,
    the process's peak resident memory and its growth over the memory in use after setup."""
    from django.db import connection

    from students.models import School
    from suppliers.models import Agreement
    from suppliers.services import export_build, export_request

    officer = user(f"privacy@{DOMAIN}")
    agreement = Agreement.objects.get(supplier__name=EXPORT_SUPPLIER)
    schools = list(School.objects.order_by("brin"))
    connection.ensure_connection()
    before, _peak = memory_kb()
    cpu_started = time.process_time()
    started = time.perf_counter()
    pupils = size = 0
    with statements_counted() as counted:
        if kind == "gate":
            for school in schools:
                export = export_request(
                    user=officer, school=school, format="csv", agreement=agreement
                )
                export = export_build(export_id=export.pk)
                pupils += export.pupil_count
                size += export.file.size
        else:
            with connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL) as copy:
                for chunk in copy:
                    size += len(chunk)
                    pupils += bytes(chunk).count(b"\n")
            counted["queries"] += 1  # the COPY itself goes past Django's cursor wrapper
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    _now, after = memory_kb()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_mb": after / 1024,
        "peak_growth_mb": (after - before) / 1024,
        "pupils": pupils,
        "bytes": size,
        "schools": len(schools),
        "queries": counted["queries"],
    }


def in_child(kind: str) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.run", "--child", kind],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_export(results: Results, runs: int) -> None:
    log(f"supplier export: every school through the gate, then COPY, {runs} runs each")
    gate, copy = Sample(), Sample()
    gates, copies = [], []
    for _ in range(runs):  # alternating, each in a fresh process
        gates.append(in_child("gate"))
        copies.append(in_child("copy"))
    gate.seconds = [done["seconds"] for done in gates]
    copy.seconds = [done["seconds"] for done in copies]
    gate.queries, copy.queries = gates[-1]["queries"], copies[-1]["queries"]
    results.add(
        "supplier export through the gate, time (median)",
        gate.median_ms,
        5000,
        "ms",
        **gate.summary(),
        queries_per_school=round(gate.queries / gates[-1]["schools"], 1),
        pupils=gates[-1]["pupils"],
        schools=gates[-1]["schools"],
        bytes=gates[-1]["bytes"],
        # This process's own CPU time: the database's share is in the wall time only.
        cpu_ms=round(statistics.median(done["cpu_seconds"] for done in gates) * 1000, 1),
        copy=copy.summary(),
        ratio_to_copy=round(gate.median_ms / copy.median_ms, 1),
        copy_rows=copies[-1]["pupils"],
    )
    results.add(
        "supplier export through the gate, peak memory (whole process, highest run)",
        max(done["peak_mb"] for done in gates),
        300,
        "MB",
        # Growth: the peak over the memory in use once Django and the apps were loaded.
        peak_growth_mb=round(max(done["peak_growth_mb"] for done in gates), 1),
        copy_process_peak_mb=round(max(done["peak_mb"] for done in copies), 1),
        copy_peak_growth_mb=round(max(done["peak_growth_mb"] for done in copies), 1),
    )


def measure_api_throughput(results: Results) -> None:
    from bench.throughput import measure_throughput

    done = measure_throughput()
    results.add(
        "API throughput, pupil detail vs floor (gunicorn, 2 workers)",
        done["ratio"] * 100,
        50,
        "% of floor",
        direction="min",
        product_rps=done["product_rps"],
        floor_rps=done["floor_rps"],
        product_rps_rounds=done["product_rps_rounds"],
        floor_rps_rounds=done["floor_rps_rounds"],
        product_p95_ms=done["product_p95_ms"],
        floor_p95_ms=done["floor_p95_ms"],
        clients=done["clients"],
        seconds_per_round=done["seconds_per_round"],
    )


def measure_retention_run(results: Results) -> None:
    from bench.retention import measure_retention

    done = measure_retention()
    results.add(
        "retention run, 10% of the board due, time",
        done["seconds"],
        60,
        "s",
        # One run: it erases the pupils it measures (bench/README.md, Retention).
        runs=1,
        queries=done["queries"],
        pupils_processed=done["pupils_processed"],
        erasure_records=done["erasure_records"],
        schools=done["schools"],
        due_before=done["due_before"],
        due_after=done["due_after"],
    )
    results.add(
        "retention run, peak memory (whole process)",
        done["peak_mb"],
        300,
        "MB",
        peak_growth_mb=round(done["peak_growth_mb"], 1),
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not bench_database_only():
        return 1
    from bench import django_setup

    django_setup()
    import logging

    # fontTools logs every glyph of the package PDF at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    import tempfile

    from django.test.utils import override_settings

    # Export files and access packages go to a scratch folder, removed at exit, not media/.
    with (
        tempfile.TemporaryDirectory(prefix="samen-een-bench-media-") as media,
        override_settings(MEDIA_ROOT=media),
    ):
        return measure_all(argv)


def measure_all(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        sys.stdout.write(json.dumps(child_export(argv[1])) + "\n")
        return 0

    runs = int(os.environ.get("BENCH_RUNS", "60"))
    # BENCH_ONLY=list,dashboard runs a part while working on it; it writes no results file.
    only = {part for part in os.environ.get("BENCH_ONLY", "").split(",") if part}
    results = Results()
    parts = {
        "list": lambda: measure_list_and_detail(results, runs),
        "dashboard": lambda: measure_dashboard(results, runs),
        "board": lambda: measure_board_dashboard(results, max(runs // 3, 5)),
        "package": lambda: measure_access_package(results, max(runs // 6, 3)),
        "export": lambda: measure_export(results, max(runs // 12, 3)),
        "throughput": lambda: measure_api_throughput(results),
        # Last: it erases and anonymises 5,000 pupils (make bench generates anew first).
        "retention": lambda: measure_retention_run(results),
    }
    for name, measure in parts.items():
        if not only or name in only:
            measure()
    if only:
        log("bench: BENCH_ONLY given, no results written")
    else:
        write(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
