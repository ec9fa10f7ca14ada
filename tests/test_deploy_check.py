"""Production settings pass Django's deployment check and hold the cookie, HSTS and MFA
settings the security design asks for, with a complete production-like environment.

Run in a subprocess with a clean environment: nothing of this process's environment (or of the
shell that started it) may leak in; the test settings' own defaults (``MFA_REQUIRED=false``, a test
key) are values of those settings only (``samen_een/settings/environment.py``).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

ONE_YEAR = 365 * 24 * 60 * 60


@pytest.fixture(scope="module")
def production_env(tmp_path_factory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("production")
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "samen_een.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),  # 86 characters, > 5 unique
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "memory://",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_HASH_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "portal.example",
    }


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (fixed arguments, our own manage.py)
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_passes_when_production_environment_is_complete(production_env):
    result = _manage(production_env, "check", "--deploy", "--fail-level", "WARNING")

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    for marker in ("WARNINGS:", "ERRORS:", "security.W", "security.E", "Traceback"):
        assert marker not in output, output


_SHOW = """
import json
from django.conf import settings as s
names = [
    "DEBUG", "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_PATH", "SESSION_COOKIE_DOMAIN",
    "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_PATH", "CSRF_COOKIE_DOMAIN",
    "LANGUAGE_COOKIE_NAME", "LANGUAGE_COOKIE_SECURE", "LANGUAGE_COOKIE_PATH",
    "LANGUAGE_COOKIE_DOMAIN", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY", "MFA_REQUIRED",
]
print(json.dumps({name: getattr(s, name) for name in names}))
"""


@pytest.fixture(scope="module")
def production_settings(production_env) -> dict:
    result = _manage(production_env, "shell", "--no-startup", "-c", _SHOW)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_cookies_host_prefixed_and_secure_when_production_settings_load(production_settings):
    s = production_settings
    # __Host-: only over HTTPS, for this exact host (no Domain) and path /; a sibling
    # subdomain can neither read nor plant them.
    for prefix in ("SESSION_COOKIE", "CSRF_COOKIE", "LANGUAGE_COOKIE"):
        assert s[f"{prefix}_NAME"].startswith("__Host-"), prefix
        assert s[f"{prefix}_SECURE"] is True, prefix
        assert s[f"{prefix}_PATH"] == "/", prefix
        assert s[f"{prefix}_DOMAIN"] is None, prefix
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")


def test_https_enforced_for_a_year_when_production_settings_load(production_settings):
    s = production_settings
    assert s["DEBUG"] is False
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] >= ONE_YEAR
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["SECURE_REFERRER_POLICY"] == "same-origin"


def test_staff_mfa_required_when_production_settings_load(production_settings):
    assert production_settings["MFA_REQUIRED"] is True
