"""What the API fuzzing checks, and how it reaches the app (used by test_api_fuzz.py).

Checks take (ctx, response, case) like schemathesis' own and fail by raising AssertionError,
which schemathesis reports as a failed custom check.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.specs.openapi.checks import response_schema_conformance

# Operations that answer a caller without a login. (The schema itself is loaded by a caller
# without a login, see load_schema; /healthz is no part of the API document.)
OPEN_OPERATIONS = frozenset({"POST /api/v1/auth/token/"})
# What a protected operation may answer a caller without a login: no login (401), or a refusal
# that comes first (403 from a check before authentication, 404 for a route that is not there,
# 405 for a method the route lacks, 429 for a throttle or a lockout).
ANONYMOUS_STATUSES = frozenset({401, 403, 404, 405, 429})
# Declarations that do not match the answers, in files the fuzzing's authors may not change.
# Allowed for the schema check only, for exactly this operation and status; remove the entry
# when the declaration is fixed.
KNOWN_SCHEMA_GAPS: frozenset[tuple[str, int]] = frozenset()


def _body_keys(response) -> set[str] | None:
    """The keys of a JSON object body, an empty set for no body, None for anything else."""
    if not response.content:
        return set()
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return set(body) if isinstance(body, dict) else None


def documented_response_matches_schema(ctx, response, case) -> bool | None:
    """schemathesis' response_schema_conformance (a documented status has the documented
    body), except for the KNOWN_SCHEMA_GAPS."""
    if (case.operation.label, response.status_code) in KNOWN_SCHEMA_GAPS:
        return None
    return response_schema_conformance(ctx, response, case)


def success_status_is_documented(ctx, response, case) -> None:
    """A success carries a status the schema documents for the operation (response schema
    conformance passes over statuses the schema does not know)."""
    status = response.status_code
    if not 200 <= status < 300:
        return
    documented = set(case.operation.definition.raw.get("responses", {}))
    assert str(status) in documented or "2XX" in documented or "default" in documented, (
        f"{case.operation.label} answered {status}; the schema documents {sorted(documented)}"
    )


def anonymous_gets_no_data(ctx, response, case) -> None:
    """Without a login, a protected operation answers with a refusal that carries at most a
    ``detail`` message: never a success, never data."""
    if case.operation.label in OPEN_OPERATIONS:
        return
    status = response.status_code
    assert not 200 <= status < 300, (
        f"{case.operation.label} answered {status} to a call without a login"
    )
    assert status in ANONYMOUS_STATUSES, (
        f"{case.operation.label} answered {status} to a call without a login, "
        f"not one of {sorted(ANONYMOUS_STATUSES)}"
    )
    keys = _body_keys(response)
    assert keys is not None and keys <= {"detail"}, (
        f"{case.operation.label} answered a call without a login with more than a `detail` "
        f"message: {response.content[:300]!r}"
    )


def token_is_accepted(ctx, response, case) -> None:
    """A valid token is never answered 401, so a run cannot pass by meeting only the door."""
    assert response.status_code != 401, (
        f"{case.operation.label} answered 401 to a valid token: {response.content[:300]!r}"
    )


@contextmanager
def connections_kept_open() -> Iterator[None]:
    """What Django's test client does around each request: the end of a request does not
    close the database connection, which holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema():
    """The OpenAPI document as the app serves it at /api/schema/ to a caller without a login,
    bound to the app in-process (WSGI), so cases are sent to it without a server."""
    config = schemathesis.Config.from_dict(
        # Authentication is the test's to send (a token per role, or nothing): schemathesis
        # must not invent an Authorization header or a session cookie of its own.
        {"generation": {"with-security-parameters": False}}
    )
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application(), config=config
    )
