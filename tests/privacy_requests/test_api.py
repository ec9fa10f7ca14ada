"""The privacy-request API, a fixed interface: submitting as a guardian, reading as the
requester and as the staff who handle it, starting the access package and releasing it, and
downloading what was released."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from audit.constants import Action, Outcome
from audit.models import AccessEvent
from privacy_requests import services
from privacy_requests.models import AccessPackage, PrivacyRequest

LIST = "api:privacy-request-list"
PACKAGE_KEYS = {
    "student",
    "guardians",
    "groups",
    "progress",
    "care_records",
    "religion",
    "consents",
    "disclosures",
    "access_log",
    "changes",
    "purposes",
    "categories",
    "recipients",
    "retention",
    "rights",
    "complaint",
    "sources",
}


def _as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _submit(client: APIClient, student, **fields):
    body = {"student": student.pk, "kind": "access", "description": "Welke gegevens?", **fields}
    return client.post(reverse(LIST), body, format="json")


def _detail(request_id) -> str:
    return reverse("api:privacy-request-detail", args=[request_id])


def _package(request_id) -> str:
    return reverse("api:privacy-request-package", args=[request_id])


def _release(request_id) -> str:
    return reverse("api:privacy-request-release", args=[request_id])


def _denied_event(user) -> bool:
    return AccessEvent.objects.filter(actor_id=user.pk, outcome=Outcome.DENIED).exists()


# --- Submitting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "due"),
    [
        ("2027-03-15", "2027-04-15"),
        ("2027-01-31", "2027-02-28"),  # no 31 February: the last day of the month
        ("2028-01-31", "2028-02-29"),  # leap year
        ("2027-12-20", "2028-01-20"),
    ],
)
def test_request_is_received_and_due_one_month_later_when_guardian_with_authority_submits(
    world, today, due
):
    parent = world.users["guardian"]
    with freeze_time(f"{today} 10:00:00+01:00"):
        response = _submit(_as(parent), world.pupil3, description="Graag inzage in alles.")

    assert response.status_code == 201, response.content
    body = response.json()
    assert isinstance(body["id"], int)
    assert body["status"] == "received"
    assert body["kind"] == "access"
    assert body["received_on"] == today
    assert body["due_date"] == due
    assert body["student"]["id"] == world.pupil3.pk
    assert [step["step"] for step in body["timeline"]] == ["received"]
    saved = PrivacyRequest.objects.get(pk=body["id"])
    assert saved.student_id == world.pupil3.pk
    assert saved.guardian_id == parent.guardian.pk
    assert saved.school_id == world.school.pk
    assert saved.channel == "portal"
    assert saved.due_date == datetime.date.fromisoformat(due)


def test_submission_right_before_midnight_counts_from_the_dutch_date(world):
    # 23:30 UTC on 30 April is already 1 May in Amsterdam.
    with freeze_time("2027-04-30 23:30:00+00:00"):
        response = _submit(_as(world.users["guardian"]), world.pupil3)

    assert response.status_code == 201, response.content
    assert response.json()["received_on"] == "2027-05-01"
    assert response.json()["due_date"] == "2027-06-01"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"kind": "complaint"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"kind": "correction"}, "correction_field"),
        ({"kind": "correction", "correction_field": "shoe_size"}, "correction_field"),
        (
            {"kind": "correction", "correction_field": "postal_code", "correction_value": "AB 1"},
            "correction_value",
        ),
        (
            {
                "kind": "correction",
                "correction_field": "postal_code",
                "correction_value": "12345 AB",
            },
            "correction_value",
        ),
        ({"kind": "access", "correction_field": "surname"}, "correction_field"),
        ({"student": "Tim"}, "student"),
    ],
)
def test_submission_is_refused_with_a_message_per_field_when_input_is_invalid(world, fields, field):
    client = _as(world.users["guardian"])
    body = {"student": world.pupil3.pk, "kind": "access", "description": "Welke gegevens?"}
    body.update(fields)

    response = client.post(reverse(LIST), body, format="json")

    assert response.status_code == 400, response.content
    messages = response.json()[field]
    assert messages, f"no message for {field}"
    assert all(isinstance(m, str) and m.strip() for m in messages)
    assert not PrivacyRequest.objects.exists()


def test_correction_with_a_valid_postal_code_is_received(world):
    response = _submit(
        _as(world.users["guardian"]),
        world.pupil3,
        kind="correction",
        correction_field="postal_code",
        correction_value="1012 ab",
        description="We zijn verhuisd.",
    )

    assert response.status_code == 201, response.content
    assert response.json()["correction_field"] == "postal_code"
    assert response.json()["status"] == "received"


@pytest.mark.parametrize("role", ["guardian_limited", "director", "administration", "teacher"])
def test_submission_is_forbidden_when_caller_may_not_submit_for_the_child(world, role):
    """A guardian without parental authority asks the school instead; staff do not submit
    online (they register a paper request)."""
    user = world.users[role]

    response = _submit(_as(user), world.pupil3)

    assert response.status_code == 403, response.content
    assert not PrivacyRequest.objects.exists()
    assert _denied_event(user)


def test_submission_is_not_found_when_child_is_of_another_family(world):
    user = world.users["guardian"]
    client = _as(user)

    answers = [
        _submit(client, world.pupil5),  # same school, another family
        _submit(client, world.other_pupil),  # another school of the board
        client.post(
            reverse(LIST),
            {"student": 99_999_999, "kind": "access", "description": "x"},
            format="json",
        ),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert answers[0].json() == answers[2].json()  # "not yours" looks like "missing"
    assert not PrivacyRequest.objects.exists()
    assert AccessEvent.objects.filter(actor_id=user.pk, outcome=Outcome.DENIED).count() >= 3


def test_submission_needs_a_login(world):
    response = _submit(APIClient(), world.pupil3)

    assert response.status_code == 401
    assert not PrivacyRequest.objects.exists()


# --- Reading -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees", "does_not_see"),
    [
        ("guardian", {"access", "built", "released"}, {"other", "foreign"}),
        ("director", {"access", "built", "released"}, {"other", "foreign"}),
        ("administration", {"access", "built", "released"}, {"other", "foreign"}),
        # The care coordinator reviews packages: only access requests whose package is there.
        ("care_coordinator", {"built", "released"}, {"access", "other", "foreign"}),
        # The privacy officer oversees the board (both its schools), not another board.
        ("privacy_officer", {"access", "built", "released", "other"}, {"foreign"}),
    ],
)
def test_list_holds_exactly_the_requests_in_scope_when_role_reads_it(
    request_world, role, sees, does_not_see
):
    requests = request_world.requests
    ids = {key: requests[key].pk for key in sees | does_not_see}

    response = _as(request_world.users[role]).get(reverse(LIST), {"page_size": 100})

    assert response.status_code == 200, response.content
    body = response.json()
    got = {row["id"] for row in body["results"]}
    assert got == {ids[key] for key in sees}
    assert body["count"] == len(sees)
    row = next(r for r in body["results"] if r["id"] == ids[min(sees)])
    assert {"id", "student", "school", "kind", "status", "due_date", "package"} <= set(row)


def test_list_is_forbidden_when_role_has_nothing_to_do_with_requests(world):
    user = world.users["teacher"]

    response = _as(user).get(reverse(LIST))

    assert response.status_code == 403
    assert _denied_event(user)


def test_list_filters_by_status_and_rejects_unknown_filters(request_world):
    requests = request_world.requests
    made = {key: requests[key] for key in ("access", "built", "released", "other")}
    client = _as(request_world.users["director"])
    wanted = {made["access"].pk, made["built"].pk}

    open_ = client.get(reverse(LIST), {"status": "open"})
    completed = client.get(reverse(LIST), {"status": "completed"})
    unknown = client.get(reverse(LIST), {"status": "lost"})

    assert {r["id"] for r in open_.json()["results"]} == wanted
    assert {r["id"] for r in completed.json()["results"]} == {made["released"].pk}
    assert unknown.status_code == 400
    assert unknown.json()["status"]


def test_requester_reads_the_request_with_the_steps_meant_for_them(request_world):
    built = request_world.requests["built"]

    parent = _as(request_world.users["guardian"]).get(_detail(built.pk))
    director = _as(request_world.users["director"]).get(_detail(built.pk))

    assert parent.status_code == director.status_code == 200
    assert parent.json()["id"] == built.pk
    assert parent.json()["status"] == "in_progress"
    # Internal steps (the job started, the package built) stay with the school.
    assert [s["step"] for s in parent.json()["timeline"]] == ["received"]
    assert [s["step"] for s in director.json()["timeline"]] == [
        "received",
        "package_started",
        "package_built",
    ]
    # Built is not released: nobody has a link yet.
    for body in (parent.json(), director.json()):
        assert body["package"]["status"] == "built"
        assert "pdf_url" not in body["package"]
        assert "json_url" not in body["package"]


@pytest.mark.parametrize("role", ["guardian", "director", "administration", "care_coordinator"])
def test_request_of_another_family_or_school_is_not_found(request_world, role):
    user = request_world.users[role]
    other = request_world.requests["other"]

    response = _as(user).get(_detail(other.pk))
    missing = _as(user).get(_detail(99_999_999))

    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()
    assert _denied_event(user)


def test_request_is_not_found_for_a_guardian_without_authority(request_world):
    user = request_world.users["guardian_limited"]

    response = _as(user).get(_detail(request_world.requests["access"].pk))

    assert response.status_code == 404
    assert _denied_event(user)


def test_care_coordinator_does_not_see_a_request_before_its_package_is_built(request_world):
    user = request_world.users["care_coordinator"]

    response = _as(user).get(_detail(request_world.requests["access"].pk))

    assert response.status_code == 404


# --- The access package --------------------------------------------------------------------


def test_administration_starts_the_package_and_the_job_builds_it(
    request_world, django_capture_on_commit_callbacks
):
    access = request_world.requests["access"]
    client = _as(request_world.users["administration"])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(_package(access.pk))

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "in_progress"
    assert body["package"]["status"] == "building"
    assert callbacks, "the job was not queued after the commit"
    built = client.get(_detail(access.pk)).json()
    assert built["package"]["status"] == "built"
    assert built["package"]["progress"] == 100
    assert built["package"]["sections"]
    assert "pdf_url" not in built["package"]  # not released yet
    # Starting again is harmless: the same package, not a second one.
    again = client.post(_package(access.pk))
    assert again.status_code == 202
    assert again.json()["package"]["status"] == "built"
    assert AccessPackage.objects.filter(request=access).count() == 1


def test_package_is_refused_for_a_request_that_is_not_an_access_request(world):
    created = _submit(
        _as(world.users["guardian"]),
        world.pupil3,
        kind="erasure",
        description="Wis de godsdienst.",
    ).json()

    response = _as(world.users["administration"]).post(_package(created["id"]))

    assert response.status_code == 409, response.content
    assert response.json()["detail"]
    assert not AccessPackage.objects.exists()


@pytest.mark.parametrize("role", ["guardian", "care_coordinator", "privacy_officer", "teacher"])
def test_package_start_is_forbidden_when_role_does_not_handle_requests(request_world, role):
    access = request_world.requests["access"]
    user = request_world.users[role]

    response = _as(user).post(_package(access.pk))

    assert response.status_code == 403
    assert not AccessPackage.objects.filter(request=access).exists()
    assert _denied_event(user)


def test_director_releases_the_built_package_and_the_request_is_completed(request_world):
    built = request_world.requests["built"]

    response = _as(request_world.users["director"]).post(_release(built.pk))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "completed"
    assert body["outcome"]
    assert body["package"]["status"] == "released"
    expires = datetime.datetime.fromisoformat(body["package"]["expires_at"])
    assert expires > timezone.now() + datetime.timedelta(days=7)
    for key in ("pdf_url", "json_url"):
        url = body["package"][key]
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
    # The release is on the disclosure register, under the access basis.
    package = AccessPackage.objects.get(request=built)
    assert package.disclosure_id is not None


def test_links_from_the_release_answer_download_for_the_guardian_only(request_world):
    """The fixed interface: the links are relative, expire and need the requester's own
    login; anyone else (another family's guardian, the director who released) gets 404."""
    built = request_world.requests["built"]
    released = _as(request_world.users["director"]).post(_release(built.pk)).json()
    urls = [released["package"]["pdf_url"], released["package"]["json_url"]]

    parent = _as(request_world.users["guardian"])
    assert [parent.get(url).status_code for url in urls] == [200, 200]
    for outsider in (request_world.requests["other_parent"], request_world.users["director"]):
        client = _as(outsider)
        assert [client.get(url).status_code for url in urls] == [404, 404]


def test_guardian_downloads_the_released_package_as_pdf_and_json(request_world):
    released = request_world.requests["released"]
    parent = _as(request_world.users["guardian"])

    package = parent.get(_detail(released.pk)).json()["package"]
    pdf = parent.get(package["pdf_url"])
    data = parent.get(package["json_url"])

    assert package["status"] == "released"
    assert pdf.status_code == data.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert pdf["Cache-Control"] == "no-store"
    text = b"".join(data.streaming_content).decode()
    content = json.loads(text)
    assert set(content) == PACKAGE_KEYS
    assert content["student"]["id"] == request_world.pupil3.pk
    # Care data goes to the guardians with authority, except what the director withheld.
    assert "Dyslexie" in text
    assert "Meldcode" not in text
    # Each download is on the record; the package carries care data, so it is a
    # special-category read of that pupil.
    downloads = AccessEvent.objects.filter(
        actor_id=request_world.users["guardian"].pk,
        object_type="access_package",
        action=Action.EXPORT,
        outcome=Outcome.ALLOWED,
    )
    assert downloads.count() == 2
    assert all(e.special_category and e.student_id == request_world.pupil3.pk for e in downloads)


def test_guardians_links_are_not_found_for_anyone_else(request_world):
    released = request_world.requests["released"]
    package = _as(request_world.users["guardian"]).get(_detail(released.pk)).json()["package"]
    urls = [package["pdf_url"], package["json_url"]]

    for role_or_user in ("director", "care_coordinator", "guardian_limited", "other_parent"):
        user = (
            request_world.requests["other_parent"]
            if role_or_user == "other_parent"
            else request_world.users[role_or_user]
        )
        client = _as(user)
        assert [client.get(url).status_code for url in urls] == [404, 404], role_or_user
        assert _denied_event(user)
    assert APIClient().get(urls[0]).status_code == 302  # a page: to the login


def test_guardians_links_stop_working_when_they_expire(request_world):
    released = request_world.requests["released"]
    parent = _as(request_world.users["guardian"])
    url = parent.get(_detail(released.pk)).json()["package"]["pdf_url"]

    with freeze_time(timezone.now() + datetime.timedelta(days=15)):
        parent = _as(request_world.users["guardian"])  # a fresh login: sessions time out
        late = parent.get(url)
        package = parent.get(_detail(released.pk)).json()["package"]

    assert late.status_code == 404
    assert "pdf_url" not in package


@pytest.mark.parametrize("role", ["administration", "teacher", "privacy_officer", "guardian"])
def test_release_is_forbidden_when_role_does_not_release_packages(request_world, role):
    built = request_world.requests["built"]
    user = request_world.users[role]

    response = _as(user).post(_release(built.pk))

    assert response.status_code == 403
    assert AccessPackage.objects.get(request=built).status == "built"
    assert _denied_event(user)


def test_release_is_a_conflict_when_nothing_is_built_yet(request_world):
    access = request_world.requests["access"]
    director = _as(request_world.users["director"])

    without_package = director.post(_release(access.pk))
    services.package_start(user=request_world.users["administration"], request=access)
    while_building = director.post(_release(access.pk))

    assert without_package.status_code == 409, without_package.content
    assert while_building.status_code == 409, while_building.content
    assert while_building.json()["detail"]
    package = AccessPackage.objects.get(request=access)
    assert package.status == "queued"
    assert package.released_at is None
    assert PrivacyRequest.objects.get(pk=access.pk).status == "in_progress"


def test_release_twice_is_a_conflict(request_world):
    built = request_world.requests["built"]
    director = _as(request_world.users["director"])

    first = director.post(_release(built.pk))
    second = director.post(_release(built.pk))

    assert first.status_code == 200
    assert second.status_code == 409
    assert AccessPackage.objects.get(request=built).disclosure_id is not None


def test_care_coordinator_releases_a_package_of_their_school(request_world):
    built = request_world.requests["built"]

    response = _as(request_world.users["care_coordinator"]).post(_release(built.pk))

    assert response.status_code == 200, response.content
    assert response.json()["package"]["status"] == "released"


# --- Query counts --------------------------------------------------------------------------


def _add_requests(world, first: int, count: int) -> None:
    """Requests of the guardian for their child, every other one with its package started."""
    parent = world.users["guardian"]
    for number in range(first, first + count):
        created = services.request_submit(
            user=parent,
            student=world.pupil3,
            guardian=parent.guardian,
            kind="access",
            description=f"Verzoek {number}",
        )
        if number % 2:
            services.package_start(user=world.users["administration"], request=created)


def _list_queries(client, django_assert_max_num_queries) -> tuple[int, int]:
    with (
        django_assert_max_num_queries(15),
        CaptureQueriesContext(connection) as ctx,
    ):
        response = client.get(reverse(LIST), {"page_size": 50})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["count"]


@pytest.mark.parametrize("role", ["guardian", "director", "administration", "privacy_officer"])
def test_list_queries_do_not_grow_with_requests(world, role, django_assert_max_num_queries):
    client = _as(world.users[role])
    _add_requests(world, 0, 1)
    one, count_one = _list_queries(client, django_assert_max_num_queries)
    _add_requests(world, 1, 29)
    thirty, count_thirty = _list_queries(client, django_assert_max_num_queries)

    assert (count_one, count_thirty) == (1, 30)
    assert one == thirty, f"{role}: {one} queries for 1 request, {thirty} for 30"


def test_a_tampered_link_is_not_found_and_on_the_record(request_world):
    released = request_world.requests["released"]
    user = request_world.users["guardian"]
    parent = _as(user)
    url = parent.get(_detail(released.pk)).json()["package"]["pdf_url"]
    tampered = url.replace("/pdf/", "/json/")  # a link for one format does not open the other

    response = parent.get(tampered)

    assert response.status_code == 404
    assert AccessEvent.objects.filter(
        request_id=response["X-Request-ID"], actor_id=user.pk, outcome=Outcome.DENIED
    ).exists(), "the refused download left no access event"
