"""The demo's day-to-day staff work in progress: a substitute, a pending invitation and a group
an import proposed for a teacher."""

from __future__ import annotations

import datetime

from students.models import Group, Guardian, School
from students.services import teacher_assign_to_group
from students.services.invitations import invitation_create
from students.services.staff import teacher_proposals_record

from .people import DOMAIN, staff, user_of


def operations_load(school: School, groups: dict[int, Group], today: datetime.date) -> None:
    """A substitute for Groep 4 whose access ends next week by itself, a pending
    invitation for a guardian of a Groep 3 pupil who has no account yet, and a group an
    import proposed for a teacher (Groep 7 for the teacher of Groep 8), open for the
    director to confirm or dismiss on the staff page."""
    substitute = staff("invaller", "Iris Verbeek")
    teacher_assign_to_group(
        teacher=substitute,
        group=groups[4],
        starts_on=today,
        ends_on=today + datetime.timedelta(days=6),
        substitute=True,
    )
    guardian = (
        Guardian.objects.filter(
            user__isnull=True, links__student__group=groups[3], links__has_authority=True
        )
        .order_by("id")
        .first()
    )
    if guardian is not None:
        guardian.email = f"uitnodiging@{DOMAIN}"
        guardian.save(update_fields=["email"])
        admin = user_of("administratie")
        invitation_create(user=admin, guardian=guardian)
    teacher_proposals_record(
        actor=user_of("administratie"),
        school=school,
        teacher=user_of("leerkracht8"),
        groups=[groups[7]],
    )
