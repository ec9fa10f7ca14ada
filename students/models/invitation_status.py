"""The status of a single-use invitation link in words, shared by guardians' invitations
(``Invitation``) and staff invitations (``StaffInvitation``): a model with ``accepted_at``,
``revoked_at`` and ``expires_at`` is pending until one of them says otherwise."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

STATUS_LABELS = {
    "accepted": _("accepted"),
    "revoked": _("revoked"),
    "expired": _("expired"),
    "pending": _("pending"),
}


class InvitationStatusMixin:
    """``status`` (pending, accepted, expired, revoked), its words, and whether the link works."""

    accepted_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    expires_at: datetime.datetime

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def status_label(self) -> StrOrPromise:
        return STATUS_LABELS[self.status]

    @property
    def is_usable(self) -> bool:
        return self.status == "pending"
