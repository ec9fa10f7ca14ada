"""The embedded default of `make run`: one SQLite file, a broker folder, and a real worker
process beside the web process, both writing at once. Neither side may fail with "database is
locked", and every write lands: each pupil page opened is one access event, every access
package asked for is built, every event is sealed and the chain verifies.

Runs on SQLite whatever DATABASE_URL the suite was given: it brings its own database file,
broker folder and media folder, and starts its processes with `make run`'s settings (dev)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
WEB_SECONDS = 6
# As bin/run starts it (beat aside: the web process enqueues the sealing job itself).
WORKER = (sys.executable, "-m", "celery", "-A", "samen_een", "worker", "--pool=solo", "-l", "INFO")

SETTINGS = """\
\"\"\"`make run`'s settings with the folders of one test run.\"\"\"
from pathlib import Path

from samen_een.settings.dev import *  # noqa: F403

MEDIA_ROOT = Path({media!r})
CELERY_BROKER_TRANSPORT_OPTIONS = {{
    "data_folder_in": {queue!r},
    "data_folder_out": {queue!r},
    "store_processed": False,
    "polling_interval": 0.1,
}}
"""


@pytest.fixture
def _real_services():
    """Replaces the package's check for PostgreSQL and Redis: this test needs neither."""


def _env(folder: Path) -> dict[str, str]:
    """A fresh machine's environment: nothing of the test run's own settings leaks in."""
    kept = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return kept | {
        "PYTHONPATH": f"{folder}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "embedded_settings",
        "DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
    }


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _query(database: Path, sql: str, params: tuple = ()) -> list[tuple]:
    connection = sqlite3.connect(database, timeout=30)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def test_web_and_worker_write_at_once_when_the_database_is_the_embedded_sqlite(tmp_path):
    queue = tmp_path / "queue"
    queue.mkdir()
    (tmp_path / "embedded_settings.py").write_text(
        SETTINGS.format(media=str(tmp_path / "media"), queue=str(queue))
    )
    env = _env(tmp_path)
    database = tmp_path / "portal.sqlite3"
    for step in (("migrate", "--noinput"), ("demo_data",)):
        done = _manage(env, *step)
        assert done.returncode == 0, done.stderr[-3000:]
    # The same journal the web server and the worker get on `make run`.
    assert _query(database, "PRAGMA journal_mode") == [("wal",)]

    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            [*WORKER, f"--hostname=sqlite-test-{os.getpid()}@%h"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        assert _wait_for(lambda: " ready." in log.read_text(), 30), log.read_text()[-3000:]
        web = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
            [sys.executable, "-m", "tests.integration.sqlite_web_process", str(WEB_SECONDS)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert web.returncode == 0, web.stderr[-3000:]
        report = json.loads(web.stdout.strip().splitlines()[-1])

        def drained() -> bool:
            unsealed = _query(
                database, "SELECT count(*) FROM audit_accessevent WHERE seal_seq IS NULL"
            )
            return unsealed == [(0,)]

        sealed_all = _wait_for(drained, 30)
        worker_alive = worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    worker_log = log.read_text()

    # Neither side failed, not even once: a job retried after "database is locked" counts,
    # and so does a worker that stopped (it did on a half-written broker message).
    assert report["errors"] == []
    assert worker_alive, worker_log[-5000:]
    for failure in ("database is locked", "OperationalError", "retry:", "raised unexpected"):
        assert failure not in worker_log, worker_log[-5000:]
    assert "Traceback" not in worker_log, worker_log[-5000:]
    # Both sides were busy at the same time: the sealing jobs were enqueued while the pages
    # were served, and the builds were asked for at the start of it.
    assert report["sent"] > 50
    assert len(re.findall(r"audit_seal_task\[[^\]]+\] succeeded", worker_log)) > 20
    built = re.findall(r"package_build_task\[[^\]]+\] succeeded", worker_log)
    assert len(built) >= len(report["requests"])

    # Every write landed: one access event per pupil page served, every package built,
    # every event sealed into a chain that verifies.
    for path, served in report["pupil_pages"].items():
        recorded = _query(
            database,
            "SELECT count(*) FROM audit_accessevent "
            "WHERE path = ? AND object_type = 'student' AND action = 'view'",
            (path,),
        )
        assert recorded == [(served,)], path
    packages = dict(
        _query(database, "SELECT request_id, status FROM privacy_requests_accesspackage")
    )
    assert {pk: packages.get(pk) for pk in report["requests"]} == dict.fromkeys(
        report["requests"], "built"
    )
    assert sealed_all
    verified = _manage(env, "audit_verify")
    assert verified.returncode == 0, verified.stderr
    assert "0 events waiting to be sealed" in verified.stdout
