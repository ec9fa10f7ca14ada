"""Which settings a process gets when nobody names them, and what the demo keys may touch.

- ``manage.py`` and the Celery program default to the development settings of ``make run``
  (its SQLite file, its demo keys);
- a WSGI server (``gunicorn samen_een.wsgi``) defaults to the production settings, also though
  the package imports the Celery app first, and so refuses to start without production secrets;
- the demo keys are values inside ``samen_een/settings/dev.py``, never variables in the process
  environment, and the development settings refuse to fill a gap beside a key of one's own.

Every check runs in a fresh process with a clean environment: this process's settings (and
whatever the shell exported) must not leak in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
KEY_VARIABLES = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY")

REPORT = (
    "import json, os; from django.conf import settings; "
    "from samen_een.settings import environment; "
    "print(json.dumps({'module': settings.SETTINGS_MODULE, 'debug': settings.DEBUG, "
    "'database': str(settings.DATABASES['default']['NAME']), "
    f"'keys_in_environment': sorted(k for k in {KEY_VARIABLES!r} if k in os.environ), "
    "'defaults_in_environment': sorted(k for k in environment.DEFAULTS if k in os.environ), "
    "'defaults': sorted(environment.DEFAULTS)}))"
)


@pytest.fixture
def clean_env(tmp_path) -> dict[str, str]:
    """A fresh machine's environment: no DJANGO_SETTINGS_MODULE, no keys, nothing of this run."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - this interpreter, our own code and fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _report(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_manage_py_without_environment_uses_make_runs_settings_and_database(clean_env):
    report = _report(_run(clean_env, "manage.py", "shell", "-c", REPORT))

    assert report["module"] == "samen_een.settings.dev"
    assert report["debug"] is True
    assert report["database"] == str(ROOT / "db.sqlite3")


def test_development_run_keeps_demo_keys_out_of_the_process_environment(clean_env):
    report = _report(_run(clean_env, "manage.py", "shell", "-c", REPORT))

    assert report["keys_in_environment"] == []
    # Nor any other default of the development settings: they stay values of the settings.
    assert {"DATABASE_URL", "DEBUG", *KEY_VARIABLES} <= set(report["defaults"])
    assert report["defaults_in_environment"] == []


def test_demo_keys_are_the_settings_values_of_a_development_run(clean_env):
    code = (
        "from django.conf import settings; "
        "print(settings.FIELD_HASH_KEY, settings.SECRET_KEY.startswith('dev-only-'))"
    )
    result = _run(clean_env, "manage.py", "shell", "-c", code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["dev-only-bsn-lookup-hash-key", "True"]


def test_celery_program_without_environment_uses_make_runs_settings(clean_env):
    result = _run(clean_env, "-m", "celery", "-A", "samen_een", "report")

    assert result.returncode == 0, result.stderr
    assert "SETTINGS_MODULE: 'samen_een.settings.dev'" in result.stdout
    assert "CELERY_BROKER_URL: 'filesystem://'" in result.stdout


def test_wsgi_without_environment_asks_for_production_settings_and_refuses_without_secrets(
    clean_env,
):
    # samen_een/__init__.py imports the Celery app before wsgi.py runs: that import must not
    # choose the development settings for the web server.
    result = _run(clean_env, "-c", "import samen_een.wsgi")

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set the SECRET_KEY environment variable" in result.stderr
    assert "samen_een/settings/production.py" in result.stderr
    assert "samen_een/settings/dev.py" not in result.stderr


def test_wsgi_without_settings_module_loads_production_when_secrets_are_given(clean_env, tmp_path):
    env = clean_env | {
        "SECRET_KEY": "a-production-secret-key-for-this-test-only-0123456789",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_HASH_KEY": "a-production-hash-key-for-this-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "CELERY_BROKER_URL": "memory://",
        "ALLOWED_HOSTS": "portal.example",
    }
    report = _report(_run(env, "-c", f"import samen_een.wsgi; {REPORT}"))

    assert report["module"] == "samen_een.settings.production"
    assert report["debug"] is False


@pytest.mark.parametrize("given", [("SECRET_KEY",), ("FIELD_ENCRYPTION_KEYS", "SECRET_KEY")])
def test_development_settings_refuse_to_fill_in_demo_keys_beside_real_ones(clean_env, given):
    values = {
        "SECRET_KEY": "a-real-secret-key-of-some-server-0123456789",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    env = clean_env | {name: values[name] for name in given}

    for program in (("manage.py", "check"), ("-m", "celery", "-A", "samen_een", "report")):
        result = _run(env, *program)

        assert result.returncode != 0, program
        assert "ImproperlyConfigured" in result.stderr, program
        assert "samen_een.settings.production" in result.stderr, program


def test_development_settings_use_the_environments_keys_when_all_are_given(clean_env):
    env = clean_env | {
        "SECRET_KEY": "a-real-secret-key-of-some-server-0123456789",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_HASH_KEY": "a-real-hash-key",
    }
    code = "from django.conf import settings; print(settings.FIELD_HASH_KEY)"
    result = _run(env, "manage.py", "shell", "-c", code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "a-real-hash-key"
