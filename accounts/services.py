"""Accounts: logging in and out (every attempt is an access event), guardian invitations and
staff leaving."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth import authenticate, login, logout
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.constants import Action, DataKind, Outcome
from audit.services import event_record

from . import login_limits
from .constants import STAFF_ROLES, Role
from .models import Invitation, StaffDeactivation, TeacherProposal, User
from .tokens import api_token_issue, api_tokens_revoke


def _normalise(email: str) -> str:
    return (email or "").strip().lower()


def credentials_check(*, request: HttpRequest | None, email: str, password: str) -> User | None:
    """The user for these credentials, or None; the attempt is recorded either way, and a
    failure counts towards the email's limit of failed logins (accounts.login_limits)."""
    email = _normalise(email)
    user = authenticate(request, username=email, password=password) if email else None
    if user is None:
        login_limits.failure_count(email)
        known = User.objects.filter(email=email).values_list("pk", flat=True).first()
        event_record(
            user=None,
            actor_id=known,
            action=Action.LOGIN_FAILED,
            outcome=Outcome.DENIED,
            object_type="account",
        )
        return None
    login_limits.failures_clear(email)
    event_record(user=user, action=Action.LOGIN, object_type="account", object_id=user.pk)
    return user


def session_login(*, request: HttpRequest, email: str, password: str) -> User | None:
    user = credentials_check(request=request, email=email, password=password)
    if user is not None:
        login(request, user)
    return user


def session_logout(*, request: HttpRequest) -> None:
    if request.user.is_authenticated:
        event_record(
            user=request.user,
            action=Action.LOGOUT,
            object_type="account",
            object_id=request.user.pk,
        )
    logout(request)


def token_issue(*, user: User, label: str = "") -> str:
    """A new API token for the account (accounts.tokens); the key is shown only now."""
    return api_token_issue(user=user, label=label)


# --- Guardian invitations ----------------------------------------------------------------------

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
            "accounts/email_invitation.txt",
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
    *, user: User, guardian, email: str = "", request_base: str = ""
) -> Invitation:
    """Invite a guardian who has no account yet; any earlier open invitation ends."""
    email = _normalise(email or guardian.email)
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

    from students.services import role_grant

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


# --- Staff leaving -----------------------------------------------------------------------------


@transaction.atomic
def staff_deactivate(*, user: User, staff: User, school) -> User:
    """End a staff account at once: no login (its password and sessions are void), no API
    token, no school or group permission, no group teaching. The account row and its history
    in the audit trail stay."""
    from students.models import (
        GroupTeacher,
        GroupUserObjectPermission,
        SchoolUserObjectPermission,
    )

    staff = User.objects.select_for_update().get(pk=staff.pk)
    if staff.pk == user.pk:
        raise InvitationError(_("You cannot deactivate your own account."))
    managed = SchoolUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename="manage_school_staff"
    ).values("content_object_id")
    elsewhere = (
        SchoolUserObjectPermission.objects.filter(user=staff)
        .exclude(content_object_id__in=managed)
        .exists()
        or GroupTeacher.objects.filter(teacher=staff).exclude(group__school_id__in=managed).exists()
    )
    if elsewhere:
        # One director must not lock someone out of a school they do not run.
        raise InvitationError(
            _("This account also works at another school; ask the school board to end it.")
        )
    roles = sorted(staff.role_names & STAFF_ROLES)
    staff.is_active = False
    # A new password hash makes every session of the account invalid on its next request.
    staff.set_unusable_password()
    staff.save(update_fields=["is_active", "password"])
    api_tokens_revoke(user=staff)
    SchoolUserObjectPermission.objects.filter(user=staff).delete()
    GroupUserObjectPermission.objects.filter(user=staff).delete()
    GroupTeacher.objects.filter(teacher=staff).delete()
    staff.groups.remove(*staff.groups.filter(name__in=STAFF_ROLES))
    sessions_end(staff)
    StaffDeactivation.objects.create(user=staff, school=school, roles=roles, by=user)
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="staff_deactivation",
        object_id=staff.pk,
        school_id=school.pk,
        data_kind=DataKind.ACCOUNT,
    )
    return staff


# --- Groups proposed by an import ----------------------------------------------------------


class StaffError(Exception):
    """A staff change that cannot be made; ``message`` says why, in words."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@transaction.atomic
def teacher_proposals_record(
    *, actor: User, school, teacher: User, groups
) -> list[TeacherProposal]:
    """Propose groups of the school for one of its teachers (what an import found in its file).
    Nothing is assigned and no role is given: the director confirms on the staff page. Only an
    account that already is a teacher of the school can be proposed; a group the teacher
    already has, or that was proposed for them before (also when dismissed), is left out."""
    from students.models import GroupTeacher

    from .selectors import teachers_at

    if not teachers_at(school).filter(pk=teacher.pk).exists():
        raise StaffError(_("Only a teacher of the school can be proposed for its groups."))
    if any(group.school_id != school.pk for group in groups):
        raise StaffError(_("The group belongs to another school."))
    ids = [group.pk for group in groups]
    taken = set(
        GroupTeacher.objects.filter(teacher=teacher, group_id__in=ids).values_list(
            "group_id", flat=True
        )
    ) | set(
        TeacherProposal.objects.filter(teacher=teacher, group_id__in=ids).values_list(
            "group_id", flat=True
        )
    )
    made = []
    for group in dict.fromkeys(groups):
        if group.pk in taken:
            continue
        proposal = TeacherProposal.objects.create(
            school=school, teacher=teacher, group=group, proposed_by=actor
        )
        event_record(
            user=actor,
            action=Action.CREATE,
            object_type="teacher_proposal",
            object_id=proposal.pk,
            school_id=school.pk,
            data_kind=DataKind.ACCOUNT,
        )
        made.append(proposal)
    return made


def _proposal_lock(*, user: User, proposal: TeacherProposal) -> TeacherProposal:
    from students.models import SchoolUserObjectPermission

    proposal = (
        TeacherProposal.objects.select_for_update()
        .select_related("teacher", "group", "school")
        .get(pk=proposal.pk)
    )
    if not SchoolUserObjectPermission.objects.filter(
        user_id=user.pk,
        content_object_id=proposal.school_id,
        permission__codename="manage_school_staff",
    ).exists():
        raise StaffError(_("Only the director of the school decides on its staff."))
    if proposal.decision:
        raise StaffError(_("This proposal has already been decided."))
    return proposal


@transaction.atomic
def teacher_proposal_confirm(*, user: User, proposal: TeacherProposal) -> TeacherProposal:
    """The director confirms: the teacher gets the group, through the same service as on the
    staff page (its permissions and audit event), and the decision is recorded. Refused when
    the account is no longer a teacher of the school or the group's school year has passed."""
    from students.models import GroupTeacher, school_year_of
    from students.services import teacher_assign_to_group

    from .selectors import teachers_at

    proposal = _proposal_lock(user=user, proposal=proposal)
    if not teachers_at(proposal.school).filter(pk=proposal.teacher_id).exists():
        raise StaffError(
            _("This account is no longer a teacher of the school; dismiss the proposal.")
        )
    if proposal.group.school_year < school_year_of(timezone.localdate()):
        raise StaffError(_("The group belongs to a past school year; dismiss the proposal."))
    if not GroupTeacher.objects.filter(group=proposal.group, teacher=proposal.teacher).exists():
        teacher_assign_to_group(teacher=proposal.teacher, group=proposal.group, actor=user)
    return _proposal_decide(
        user=user, proposal=proposal, decision=TeacherProposal.Decision.CONFIRMED
    )


@transaction.atomic
def teacher_proposal_dismiss(*, user: User, proposal: TeacherProposal) -> TeacherProposal:
    """The director dismisses: nothing is assigned, and the same import proposes it no more."""
    proposal = _proposal_lock(user=user, proposal=proposal)
    return _proposal_decide(
        user=user, proposal=proposal, decision=TeacherProposal.Decision.DISMISSED
    )


def _proposal_decide(*, user: User, proposal: TeacherProposal, decision: str) -> TeacherProposal:
    proposal.decision = decision
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["decision", "decided_by", "decided_at"])
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="teacher_proposal",
        object_id=proposal.pk,
        school_id=proposal.school_id,
        data_kind=DataKind.ACCOUNT,
    )
    return proposal


def sessions_end(user: User) -> int:
    """Delete the account's stored sessions (database sessions), so nothing lingers."""
    from django.contrib.sessions.models import Session

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended
