"""The parents' refusal letter behind the follow link (admissions.views.public): the formal
decision, for a refused application only, never cached, every download on the record."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from admissions.follow import follow_path, follow_token
from audit.constants import Action
from audit.models import AccessEvent

from .factories_decisions import ApplicationFactory


def _letter_url(application) -> str:
    return reverse("application-follow-letter", kwargs={"token": follow_token(application)})


def test_parents_download_the_refusal_letter_with_their_follow_link(world):
    application = ApplicationFactory.create(school=world.school, refused=True)
    client = Client()

    page = client.get(follow_path(application)).content.decode()
    link = re.search(r'href="(/admissions/follow/[^"]+/refusal-letter/)"', page)
    assert link, "the follow page links the letter"

    response = client.get(link[1])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "no-store" in response["Cache-Control"]
    assert application.reference in response["Content-Disposition"]
    event = AccessEvent.objects.get(object_type="application_letter")
    assert event.actor_id is None
    assert (event.action, event.object_id) == (Action.EXPORT, str(application.pk))
    assert event.school_id == world.school.pk


@pytest.mark.parametrize("traits", [{}, {"extended": True}])
def test_an_open_application_has_no_letter_for_the_parents(world, traits):
    application = ApplicationFactory.create(school=world.school, **traits)

    assert Client().get(_letter_url(application)).status_code == 404
    assert "/refusal-letter/" not in Client().get(follow_path(application)).content.decode()
    assert not AccessEvent.objects.filter(object_type="application_letter").exists()


def test_a_tampered_or_stale_link_opens_no_letter(world):
    application = ApplicationFactory.create(school=world.school, refused=True)
    url = _letter_url(application)
    client = Client()

    assert client.get(url.replace("/refusal-letter/", "x/refusal-letter/")).status_code == 404
    application.email = "nieuw@t.example"
    application.save(update_fields=["email"])
    assert client.get(url).status_code == 404
