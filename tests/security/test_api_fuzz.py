"""API fuzzing per role (security issue, item 6): schemathesis against ``/api/schema/``.

For a caller without a login and for every role of the permission model, each operation of the
OpenAPI document is called with generated requests, valid ones and ones the schema rules out,
against the app in-process over WSGI, with the role's DRF token. Every answer must:

- not be a server error (5xx);
- match the schema where its status is documented, and a success must carry a documented
  status (a 200 where the schema promises a 201 is a wrong status);
- without a login, on every operation but the open ones: be a refusal (401, or 403/404/405/429)
  that carries nothing but a ``detail`` message (test_fuzz_checks.py proves the check bites);
- with a token: never be a 401, so that a run cannot pass by meeting only the front door.

A 429 (a throttle or a lockout) is an answer like any other: undocumented, so only "no 5xx"
and, without a login, "no data" apply to it.

Bounded for CI: per operation and role ``MAX_EXAMPLES`` generated valid requests,
``EXAMPLES_PER_OBJECT`` more for each real object of the world named in the path (in and out
of the role's scope, so the handlers behind the 404 are reached too), and ``INVALID_EXAMPLES``
requests the schema rules out where a query or a body allows one. Derandomized (every run sends
the same requests), without Hypothesis' example database. Each request runs in a savepoint that
is rolled back: every request meets the same world, whatever an earlier one changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis.strategies import SearchStrategy
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from .fuzz import (
    anonymous_gets_no_data,
    connections_kept_open,
    documented_response_matches_schema,
    success_status_is_documented,
    token_is_accepted,
)

ROLES = (
    "anonymous",
    "director",
    "administration",
    "care_coordinator",
    "teacher",
    "privacy_officer",
    "guardian",
    "guardian_limited",
)
MAX_EXAMPLES = 8
EXAMPLES_PER_OBJECT = 2
INVALID_EXAMPLES = 4

HYPOTHESIS_SETTINGS = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.generate, Phase.shrink],
    print_blob=False,
)


@pytest.fixture
def fuzz_world(request_world, retention_world, breach_world):
    """Every layer of the shared world: pupils, care, consent, suppliers and exports, privacy
    requests (one received, one with a package built and awaiting release, one of another
    board, an objection), retention with legal holds, and the breach register."""
    for key in ("access", "built", "foreign", "limit"):
        request_world.requests[key]  # made on first look-up
    return request_world


def _path_ids(world) -> dict[str, Callable[[], list[int]]]:
    """Real ids per path parameter, in and out of the roles' scopes."""
    users, requests = world.users, world.requests
    return {
        "student_id": lambda: [world.pupil3.pk, world.pupil5.pk, world.other_pupil.pk],
        "group_id": lambda: [world.group3.pk, world.group5.pk, world.other_group.pk],
        "school_id": lambda: [world.school.pk, world.other_school.pk, world.foreign_school.pk],
        "export_id": lambda: [e.pk for e in world.suppliers["exports"].values()],
        "request_id": lambda: [requests[k].pk for k in ("access", "built", "foreign")],
        "staff_id": lambda: [users[r].pk for r in ("teacher", "administration", "director")],
    }


def _path_samples(world, operation) -> list[dict[str, str]]:
    """Path parameters naming real objects; none for a parameter this test does not know (a
    new route), whose ids are then only generated."""
    names = sorted(p.name for p in operation.path_parameters)
    if names == ["record_id", "student_id"]:
        return [
            {"student_id": str(r.student_id), "record_id": str(r.pk)} for r in world.care.values()
        ]
    ids = _path_ids(world)
    if len(names) != 1 or names[0] not in ids:
        return []
    return [{names[0]: str(pk)} for pk in ids[names[0]]()]


def _headers(world, role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    from accounts.services import api_token_issue

    return {"Authorization": f"Token {api_token_issue(user=world.users[role])}"}


def _checks(role: str) -> list[Callable]:
    checks = [not_a_server_error, documented_response_matches_schema, success_status_is_documented]
    return [*checks, anonymous_gets_no_data if role == "anonymous" else token_is_accepted]


def _runs(operation, samples) -> Iterator[tuple[str, SearchStrategy, int]]:
    """The bounded runs for one operation: (what, strategy, number of requests)."""
    yield "valid", operation.as_strategy(generation_mode=GenerationMode.POSITIVE), MAX_EXAMPLES
    for params in samples:
        strategy = operation.as_strategy(
            generation_mode=GenerationMode.POSITIVE, path_parameters=params
        )
        yield f"valid, {params}", strategy, EXAMPLES_PER_OBJECT
    # Path ids are free-form strings, so only a query or a body can be out of the schema.
    if len(operation.query) or len(operation.body):
        strategy = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
        yield "invalid", strategy, INVALID_EXAMPLES


def _fuzz(operation, *, headers, checks, samples, statuses: Counter):
    """Send the bounded requests to one operation; its failures, one entry per run."""
    failures = []
    for what, strategy, examples in _runs(operation, samples):

        @settings(HYPOTHESIS_SETTINGS, max_examples=examples)
        @given(case=strategy)
        def run(case):
            savepoint = transaction.savepoint()
            try:
                response = case.call(headers=headers)
            finally:
                transaction.savepoint_rollback(savepoint)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=checks, headers=headers)

        try:
            run()
        except Unsatisfiable:
            continue  # nothing in this operation's parameters can be made invalid
        # Every operation runs and every failure is reported (schemathesis raises a
        # BaseExceptionGroup when one request fails several checks).
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label} [{what}]: {exc}")
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_api_keeps_its_schema_and_scope_when_fuzzed_as_each_role(role, api_schema, fuzz_world):
    headers = _headers(fuzz_world, role)
    checks = _checks(role)
    statuses: Counter = Counter()
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    with connections_kept_open():
        for operation in operations:
            failures += _fuzz(
                operation,
                headers=headers,
                checks=checks,
                samples=_path_samples(fuzz_world, operation),
                statuses=statuses,
            )
    assert not failures, f"{len(failures)} failing run(s) as {role}:\n\n" + "\n\n".join(failures)
    # A run that sent nothing, or reached no handler, would prove nothing.
    assert sum(statuses.values()) >= 2 * len(operations), statuses
    if role != "anonymous":
        assert any(200 <= s < 300 for s in statuses), f"no success at all as {role}: {statuses}"
