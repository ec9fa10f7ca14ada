"""Local development and ``make run``: SQLite, a broker that needs no server, demo keys.

Every default here can be overridden from the environment (``DATABASE_URL``,
``CELERY_BROKER_URL`` …); production.py has no defaults at all.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from . import environment

_BASE = Path(__file__).resolve().parent.parent.parent

# Demo-only values: they protect nothing but the public demo data. They are defaults of these
# settings, never written into os.environ (environment.py).
_DEMO_SECRETS = {
    "SECRET_KEY": "dev-only-insecure-secret-key-samen-een-portal",
    "FIELD_ENCRYPTION_KEYS": "Xb3xOG0FSjaOCj8w1hd-lNq6Xu1n3Ahs8OzwKnwmM0k=",
    "FIELD_HASH_KEY": "dev-only-bsn-lookup-hash-key",
}
# The demo secrets go as one set or not at all. A secret of its own in the environment means a
# real installation (such as a worker started without DJANGO_SETTINGS_MODULE on a server):
# filling the missing ones with published demo values would sign links and hash BSNs with a
# secret anyone can read, so these settings refuse to load instead.
_given = [name for name in _DEMO_SECRETS if name in os.environ]
if _given and len(_given) < len(_DEMO_SECRETS):
    _missing = [name for name in _DEMO_SECRETS if name not in _given]
    raise ImproperlyConfigured(
        f"The development settings (samen_een.settings.dev) found {', '.join(_given)} in the "
        f"environment but not {', '.join(_missing)}; they do not fill in a published demo "
        "value beside a real one. On a server set DJANGO_SETTINGS_MODULE="
        "samen_een.settings.production; for the demo leave out all three."
    )
environment.DEFAULTS.update(
    {
        **_DEMO_SECRETS,
        "DEBUG": "true",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Links in mails and start-up lines point at the port bin/run serves on (PORT).
        "SITE_URL": f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}",
        "DATABASE_URL": f"sqlite:///{_BASE / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        # Staff MFA is off in the demo (its accounts share one published password) and in tests
        # unless a test turns it on.
        "MFA_REQUIRED": "false",
    }
)

from .base import *  # noqa: E402

# Locally static files come from the app folders (runserver, live_server); WhiteNoise
# serves the collected files in production only.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]

# DEBUG stays on (the demo loader needs it), yet people trying the demo meet the friendly
# 404/500 pages, never Django's technical ones (which list every route). SHOW_TECHNICAL_ERRORS=1
# brings the technical pages back for a developer (samen_een/dev_errors.py).
SHOW_TECHNICAL_ERRORS = environment.env.bool("SHOW_TECHNICAL_ERRORS", default=False)
MIDDLEWARE = [
    "samen_een.dev_errors.TechnicalPagesMiddleware",
    *MIDDLEWARE,
    "samen_een.dev_errors.FriendlyErrorsMiddleware",
]

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
