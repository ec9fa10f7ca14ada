"""The consent dashboard and the guardian's consent list do a constant number of queries: the
same for one pupil or decision as for fifty pupils or thirty decisions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.constants import Role
from consent.constants import Channel, Decision
from consent.models import ConsentDecision, ConsentPurpose, Takedown
from consent.services import consent_record, publication_create, publication_publish, purposes_seed
from students.models import Student

from ..students.factories import (
    GroupFactory,
    GuardianFactory,
    SchoolFactory,
    StudentFactory,
    link_guardian,
    make_staff,
)


def _queries(http, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


class SchoolWithConsents:
    """One school; each pupil gets a guardian and several decisions, some a published item
    and a withdrawal (so the dashboard lists withdrawals and open takedowns)."""

    def __init__(self):
        self.school = SchoolFactory.create()
        purposes_seed(school=self.school)
        self.groups = [
            GroupFactory.create(school=self.school, year_group_low=4),
            GroupFactory.create(school=self.school, year_group_low=6),
        ]
        self.director = make_staff(Role.DIRECTOR, school=self.school)
        self.purposes = {p.code: p for p in ConsentPurpose.objects.filter(school=self.school)}
        self.count = 0

    def add_pupil(self, *, withdraw: bool) -> Student:
        pupil = StudentFactory.create(group=self.groups[self.count % 2])
        self.count += 1
        guardians = [GuardianFactory.create(), GuardianFactory.create()]
        for guardian in guardians:
            link_guardian(guardian, pupil)
        steps = [
            (guardians[0], "website", Decision.GRANTED),
            (guardians[1], "website", Decision.GRANTED),
            (guardians[0], "newsletter", Decision.GRANTED),
            (guardians[1], "social_media", Decision.REFUSED),
            (guardians[0], "school_guide", Decision.GRANTED),
        ]
        for guardian, code, decision in steps:
            self.decide(pupil, guardian, code, decision)
        if withdraw:
            publication = publication_create(
                user=self.director,
                school=self.school,
                title=f"Foto {pupil.pk}",
                purpose=self.purposes["website"],
                publish_on=timezone.localdate(),
                pupils=[pupil],
            )
            publication_publish(user=self.director, publication=publication, weighed=True)
            self.decide(pupil, guardians[1], "website", Decision.WITHDRAWN)
        return pupil

    def decide(self, pupil, guardian, code, decision):
        consent_record(
            student=pupil,
            purpose=self.purposes[code],
            guardian_id=guardian.pk,
            decision=decision,
            channel=Channel.PAPER,
            recorded_by=self.director,
        )


@pytest.mark.parametrize("route", ["api:consent-dashboard", "consent-dashboard"])
def test_dashboard_queries_do_not_grow_when_the_school_has_fifty_pupils(db, client, api, route):
    world = SchoolWithConsents()
    world.add_pupil(withdraw=True)
    http = api if route.startswith("api:") else client
    http.force_login(world.director)
    url = reverse(route)
    one = _queries(http, url)
    for index in range(49):
        world.add_pupil(withdraw=index % 7 == 0)
    assert Student.objects.filter(school=world.school).count() == 50
    assert ConsentDecision.objects.filter(student__school=world.school).count() > 250
    assert Takedown.objects.filter(publication__school=world.school).count() == 8
    fifty = _queries(http, url)
    assert one == fifty, f"{route}: {one} queries for 1 pupil, {fifty} for 50"
    assert fifty <= 25


def test_dashboard_counts_all_fifty_pupils_when_the_school_has_fifty_pupils(db, api):
    world = SchoolWithConsents()
    for index in range(50):
        world.add_pupil(withdraw=index % 7 == 0)
    api.force_login(world.director)
    response = api.get(reverse("api:consent-dashboard"))
    data = response.json()
    cells = [cell for group in data["groups"] for cell in group["purposes"]]
    website = [c for c in cells if c["code"] == "website"]
    assert sum(c["granted"] for c in website) == 50 - 8
    assert sum(c["refused"] for c in website) == 8
    assert data["open_takedowns"] == 8
    assert data["response_rate"] == 100.0


def test_guardian_consent_api_queries_do_not_grow_when_history_has_thirty_decisions(world, api):
    api.force_login(world.users["guardian"])
    url = reverse("api:student-consents", args=[world.pupil3.pk])
    assert ConsentDecision.objects.filter(student=world.pupil3).count() == 1
    one = _queries(api, url)
    second = GuardianFactory.create()
    link_guardian(second, world.pupil3)
    guardians = [world.users["guardian"].guardian, second]
    purposes = list(
        ConsentPurpose.objects.filter(school=world.school).select_related("current_version")
    )
    decisions = [Decision.REFUSED, Decision.GRANTED, Decision.WITHDRAWN]
    for index in range(29):
        consent_record(
            student=world.pupil3,
            purpose=purposes[index % len(purposes)],
            guardian_id=guardians[index % 2].pk,
            decision=decisions[index % 3],
            channel=Channel.PORTAL,
            recorded_by=world.users["guardian"],
        )
    assert ConsentDecision.objects.filter(student=world.pupil3).count() == 30
    thirty = _queries(api, url)
    items = api.get(url).json()
    assert sum(len(item["history"]) for item in items) == 30
    assert one == thirty, f"{one} queries with 1 decision, {thirty} with 30"
    assert thirty <= 20
