"""The broker of `make run` without Redis, a folder: a worker polling it never takes a message
that is still being written (with kombu's own transport it could, and then stopped for good:
celery/kombu#1551)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from queue import Empty

from kombu import Connection

from kernel.broker_folder import Transport

ROOT = Path(__file__).resolve().parent.parent


def _channel(folder: Path, transport=Transport):
    connection = Connection(
        "filesystem://",
        transport=transport,
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "store_processed": False,
        },
    )
    return connection, connection.channel()


class _WorkerPollsMeanwhile:
    """Turned into JSON while the message is being written: the worker looks right then."""

    def __init__(self, worker) -> None:
        self.worker = worker
        self.taken: object = None

    def __json__(self) -> str:
        try:
            self.taken = self.worker._get("celery")
        except Empty:
            self.taken = "nothing"
        return "probe"


def test_worker_takes_a_message_only_once_it_is_whole_when_it_polls_during_the_write(tmp_path):
    producer_connection, producer = _channel(tmp_path)
    worker_connection, worker = _channel(tmp_path)
    probe = _WorkerPollsMeanwhile(worker)
    try:
        producer._put("celery", {"body": "job", "probe": probe})

        assert probe.taken == "nothing"
        assert worker._get("celery") == {"body": "job", "probe": "probe"}
        assert os.listdir(tmp_path) == []
    finally:
        producer_connection.release()
        worker_connection.release()


def test_make_run_settings_use_the_folder_transport_when_no_broker_is_set():
    code = (
        "import django; django.setup(); from samen_een.celery import app; "
        "t = type(app.connection_for_write().transport); print(t.__module__, t.__name__)"
    )
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    out = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "samen_een.settings.dev"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["kernel.broker_folder", "Transport"]
