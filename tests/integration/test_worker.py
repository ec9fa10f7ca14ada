"""Jobs through a real worker thread on the real Redis, against PostgreSQL."""

import datetime
import time

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from audit.constants import Action, Outcome
from audit.models import AccessEvent
from audit_trail.models import DigestRun
from audit_trail.tasks import denied_digest_send_task

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_digest_runs_once_through_real_worker_when_enqueued_twice(world, celery_worker):
    day = timezone.localdate() - datetime.timedelta(days=1)
    when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    for _ in range(4):
        AccessEvent.objects.create(
            created_at=when,
            action=Action.VIEW,
            outcome=Outcome.DENIED,
            role="teacher",
            school_id=world.school.pk,
        )
    with transaction.atomic():
        # Enqueued only when the surrounding transaction commits.
        transaction.on_commit(lambda: denied_digest_send_task.delay(day.isoformat()))
        transaction.on_commit(lambda: denied_digest_send_task.delay(day.isoformat()))

    assert _wait_for(lambda: DigestRun.objects.filter(day=day, sent_at__isnull=False).exists())
    time.sleep(1.0)  # give the duplicate job time to run (and do nothing)
    assert DigestRun.objects.get(day=day).denied_count == 4
    with translation.override("nl"):
        shown = date_format(day, "DATE_FORMAT")
    assert len([m for m in mail.outbox if shown in m.subject]) == 1


def test_healthz_reports_database_and_real_broker(db):
    body = Client().get("/healthz").json()
    assert body == {"status": "ok", "database": "ok", "broker": "ok"}
