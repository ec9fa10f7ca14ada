"""The breach register's "every pupil an account viewed" action never tells whether
an email address has an account, also not to staff: an unknown address and an account that
opened nothing get the same answer (status, message, page, the same queries). And the breach
timeline names the kind of actor with each name."""

from __future__ import annotations

import datetime

from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registers.constants import ActorKind
from registers.models import BreachPupil, BreachStep

HOUR = datetime.timedelta(hours=1)


def _post(client, breach, email):
    now = timezone.localtime()
    form = {
        "account": email,
        "since": (now - 2 * HOUR).strftime("%Y-%m-%dT%H:%M"),
        "until": (now + 2 * HOUR).strftime("%Y-%m-%dT%H:%M"),
    }
    url = reverse("breach-action", args=[breach.pk, "pupils-account"])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, form)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    return response, messages, len(queries)


def test_same_answer_when_the_address_has_no_account_or_an_account_that_opened_nothing(
    breach_world,
):
    world = breach_world
    breach = world.breaches["school"]
    officer = world.users["privacy_officer"]
    known = world.users["care_coordinator"].email  # an account that opened nothing here
    unknown = "nobody-here@t.example"
    answers = []
    for email in (known, unknown):
        client = Client()
        client.force_login(officer)
        _post(client, breach, "warm-up@t.example")  # the same state of caches for both runs
        answers.append(_post(client, breach, email))

    (known_response, known_messages, known_queries) = answers[0]
    (unknown_response, unknown_messages, unknown_queries) = answers[1]
    assert known_response.status_code == unknown_response.status_code == 302
    assert known_response["Location"] == unknown_response["Location"]
    assert known_messages == unknown_messages
    assert known_queries == unknown_queries
    assert not BreachPupil.objects.filter(breach=breach).exists()
    summaries = list(
        BreachStep.objects.filter(breach=breach).order_by("id").values_list("summary", flat=True)
    )
    assert summaries[-1] == summaries[-3]  # the known address's step reads like the unknown's


def test_pupils_are_added_when_the_account_opened_them_in_the_period(breach_world):
    world = breach_world
    breach = world.breaches["school"]
    teacher = world.users["teacher"]
    viewer = Client()
    viewer.force_login(teacher)
    assert viewer.get(reverse("student-detail", args=[world.pupil3.pk])).status_code == 200
    client = Client()
    client.force_login(world.users["privacy_officer"])

    response, _messages, _queries = _post(client, breach, f"  {teacher.email.upper()} ")

    assert response.status_code == 302
    assert list(BreachPupil.objects.filter(breach=breach).values_list("student_id", flat=True)) == [
        world.pupil3.pk
    ]


def test_timeline_names_the_kind_with_each_actor(breach_world, client):
    world = breach_world
    breach = world.breaches["school"]
    client.force_login(world.users["privacy_officer"])
    response = client.post(
        reverse("breach-action", args=[breach.pk, "pupils-account"]),
        {"account": "x@t.example", "since": "2026-01-01T09:00", "until": "2026-01-01T10:00"},
    )
    assert response.status_code == 302

    kinds = list(
        BreachStep.objects.filter(breach=breach)
        .order_by("id")
        .values_list("actor_id", "actor_kind")
    )
    page = client.get(reverse("breach-detail", args=[breach.pk])).content.decode()

    assert kinds[-1] == (world.users["privacy_officer"].pk, ActorKind.BOARD)
    timeline = page[page.index('id="timeline-heading"') :]
    assert f"{world.users['privacy_officer']} (school board)" in timeline or (
        f"{world.users['privacy_officer']} (schoolbestuur)" in timeline
    )
