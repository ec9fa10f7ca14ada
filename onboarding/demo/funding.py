"""The demo's funding registrations for DUO: the leavings and enrolments the demo made in the
past were registered back then, by the administration, through the gate; what happened in the
last weeks is still due (so the list and the start page show both)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from admissions.models import FundingRegistration
from admissions.services.funding import (
    RegistrationError,
    registration_files_expire,
    registration_mark_sent,
    registration_produce,
)
from students.models import School
from suppliers.models import Disclosure

from .people import DOMAIN

# A registration due before this many days ago was handled at the time.
HANDLED_BEFORE_DAYS = 30


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def funding_history_load(school: School) -> None:
    admin = User.objects.get(email=f"administratie@{DOMAIN}")
    handled_before = timezone.localdate() - datetime.timedelta(days=HANDLED_BEFORE_DAYS)
    past = FundingRegistration.objects.filter(
        school=school, sent_at__isnull=True, due_on__lt=handled_before
    ).order_by("pk")
    for registration in past:
        try:
            made = registration_produce(user=admin, registration=registration)
        except RegistrationError:
            continue  # a pupil without a BSN in the demo: left due, as it would be
        if made.disclosure_id is None:
            continue
        registration_mark_sent(user=admin, registration=made)
        # As it happened: produced two days after the event, sent the day after.
        produced = _at(registration.event_on + datetime.timedelta(days=2), 10)
        Disclosure.objects.filter(pk=made.disclosure_id).update(created_at=produced)
        FundingRegistration.objects.filter(pk=registration.pk).update(
            sent_at=produced + datetime.timedelta(days=1),
            file_expires_at=produced + datetime.timedelta(days=14),
        )
    registration_files_expire(timezone.now())
