"""Reads of guardian invitations, for the administration's buttons on the pupil page."""

from __future__ import annotations

from accounts.constants import Function

from ..models import Guardian, Invitation
from .pupils import school_ids_with, scoped_get


def invitations_of(*, student) -> dict:
    """Per guardian of a pupil: the latest invitation (for the administration's buttons)."""
    latest = {}
    for invitation in Invitation.objects.filter(guardian__links__student=student).order_by(
        "created_at", "id"
    ):
        latest[invitation.guardian_id] = invitation
    return latest


def guardian_for_invite(*, user, guardian_id) -> Guardian:
    """A guardian of a pupil at a school where this user enrols pupils (administration,
    director), or 403/404."""
    return scoped_get(
        user=user,
        queryset=Guardian.objects.filter(
            links__student__school_id__in=school_ids_with(user, "manage_school_pupils")
        ).distinct(),
        raw_id=guardian_id,
        object_type="guardian",
        function=Function.MANAGE_PUPILS,
    )


def invitation_for_manage(*, user, invitation_id) -> Invitation:
    return scoped_get(
        user=user,
        queryset=Invitation.objects.filter(
            guardian__links__student__school_id__in=school_ids_with(user, "manage_school_pupils")
        ).distinct(),
        raw_id=invitation_id,
        object_type="invitation",
        function=Function.MANAGE_PUPILS,
    )
