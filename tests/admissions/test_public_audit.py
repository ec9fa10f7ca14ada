"""How the audit trail describes an online application (admissions.audit_objects)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audit.models import AccessEvent
from audit_trail.readable import Reader
from students.audit_objects import describer_for, object_type_label

from .test_public import FIRST_NAMES, GIVEN_NAME, SURNAME, _apply


def _describe(world, role):
    events = list(AccessEvent.objects.filter(object_type="application"))
    reader = Reader.of(world.users[role], [world.school])
    with translation.override("en"):
        return events, describer_for("application")(reader, events)


@pytest.fixture
def applied(world):
    _apply(Client(), world.school)
    return world


def test_application_has_a_label_in_words(db):
    with translation.override("en"):
        assert object_type_label("application") == "Application for a place"


def test_director_of_the_school_gets_the_link_to_the_staff_page(applied):
    from admissions.models import Application

    application = Application.objects.get()
    events, described = _describe(applied, "director")

    for event in events:
        assert described[event.pk].url == reverse("application-detail", args=[application.pk])


@pytest.mark.parametrize("role", ["privacy_officer", "teacher"])
def test_readers_without_the_function_get_no_link_and_never_the_childs_name(applied, role):
    events, described = _describe(applied, role)

    for event in events:
        description = described[event.pk]
        assert description.url is None
        for name in (FIRST_NAMES, GIVEN_NAME, SURNAME):
            assert name not in description.label
