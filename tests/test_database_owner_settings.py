"""Two database roles (README, "Database roles"): with DATABASE_OWNER_URL set a process connects
as the owner and grants DATABASE_URL's role after migrating; the web server and the Celery
processes refuse to start that way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kernel.startup import owner_connection_refuse
from samen_een import celery as celery_app

ROOT = Path(__file__).resolve().parent.parent
APP_URL = "postgres://portal_app:secret-a@db.example:5432/samen_een"
OWNER_URL = "postgres://portal_owner:secret-o@db.example:5432/samen_een"


def _settings_with(**env) -> dict:
    """The database settings a fresh process reads from ``env`` (production settings)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; "
        "print(json.dumps({'user': d['USER'], 'atomic': d['ATOMIC_REQUESTS'], "
        "'app_role': settings.DATABASE_APP_ROLE, 'as_owner': settings.DATABASE_AS_OWNER}))"
    )
    environment = {
        key: value for key, value in os.environ.items() if key != "DATABASE_OWNER_URL"
    } | {
        "DJANGO_SETTINGS_MODULE": "samen_een.settings.dev",
        **env,
    }
    out = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], cwd=ROOT, env=environment, check=True, capture_output=True
    )
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def test_owner_url_makes_the_process_the_owner_and_names_the_app_role():
    assert _settings_with(DATABASE_URL=APP_URL, DATABASE_OWNER_URL=OWNER_URL) == {
        "user": "portal_owner",
        "atomic": True,
        "app_role": "portal_app",
        "as_owner": True,
    }


def test_without_owner_url_the_process_is_the_app_role():
    assert _settings_with(DATABASE_URL=APP_URL) == {
        "user": "portal_app",
        "atomic": True,
        "app_role": "",
        "as_owner": False,
    }


def test_web_server_and_celery_refuse_to_start_as_the_owner(settings):
    settings.DATABASE_AS_OWNER = True
    for start in (
        owner_connection_refuse,
        celery_app._verify_sealing_keys,
        celery_app._refuse_owner_connection,
    ):
        with pytest.raises(ImproperlyConfigured, match="DATABASE_OWNER_URL"):
            start()
    settings.DATABASE_AS_OWNER = False
    owner_connection_refuse()


def test_wsgi_application_refuses_to_load_as_the_owner():
    environment = dict(os.environ) | {
        "DJANGO_SETTINGS_MODULE": "samen_een.settings.dev",
        "DATABASE_URL": "sqlite:///:memory:",
        "DATABASE_OWNER_URL": "sqlite:///:memory:",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import samen_een.wsgi"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
    )
    assert result.returncode != 0
    assert b"DATABASE_OWNER_URL is set" in result.stderr
