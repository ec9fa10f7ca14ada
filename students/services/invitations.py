"""Guardian invitations: a single-use link by which a guardian of a pupil gets a portal
account (accounts.User with the guardian role), sent by the school's administration."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import User
from accounts.services import email_normalise
from audit.constants import Action, DataKind
from audit.services import event_record

from ..models import Guardian, Invitation
from .pupils import role_grant

INVITATION_DAYS = 7


class InvitationError(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invitation_send(*, invitation: Invitation, token: str, request_base: str = "") -> None:
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    guardian = invitation.guardian
    with translation.override(guardian.language or settings.LANGUAGE_CODE):
        subject = _("Your account for the parent portal")
        body = render_to_string(
            "students/email_invitation.txt",
            {
                "guardian": guardian,
                "link": f"{request_base or settings.SITE_URL}"
                f"{reverse('accounts:invitation', args=[token])}",
                "expires_at": invitation.expires_at,
            },
        )
    send_mail(subject, body, None, [invitation.email])


@transaction.atomic
def invitation_create(
    *, user: User, guardian: Guardian, email: str = "", request_base: str = ""
) -> Invitation:
    """Invite a guardian who has no account yet; any earlier open invitation ends."""
    email = email_normalise(email or guardian.email)
    if not email:
        raise InvitationError(_("The guardian has no email address; add one first."))
    if guardian.user_id:
        raise InvitationError(_("This guardian already has an account."))
    if User.objects.filter(email=email).exists():
        raise InvitationError(_("An account with this email address already exists."))
    now = timezone.now()
    Invitation.objects.filter(
        guardian=guardian, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        guardian=guardian,
        email=email,
        token_hash=_token_hash(token),
        created_by=user,
        expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
    )
    event_record(
        user=user,
        action=Action.CREATE,
        object_type="invitation",
        object_id=invitation.pk,
        data_kind=DataKind.ACCOUNT,
    )
    transaction.on_commit(
        lambda: _invitation_send(invitation=invitation, token=token, request_base=request_base)
    )
    return invitation


def invitation_resend(*, user: User, invitation: Invitation, request_base: str = "") -> Invitation:
    """A new link (the old one stops working), for the same guardian and address."""
    if invitation.accepted_at:
        raise InvitationError(_("This invitation has already been accepted."))
    return invitation_create(
        user=user, guardian=invitation.guardian, email=invitation.email, request_base=request_base
    )


@transaction.atomic
def invitation_revoke(*, user: User, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise InvitationError(_("This invitation has already been accepted."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        event_record(
            user=user,
            action=Action.UPDATE,
            object_type="invitation",
            object_id=invitation.pk,
            data_kind=DataKind.ACCOUNT,
        )
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation this link belongs to while it can still be used, else None."""
    invitation = (
        Invitation.objects.select_related("guardian")
        .filter(token_hash=_token_hash(token or ""))
        .first()
    )
    return invitation if invitation is not None and invitation.is_usable else None


@transaction.atomic
def invitation_accept(*, token: str, password: str, full_name: str = "") -> User:
    """Create the guardian's account with the chosen password; the link is then used up."""
    from django.contrib.auth.password_validation import validate_password

    invitation = (
        Invitation.objects.select_for_update()
        .select_related("guardian")
        .filter(token_hash=_token_hash(token or ""))
        .first()
    )
    if invitation is None or not invitation.is_usable:
        raise InvitationError(_("This link is no longer valid. Ask the school for a new one."))
    if User.objects.filter(email=invitation.email).exists():
        raise InvitationError(_("An account with this email address already exists."))
    guardian = invitation.guardian
    user = User(email=invitation.email, full_name=full_name or guardian.display_name)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    guardian.user = user
    guardian.email = guardian.email or invitation.email
    guardian.save(update_fields=["user", "email"])
    role_grant(user=user, role=Role.GUARDIAN)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    event_record(
        user=user,
        action=Action.CREATE,
        object_type="account",
        object_id=user.pk,
        data_kind=DataKind.ACCOUNT,
    )
    return user
