"""Settings of the bench process and of its gunicorn (``make bench``): the development
settings against the scratch bench database, rendering as in production (no DEBUG), with the
floor views (``bench.urls``) mounted beside the product's URLs."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/samen_een_bench")
# Jobs a service enqueues go nowhere: no worker should touch the bench data.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

from samen_een.settings.dev import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
