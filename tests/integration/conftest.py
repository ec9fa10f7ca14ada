"""Integration tests need the real PostgreSQL and Redis; they are skipped without them, and
fail instead when INTEGRATION_REQUIRED=1 (as in CI)."""

import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

from samen_een.celery import app as celery_app


@pytest.fixture(autouse=True)
def _real_services(db):
    missing = []
    if connection.vendor != "postgresql":
        missing.append("DATABASE_URL pointing at PostgreSQL")
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        missing.append("CELERY_BROKER_URL pointing at Redis")
    if missing:
        message = "integration tests need " + " and ".join(missing)
        if os.environ.get("INTEGRATION_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def celery_worker():
    """A real Celery worker thread consuming from the real Redis broker."""
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    try:
        with start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=20,
        ) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = True
