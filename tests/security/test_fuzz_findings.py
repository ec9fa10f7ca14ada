"""What the API fuzzing found, pinned down with requests like the ones that found it. The NUL
bytes failed on PostgreSQL only (it cannot store them in text); CI runs these there too."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from audit.constants import Outcome
from audit.models import AccessEvent


def _as(api, world, role: str):
    api.force_authenticate(user=world.users[role])
    return api


@pytest.mark.parametrize(
    ("url", "recorded"),
    [
        ("/api/v1/students/%00/", "path"),
        ("/api/v1/students/1%00/care-records/", "path"),
        ("/api/v1/groups/%00/", "path"),
        ("/api/v1/consent/dashboard/?school=%00", "object_id"),
        ("/api/v1/retention/preview/?school=%00x", "object_id"),
    ],
)
def test_an_id_with_a_nul_byte_is_a_recorded_404_when_it_names_nothing(world, api, url, recorded):
    response = _as(api, world, "director").get(url)

    assert response.status_code == 404
    event = AccessEvent.objects.filter(outcome=Outcome.DENIED).latest("id")
    assert "\ufffd" in getattr(event, recorded)


def test_pupil_search_with_a_nul_byte_is_a_400_when_listing(world, api):
    client = _as(api, world, "director")

    assert client.get("/api/v1/students/", {"search": "Tim"}).status_code == 200
    response = client.get("/api/v1/students/", {"search": "Ti\x00m"})
    assert response.status_code == 400
    assert set(response.json()) == {"search"}


def test_audit_filter_takes_the_first_and_the_last_day_there_is_when_listing(world, api):
    client = _as(api, world, "director")
    everything = client.get("/api/v1/audit-events/").json()["count"]

    response = client.get("/api/v1/audit-events/", {"since": "0001-01-01", "until": "9999-12-31"})

    assert response.status_code == 200
    # The listing itself is an event, so the second look sees at least as many.
    assert response.json()["count"] >= everything > 0


def test_breach_before_2000_is_refused_and_one_from_2000_recorded(world, api):
    client = _as(api, world, "privacy_officer")

    def record(moment):
        body = {"occurred_at": moment, "aware_at": moment, "description": "Oude back-up gevonden"}
        return client.post("/api/v1/breaches/", body, format="json")

    refused = record("0008-01-01T08:00:00Z")
    assert refused.status_code == 400
    assert set(refused.json()) == {"detail"}
    recorded = record("2000-01-01T00:00:00Z")
    assert recorded.status_code == 201
    assert recorded.json()["occurred_at"].startswith("2000-01-01T01:00:00+01:00")


def _resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/students/",
        "/api/v1/groups/",
        "/api/v1/schools/",
        "/api/v1/audit-events/",
        "/api/v1/disclosures/",
        "/api/v1/privacy-requests/",
        "/api/v1/breaches/",
    ],
)
def test_list_is_documented_as_the_page_it_answers(path):
    document = SchemaGenerator().get_schema(request=None, public=True)
    operation = document["paths"][path]["get"]

    schema = _resolve(document, operation["responses"]["200"]["content"]["application/json"])
    schema = _resolve(document, schema["schema"])
    assert {"count", "next", "previous", "results"} <= set(schema["properties"])
    assert schema["properties"]["results"]["type"] == "array"
    assert {"page", "page_size"} <= {p["name"] for p in operation["parameters"]}


def test_pupil_detail_documents_guardians_as_optional():
    document = SchemaGenerator().get_schema(request=None, public=True)
    detail = document["components"]["schemas"]["StudentDetail"]

    assert "guardians" in detail["properties"]
    assert not {"guardians", "bsn", "address"} & set(detail["required"])
