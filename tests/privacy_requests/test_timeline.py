"""Who acted, on every timeline: each entry names the kind of actor truthfully from
the viewer's side. Guardians read "you", "the other parent or guardian", "the school" or "the
system"; staff read the person's name with the kind. A co-guardian's download once showed to
the requester as done by the school."""

import pytest
from django.conf import settings
from django.urls import reverse

from privacy_requests.constants import ActorKind, Step
from privacy_requests.models import RequestStep
from privacy_requests.views import download_url
from tests.students.factories import make_guardian_user


@pytest.fixture
def downloaded(request_world, client):
    """The released access request of pupil3 (by ``guardian``), the package downloaded (PDF)
    by the other guardian with authority, who has an account of their own."""
    world = request_world
    request = world.requests["released"]
    co_guardian = make_guardian_user(world.pupil3, email="parent2@t.example")
    client.force_login(co_guardian)
    url = download_url(request.package, co_guardian, "pdf")
    assert client.get(url).status_code == 200
    client.logout()
    return world, request, co_guardian


def _entries(api, user, request) -> dict[str, dict]:
    api.force_login(user)
    response = api.get(reverse("api:privacy-request-detail", args=[request.pk]))
    assert response.status_code == 200
    return {entry["step"]: entry for entry in response.json()["timeline"]}


def _timeline_html(client, user, request) -> str:
    client.force_login(user)
    response = client.get(reverse("request-detail", args=[request.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('id="timeline-heading"') :]


def test_requester_reads_the_other_guardian_when_the_co_guardian_downloaded_the_package(
    downloaded, api, client
):
    world, request, co_guardian = downloaded
    requester = world.users["guardian"]

    mine = _entries(api, requester, request)
    theirs = _entries(api, co_guardian, request)

    assert mine[Step.PACKAGE_DOWNLOADED]["by_kind"] == "other_guardian"
    assert mine[Step.RECEIVED]["by_kind"] == "you"
    assert mine[Step.PACKAGE_RELEASED]["by_kind"] == "school"
    assert theirs[Step.PACKAGE_DOWNLOADED]["by_kind"] == "you"
    assert theirs[Step.RECEIVED]["by_kind"] == "other_guardian"
    # Guardians never read staff names on the timeline.
    assert str(world.users["director"]) not in mine[Step.PACKAGE_RELEASED]["by"]
    html = _timeline_html(client, requester, request)
    assert "de andere ouder/verzorger" in html  # Dutch, the default language


def test_staff_read_the_name_and_the_kind_and_the_system_for_a_job_step(downloaded, api):
    world, request, co_guardian = downloaded

    steps = _entries(api, world.users["director"], request)

    assert steps[Step.PACKAGE_DOWNLOADED]["by_kind"] == "guardian"
    assert str(co_guardian) in steps[Step.PACKAGE_DOWNLOADED]["by"]
    assert steps[Step.PACKAGE_RELEASED]["by_kind"] == "school"
    assert str(world.users["director"]) in steps[Step.PACKAGE_RELEASED]["by"]
    # The package was built by the background job.
    assert steps[Step.PACKAGE_BUILT]["by_kind"] == "system"
    assert RequestStep.objects.get(request=request, step=Step.PACKAGE_BUILT).actor_kind == (
        ActorKind.SYSTEM
    )


def test_guardian_reads_the_school_when_the_school_registered_a_letter(request_world, api):
    from django.utils import timezone

    from privacy_requests.services import request_register

    world = request_world
    parent = world.users["guardian"]
    request = request_register(
        user=world.users["administration"],
        student=world.pupil3,
        guardian=parent.guardian,
        identity_check="id_document",
        received_on=timezone.localdate(),
        kind="access",
        description="Brief van de ouder: inzage.",
    )

    steps = _entries(api, parent, request)

    assert steps[Step.RECEIVED]["by_kind"] == "school"


def test_guardian_reads_the_system_when_a_job_took_a_step_shown_to_them(request_world, api):
    world = request_world
    request = world.requests["access"]
    RequestStep.objects.create(
        request=request, step=Step.NOTE, actor=None, actor_kind=ActorKind.SYSTEM
    )

    steps = _entries(api, world.users["guardian"], request)

    assert steps[Step.NOTE]["by_kind"] == "system"


def test_consent_history_reads_you_and_the_other_parent_on_a_guardians_page(world, client):
    """The consent history is a timeline too: on a guardian's page each decision says whose
    it was in words; staff read the guardian's name."""
    co_guardian = make_guardian_user(world.pupil3, email="parent2@t.example")
    name = co_guardian.guardian.display_name
    client.force_login(co_guardian)
    website = world.school.purposes.get(code="website")
    response = client.post(
        reverse("child-consent", args=[world.pupil3.pk]),
        {"purpose": website.pk, "decision": "refused"},
    )
    assert response.status_code == 302

    pages = {}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the words checked below are English
    for key, user, route in [
        ("requester", world.users["guardian"], "child-consent"),
        ("co_guardian", co_guardian, "child-consent"),
        ("director", world.users["director"], "student-consent"),
    ]:
        client.force_login(user)
        page = client.get(reverse(route, args=[world.pupil3.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        pages[key] = html[html.index('class="history"') :]

    assert "the other parent or guardian" in pages["requester"]
    assert name not in pages["requester"]
    assert ": you, " in pages["co_guardian"] and ": you, " in pages["requester"]
    assert "the other parent or guardian" in pages["co_guardian"]  # the first parent's grant
    assert name not in pages["co_guardian"]
    assert name in pages["director"]
