"""Start-up refusals shared by the web server and the Celery processes."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def owner_connection_refuse() -> None:
    """The web server and the workers never run as the owner of the tables: with
    ``DATABASE_OWNER_URL`` set they would (settings), and the database could no longer refuse
    them a rewrite of the evidence. It is meant for ``manage.py migrate`` only."""
    if settings.DATABASE_AS_OWNER:
        raise ImproperlyConfigured(
            "DATABASE_OWNER_URL is set: this process would connect as the owner of the tables. "
            "Set it only for `manage.py migrate`; the web server and the workers connect with "
            "DATABASE_URL (README, 'Database roles')."
        )
