"""API throughput with concurrent clients on loopback: the pupil detail API as a
teacher against its floor (``bench.floor.student_detail_json``), both served by gunicorn with
2 workers.

    python -m bench.throughput

gunicorn runs ``samen_een.wsgi`` with ``bench.settings`` (DEBUG off, the floor views mounted
at ``/bench-floor/``) against the bench database. ``CLIENTS`` threads each keep one
``http.client`` connection and ask the same URL over and over for ``SECONDS`` per round;
product and floor rounds alternate (ABBA...), so a slow moment hits both alike. Only 200
answers count; any other status fails the measurement.

The client threads run on the same 2 cores as gunicorn and PostgreSQL, and take the same
share of them for the product as for the floor, so the ratio is fair even though the absolute
requests/s are lower than a separate load generator would see. gunicorn's default sync
workers close the connection after each answer; ``http.client`` then reconnects on the next
request, equally for both.

It writes to the bench database only: the teacher's API token and session, and the audit
events of the product's requests.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.run import Sample, bench_database_only, log, teacher_setup

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = 2.0
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WORKERS = 2
HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Round:
    ok: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failure: str | None = None

    @property
    def rps(self) -> float:
        return self.ok / self.seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get_once(port: int, path: str, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


class Gunicorn:
    """gunicorn serving the bench settings on a free loopback port; stopped on exit."""

    def __init__(self, *, workers: int = WORKERS) -> None:
        self.port = free_port()
        self.workers = workers
        self.process: subprocess.Popen | None = None
        # Closed in __exit__, with the process.
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115

    def __enter__(self) -> Gunicorn:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        # The venv's own gunicorn (pinned), from the project root so bench.settings imports.
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own venv
            [
                sys.executable,
                "-m",
                "gunicorn",
                "samen_een.wsgi",
                "--workers",
                str(self.workers),
                "--bind",
                f"{HOST}:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def wait_until_up(self, path: str, headers: dict[str, str], timeout: float = 60) -> None:
        if self.process is None:
            raise RuntimeError("gunicorn is started by entering the with block first.")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.output()}")
            try:
                status = get_once(self.port, path, headers)
            except OSError:
                time.sleep(0.2)
                continue
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}:\n{self.output()}")
            return
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()[-4000:]

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def load(port: int, path: str, headers: dict[str, str], *, clients: int, seconds: float) -> Round:
    """``clients`` threads, each with its own keep-alive connection, GET ``path`` until the
    time is up; the round stops at the first answer that is not a 200."""
    result = Round()
    lock = threading.Lock()
    stop = threading.Event()
    start = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        ok, latencies = 0, []
        start.wait()
        try:
            while not stop.is_set():
                began = time.perf_counter()
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"GET {path} answered {response.status}")
                latencies.append(time.perf_counter() - began)
                ok += 1
        except Exception as exc:  # reported by the main thread
            with lock:
                result.failure = result.failure or f"{type(exc).__name__}: {exc}"
            stop.set()
        finally:
            conn.close()
            with lock:
                result.ok += ok
                result.latencies.extend(latencies)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    stop.wait(seconds)
    stop.set()
    result.seconds = time.perf_counter() - began
    for thread in threads:
        thread.join()
    if result.failure:
        raise RuntimeError(result.failure)
    return result


def credentials() -> tuple[int, dict[str, str], dict[str, str]]:
    """The group-5 teacher's pupil, the product's headers (API token) and the floor's (the
    same teacher's session cookie, made as a login makes it)."""
    from django.conf import settings
    from django.test import Client

    from accounts.services import api_token_issue

    teacher, _group, student = teacher_setup()
    token = api_token_issue(user=teacher)
    browser = Client()
    browser.force_login(teacher)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return (
        student.pk,
        {"Authorization": f"Token {token}"},
        {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"},
    )


def measure_throughput(
    *, clients: int = CLIENTS, seconds: float = SECONDS, rounds: int = ROUNDS
) -> dict[str, Any]:
    """Requests/s of the pupil detail API (teacher, token) and of its floor (same teacher,
    session), ``rounds`` rounds each, alternating; medians over the rounds."""
    student_id, product_headers, floor_headers = credentials()
    calls = {
        "product": (f"/api/v1/students/{student_id}/", product_headers),
        "floor": (f"/bench-floor/api/students/{student_id}/", floor_headers),
    }
    with Gunicorn() as server:
        for path, headers in calls.values():
            server.wait_until_up(path, headers)
        log(f"throughput: gunicorn on port {server.port}, pupil {student_id}, {clients} clients")
        for name, (path, headers) in calls.items():
            load(server.port, path, headers, clients=clients, seconds=WARMUP)
            log(f"  warmed up {name}")
        measured: dict[str, list[Round]] = {name: [] for name in calls}
        for number in range(rounds):
            order = list(calls) if number % 2 == 0 else list(reversed(calls))
            for name in order:
                path, headers = calls[name]
                done = load(server.port, path, headers, clients=clients, seconds=seconds)
                measured[name].append(done)
                log(f"  round {number + 1} {name}: {done.rps:.1f} requests/s")

    result: dict[str, Any] = {}
    for name, rounds_done in measured.items():
        latency = Sample(seconds=[s for r in rounds_done for s in r.latencies])
        result[f"{name}_rps"] = round(statistics.median(r.rps for r in rounds_done), 1)
        result[f"{name}_rps_rounds"] = [round(r.rps, 1) for r in rounds_done]
        result[f"{name}_median_ms"] = round(latency.median_ms, 2)
        result[f"{name}_p95_ms"] = round(latency.p95_ms, 2)
        result[f"{name}_requests"] = sum(r.ok for r in rounds_done)
    result["ratio"] = round(result["product_rps"] / result["floor_rps"], 3)
    result.update(
        clients=clients, seconds_per_round=seconds, rounds=rounds, workers=WORKERS, pupil=student_id
    )
    return result


def main() -> int:
    if not bench_database_only():
        return 1
    from bench import django_setup

    django_setup()
    result = measure_throughput()
    for key, value in result.items():
        log(f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
