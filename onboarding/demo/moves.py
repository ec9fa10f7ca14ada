"""The demo's reported move: ouder3@ (Sanne Bakker) reported that she moves with her Groep 5
child, so the administration's queue "Moves to confirm" has one to check."""

from __future__ import annotations

import datetime

from students.models import Guardian, Student
from students.services.self_service import address_change_propose


def moves_load(*, guardian: Guardian, child5: Student, today: datetime.date) -> None:
    if guardian.user is None:
        raise RuntimeError("the demo guardian has an account")
    address_change_propose(
        actor=guardian.user,
        guardian=guardian,
        street="Kastanjelaan",
        house_number="12-A",
        postal_code="1051 KM",
        city="Amsterdam",
        moves_on=today + datetime.timedelta(days=14),
        students=[child5],
    )
