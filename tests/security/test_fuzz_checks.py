"""The custom checks of the API fuzzing fail when they should, so the fuzzing cannot pass because
a check never bites: on made-up answers, directly and through schemathesis' own validation."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error

from .fuzz import (
    anonymous_gets_no_data,
    documented_response_matches_schema,
    success_status_is_documented,
    token_is_accepted,
)

STUDENTS = "/api/v1/students/"
PAGE = {
    "count": 1,
    "next": None,
    "previous": None,
    "results": [
        {
            "id": 7,
            "first_name": "Tim",
            "last_name": "de Vries",
            "group": {"id": 1, "name": "Groep 3"},
            "school": {"id": 1, "name": "OBS Samen Een"},
        }
    ],
}


def _response(status: int, body, *, path: str = STUDENTS, method: str = "GET"):
    if isinstance(body, bytes):
        content, content_type = body, "text/html; charset=utf-8"
    else:
        content, content_type = json.dumps(body).encode(), "application/json"
    return schemathesis.Response(
        status_code=status,
        headers={"content-type": [content_type]},
        content=content,
        request=requests.Request(method, f"http://localhost{path}").prepare(),
        elapsed=0.01,
        verify=False,
    )


def _case(label: str = f"GET {STUDENTS}"):
    return SimpleNamespace(operation=SimpleNamespace(label=label))


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, PAGE),  # data
        (200, {}),  # a success, even an empty one
        (204, b""),
        (302, b""),  # a redirect to a login page is not a refusal of the API
        (400, {"search": ["Too long."]}),  # validated before the login was asked for
        (401, {"detail": "Authentication credentials were not provided.", "results": []}),
        (403, b"<html><body>Tim de Vries</body></html>"),  # not JSON: cannot tell it is empty
        (404, ["Tim de Vries"]),
        (500, {"detail": "Server error"}),
    ],
)
def test_anonymous_check_fails_when_a_protected_operation_answers_more_than_a_refusal(status, body):
    with pytest.raises(AssertionError):
        anonymous_gets_no_data(None, _response(status, body), _case())


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"detail": "Authentication credentials were not provided."}),
        (403, {"detail": "You do not have permission to do this."}),
        (404, {"detail": "Not found."}),
        (405, {"detail": 'Method "PUT" not allowed.'}),
        (429, {"detail": "Too many requests."}),
        (401, b""),
    ],
)
def test_anonymous_check_passes_when_a_protected_operation_refuses_with_a_detail_only(status, body):
    anonymous_gets_no_data(None, _response(status, body), _case())


def test_anonymous_check_leaves_the_open_login_alone_when_it_answers_a_token():
    response = _response(200, {"token": "abc"}, path="/api/v1/auth/token/", method="POST")
    anonymous_gets_no_data(None, response, _case("POST /api/v1/auth/token/"))
    with pytest.raises(AssertionError):  # the same answer from a protected operation
        anonymous_gets_no_data(None, response, _case())


def test_token_check_fails_when_a_valid_token_is_answered_401():
    with pytest.raises(AssertionError):
        token_is_accepted(None, _response(401, {"detail": "Invalid token."}), _case())
    token_is_accepted(None, _response(403, {"detail": "No."}), _case())


def test_schemathesis_reports_the_anonymous_check_when_a_response_carries_data(api_schema):
    """Through the same call the fuzzing makes: case.validate_response with the checks."""
    operation = api_schema[STUDENTS]["GET"]
    case = api_schema.make_case(operation=operation)
    # The page matches the schema, so only the anonymous check can object to it.
    documented_response_matches_schema(None, _response(200, PAGE), case)
    with pytest.raises(BaseExceptionGroup, match="anonymous_gets_no_data"):
        case.validate_response(_response(200, PAGE), checks=[anonymous_gets_no_data])
    case.validate_response(
        _response(401, {"detail": "Authentication credentials were not provided."}),
        checks=[anonymous_gets_no_data],
    )


def test_schema_checks_fail_when_a_body_or_a_success_status_is_not_the_documented_one(
    api_schema,
):
    students = api_schema.make_case(operation=api_schema[STUDENTS]["GET"])
    with pytest.raises(BaseExceptionGroup):
        students.validate_response(
            _response(200, PAGE["results"]), checks=[documented_response_matches_schema]
        )
    progress = api_schema.make_case(
        operation=api_schema["/api/v1/students/{student_id}/progress/"]["POST"],
        path_parameters={"student_id": "1"},
    )
    with pytest.raises(BaseExceptionGroup, match="success_status_is_documented"):
        progress.validate_response(
            _response(200, {}, method="POST"), checks=[success_status_is_documented]
        )


@pytest.mark.parametrize(
    ("path", "method"), [("/api/v1/auth/token/", "POST"), ("/api/v1/exports/", "POST")]
)
def test_schema_checks_let_a_throttle_or_lockout_answer_when_it_is_a_429(api_schema, path, method):
    """Login and exports are throttled; a 429 is a valid answer whether the schema lists it
    (the login) or not."""
    case = api_schema.make_case(operation=api_schema[path][method])
    throttled = _response(429, {"detail": "Too many attempts."}, path=path, method=method)

    case.validate_response(
        throttled,
        checks=[
            not_a_server_error,
            documented_response_matches_schema,
            success_status_is_documented,
            anonymous_gets_no_data,
        ],
    )
