"""Reads of staff invitations for the director's staff page: the invitations of her schools
that were not accepted, and one of them for a button (403 without the function, 404 for an
invitation of another school)."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.constants import Function
from audit.constants import DataKind

from ..models import StaffInvitation
from .pupils import school_ids_with, scoped_get

# A revoked invitation stays in the list for a while, so the director sees what she did.
REVOKED_SHOWN_DAYS = 30


def staff_invitations_open_of(schools) -> QuerySet[StaffInvitation]:
    """The invitations of these schools not (yet) accepted: open, expired, and revoked in the
    last month. Their groups and the inviter come along (a fixed number of queries)."""
    recent = timezone.now() - datetime.timedelta(days=REVOKED_SHOWN_DAYS)
    return (
        StaffInvitation.objects.filter(school__in=schools, accepted_at__isnull=True)
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gte=recent))
        .select_related("school", "created_by")
        .prefetch_related("groups")
        .order_by("-created_at", "-id")
    )


def staff_invitation_for(*, user, invitation_id) -> StaffInvitation:
    """An invitation of one of the director's schools, or 403 (another role) / 404."""
    return scoped_get(
        user=user,
        queryset=StaffInvitation.objects.filter(
            school_id__in=school_ids_with(user, "manage_school_staff")
        ).select_related("school"),
        raw_id=invitation_id,
        object_type="staff_invitation",
        function=Function.MANAGE_STAFF,
        data_kind=DataKind.ACCOUNT,
    )
