"""A leaving recorded outside the leaving page (the rollover, an import) gets its Departure
too, so the pupil's leaving page, proof of withdrawal and education report exist."""

from __future__ import annotations

import datetime

from django.utils import timezone

from admissions.constants import LeavingReason
from admissions.models import Departure
from students.constants import WithdrawalDestination
from students.services import student_withdraw


def test_a_withdrawal_by_the_core_records_the_departure_with_its_reason(world):
    pupil = world.pupil3
    on = max(pupil.enrolled_on, timezone.localdate() - datetime.timedelta(days=1))
    student_withdraw(
        actor=world.users["administration"],
        student=pupil,
        on=on,
        destination=WithdrawalDestination.SECONDARY_SCHOOL,
    )

    departure = Departure.objects.get(student=pupil)
    assert departure.left_on == on
    assert departure.reason == LeavingReason.SECONDARY_SCHOOL
    assert departure.recorded_by == world.users["administration"]
    assert departure.destination_name == ""
