"""SQLite, the embedded default, as every process of `make run` opens it: in WAL mode, each
transaction holding the write lock from its start, and waiting for the lock instead of failing.
(tests/integration/test_sqlite_worker.py shows the web process and a worker writing at once.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sqlite3, django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    wait_ms = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    cursor.execute("CREATE TABLE IF NOT EXISTS probe (n integer)")
name = connection.settings_dict["NAME"]
with transaction.atomic():  # nothing written yet
    writer_waits = reader_waits = None
    if name != ":memory:":
        other = sqlite3.connect(name, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writer_waits = False
        except sqlite3.OperationalError:
            writer_waits = True
        try:
            other.execute("SELECT count(*) FROM probe").fetchone()
            reader_waits = False
        except sqlite3.OperationalError:
            reader_waits = True
        other.close()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO probe VALUES (1)")
print(json.dumps({"mode": mode, "wait_ms": wait_ms, "writer_waits": writer_waits,
                  "reader_waits": reader_waits}))
"""


def _open(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_OWNER_URL")}
    out = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env
        | {"DJANGO_SETTINGS_MODULE": "samen_een.settings.dev", "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_transaction_holds_the_write_lock_from_its_start_when_the_database_is_a_file(tmp_path):
    assert _open(f"sqlite:///{tmp_path / 'portal.sqlite3'}") == {
        "mode": "wal",
        "wait_ms": 20_000,
        "writer_waits": True,  # another writer waits for this transaction from its BEGIN on
        "reader_waits": False,  # while readers go on
    }


def test_options_in_the_database_url_win_when_given(tmp_path):
    opened = _open(f"sqlite:///{tmp_path / 'portal.sqlite3'}?timeout=3")

    assert opened["wait_ms"] == 3_000


def test_in_memory_database_still_works_when_asked_for():
    assert _open("sqlite://:memory:")["mode"] == "memory"
