"""The daily digest of denied attempts for the privacy officer."""

import datetime

from django.core import mail
from django.utils import timezone

from audit.constants import Action, Outcome
from audit.models import AccessEvent
from audit_trail.digest import denied_digest_send
from audit_trail.models import DigestRun
from audit_trail.tasks import denied_digest_send_task


def _denied(world, *, day, role, school, count=1):
    when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    for _ in range(count):
        AccessEvent.objects.create(
            created_at=when,
            action=Action.VIEW,
            outcome=Outcome.DENIED,
            role=role,
            school_id=school.pk if school else None,
        )


def test_digest_counts_denied_attempts_per_school_and_role(world):
    day = timezone.localdate() - datetime.timedelta(days=1)
    _denied(world, day=day, role="teacher", school=world.school, count=3)
    _denied(world, day=day, role="guardian", school=None, count=2)
    _denied(world, day=day - datetime.timedelta(days=1), role="teacher", school=world.school)
    AccessEvent.objects.create(
        created_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(11))),
        action=Action.VIEW,
        outcome=Outcome.ALLOWED,
        role="teacher",
        school_id=world.school.pk,
    )
    run = denied_digest_send(day=day)
    assert run.denied_count == 5
    (message,) = mail.outbox
    assert message.to == [world.users["privacy_officer"].email]
    assert "OBS Samen Een" in message.body
    assert ": 3" in message.body
    assert ": 2" in message.body
    # Logs and mails carry counts and ids, never pupils' names.
    assert world.pupil3.given_name not in message.body


def test_digest_is_sent_once_when_run_twice(world):
    day = timezone.localdate() - datetime.timedelta(days=1)
    _denied(world, day=day, role="teacher", school=world.school)
    denied_digest_send_task.delay(day.isoformat())
    denied_digest_send_task.delay(day.isoformat())
    assert len(mail.outbox) == 1
    assert DigestRun.objects.get(day=day).sent_at is not None


def test_digest_carries_the_chain_anchor_that_audit_verify_checks(world):
    from io import StringIO

    from django.core.management import call_command

    from audit.chain import chain_extend

    day = timezone.localdate() - datetime.timedelta(days=1)
    _denied(world, day=day, role="teacher", school=world.school)
    chain_extend()
    denied_digest_send(day=day)
    (message,) = mail.outbox
    anchor = message.body.strip().splitlines()[-1]
    seq, _sep, seal = anchor.partition(":")
    assert seq.isdigit() and len(seal) == 64
    out = StringIO()
    call_command("audit_verify", "--expect", anchor, stdout=out)
    assert "Anchor holds" in out.getvalue()
