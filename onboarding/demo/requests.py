"""The demo's privacy requests: the history of the Bakker family's requests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from privacy_requests import services as requests
from privacy_requests.deadlines import due_date_for
from privacy_requests.models import PrivacyRequest, RequestStep
from students.models import Guardian, Student

from .people import user_of


def requests_load(*, child5: Student, guardian: Guardian) -> None:
    """Two requests of the Bakker family, so the inbox and the privacy officer's on-time
    rate have history: a correction answered on time last month, and an objection whose
    deadline is near."""
    parent = guardian.user
    if parent is None:
        raise RuntimeError("the demo guardian has an account")
    admin = user_of("administratie")
    today = timezone.localdate()

    def backdate(request, days_ago: int) -> None:
        received = today - datetime.timedelta(days=days_ago)
        PrivacyRequest.objects.filter(pk=request.pk).update(
            received_on=received,
            due_date=due_date_for(received),
            created_at=timezone.now() - datetime.timedelta(days=days_ago),
        )
        RequestStep.objects.filter(request=request, step="received").update(
            created_at=timezone.now() - datetime.timedelta(days=days_ago)
        )

    correction = requests.request_submit(
        user=parent,
        student=child5,
        guardian=guardian,
        kind="correction",
        description="Het huisnummer klopt niet, het is 12A.",
        correction_field="house_number",
        correction_value="12A",
    )
    backdate(correction, 45)
    requests.request_start(user=admin, request=correction)
    requests.correction_accept(user=admin, request=correction)
    closed = timezone.now() - datetime.timedelta(days=30)
    PrivacyRequest.objects.filter(pk=correction.pk).update(closed_at=closed)
    RequestStep.objects.filter(request=correction).exclude(step="received").update(
        created_at=closed
    )
    objection = requests.request_submit(
        user=parent,
        student=child5,
        guardian=guardian,
        kind="objection",
        description="Geen foto's van onze zoon in de nieuwsbrief, alstublieft.",
        purpose_codes=["newsletter"],
    )
    backdate(objection, 25)
