"""The test suite: SQLite and in-process jobs unless DATABASE_URL/CELERY_BROKER_URL are set.

With them set (as CI does) the suite runs on PostgreSQL and the integration tests use the
real Redis and a real worker thread.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from . import environment

# Defaults of these settings only, never written into os.environ (environment.py; a module, not
# its DEFAULTS, is imported here, so the defaults do not become a setting of their own).
environment.DEFAULTS.update(
    {
        "SECRET_KEY": "test-only-secret-key-samen-een",
        "DATABASE_URL": "sqlite://:memory:",
        "CELERY_BROKER_URL": "memory://",
        "FIELD_ENCRYPTION_KEYS": (
            "kXo6yq1Q3yq7J3o0oJ3c0k0m6Ih2b3vW0w4o9S2yWqE=,"
            "Y2hhbmdlLW1lLXRlc3Qta2V5LXR3by0wMTIzNDU2Nzg="
        ),
        "FIELD_HASH_KEY": "test-only-bsn-hash-key",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "MFA_REQUIRED": "false",
    }
)

from .base import *  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run jobs in-process; the integration tests start a real worker instead.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "login_email": "10/minute",
    "login_address": "600/minute",
    "request_submit": "10/hour",
    "export": "20/hour",
}
# Many tests move a frozen clock days ahead with a logged-in client; sessions here do not time
# out unless a test asks (tests/accounts/test_sessions.py sets the real limits of base.py).
SESSION_IDLE_TIMEOUT = {"staff": 10 * 365 * 86400, "guardian": 10 * 365 * 86400}
SESSION_ABSOLUTE_TIMEOUT = dict(SESSION_IDLE_TIMEOUT)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT["guardian"]
# Static files come from the app folders in tests (live_server); WhiteNoise is for production.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]

# Uploaded and exported files of a test run live in a temporary folder, removed at exit.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="samen-een-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)


def _worker_redis_url(url: str, worker: int) -> str:
    """The Redis database of one parallel test worker (pytest-xdist, `make test`).

    Tests clear the cache and purge the broker, which empties a whole Redis database: each
    worker gets its own. Worker 0 keeps the configured databases (CI: cache 14, broker 15),
    worker n the ones 2n lower (12 and 13, 10 and 11, ...), so two workers never share one."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or worker == 0:
        return url
    configured = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(configured - 2 * worker) % 16}"))


_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
CACHES["default"]["LOCATION"] = _worker_redis_url(CACHES["default"].get("LOCATION", ""), _WORKER)
CELERY_BROKER_URL = _worker_redis_url(CELERY_BROKER_URL, _WORKER)
