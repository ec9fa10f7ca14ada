"""Staff invitations: the director invites a colleague to the school by e-mail. The link works
once and for a week, like a guardian's invitation; accepting it creates the account with the
roles and groups the director chose (students/services/staff_invitations.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role

from .core import Group, School
from .invitation_status import InvitationStatusMixin

# The roles a director may give by invitation. A director and the board's privacy officer are
# appointed by the board (manage.py school_setup, manage.py privacy_officer_setup), never here.
INVITABLE_ROLES = (Role.TEACHER, Role.ADMINISTRATION, Role.CARE_COORDINATOR)


class StaffInvitation(InvitationStatusMixin, models.Model):
    """A single-use link by which a colleague of a school sets a password and gets a staff
    account with these roles (and, as a teacher, these groups). Only a hash of the token is
    stored; a resend replaces the token, a revoke ends it."""

    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="staff_invitations",
    )
    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("name"), max_length=150)
    roles = models.JSONField(_("roles"), default=list)
    groups = models.ManyToManyField(
        Group, verbose_name=_("groups"), related_name="staff_invitations", blank=True
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"staff invitation {self.pk}"
