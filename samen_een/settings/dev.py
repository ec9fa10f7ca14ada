"""Local development and ``make run``: SQLite, a broker that needs no server, demo keys.

Every default here can be overridden from the environment (``DATABASE_URL``,
``CELERY_BROKER_URL`` …); production.py has no defaults at all.
"""

import os
from pathlib import Path

_BASE = Path(__file__).resolve().parent.parent.parent

# Demo-only values: they protect nothing but the public demo data.
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-secret-key-samen-een-portal")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_BASE / 'db.sqlite3'}")
os.environ.setdefault("CELERY_BROKER_URL", "filesystem://")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "Xb3xOG0FSjaOCj8w1hd-lNq6Xu1n3Ahs8OzwKnwmM0k=")
os.environ.setdefault("FIELD_HASH_KEY", "dev-only-bsn-lookup-hash-key")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Staff MFA is off in the demo (its accounts share one published password) and in tests
# unless a test turns it on.
os.environ.setdefault("MFA_REQUIRED", "false")

from .base import *  # noqa: E402

# Locally static files come from the app folders (runserver, live_server); WhiteNoise
# serves the collected files in production only.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]

if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: a worker started beside runserver reads jobs from this folder.
    # kombu's own filesystem transport, except that a message appears there whole.
    CELERY_BROKER_TRANSPORT = "kernel.broker_folder:Transport"
    _queue = _BASE / ".celery" / "queue"
    _queue.mkdir(parents=True, exist_ok=True)
    (_BASE / ".celery" / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(_BASE / ".celery" / "processed"),
        "store_processed": False,
    }
