"""Staff invitations: the director invites a colleague to her school with the roles and groups
she chooses; the colleague's link (single use, a week) creates the account. The only way a
school's staff get an account: directors and the board's privacy officer are appointed by the
board's provisioning (onboarding's ``school_setup`` and ``privacy_officer_setup``).

Only the hash of a link's token is stored. The link travels once, in the e-mail a Celery task
sends after the transaction commits (``students.tasks.staff_invitation_mail_task``); it is in
no audit event, no log line and no task description (``kwargsrepr``)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.constants import Function, Role
from accounts.models import User
from accounts.services import email_normalise
from audit.constants import Action, DataKind
from audit.services import event_record

from ..exceptions import StudentError
from ..models import (
    Group,
    School,
    SchoolUserObjectPermission,
    StaffInvitation,
    school_year_of,
)
from ..models.staff_invitations import INVITABLE_ROLES
from .pupils import staff_assign_to_school, teacher_assign_to_group

INVITATION_DAYS = 7
OBJECT_TYPE = "staff_invitation"


class StaffInvitationError(StudentError):
    """The invitation cannot be made, sent, revoked or accepted; ``field_errors`` names the
    refused input (``email``, ``full_name``, ``roles``, ``groups``)."""

    default_message = gettext_lazy("The invitation could not be sent; check the fields marked.")


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def invitable_groups(school: School, *, day: datetime.date | None = None):
    """The groups an invitation may give: the school's groups of this school year and the
    next (the next one's groups exist once the rollover is being prepared)."""
    year = school_year_of(day or timezone.localdate())
    return Group.objects.filter(school=school, school_year__in=(year, year + 1)).order_by(
        "school_year", "year_group_low", "name"
    )


def _may_invite(user: User, school: School) -> None:
    """The services check the door again: the director's function and her school's
    permission (the views reach them through the selectors, which answer 403/404)."""
    if not (
        user.is_active
        and user.has_function(Function.MANAGE_STAFF)
        and user.has_perm("students.manage_school_staff", school)
    ):
        raise PermissionDenied


def _open_elsewhere(*, school: School, email: str, exclude: int | None = None) -> bool:
    """Whether this address has another invitation at the school that still works."""
    invitations = StaffInvitation.objects.filter(
        school=school,
        email=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if exclude is not None:
        invitations = invitations.exclude(pk=exclude)
    return invitations.exists()


def _account_exists_error() -> str:
    return _(
        "There is already an account with this email address, so no invitation is needed. "
        "If this colleague should also work at your school, ask the school board."
    )


def _checked(
    *, school: School, email: str, full_name: str, roles: Iterable[str], groups: Iterable[Group]
) -> tuple[str, str, list[str], list[Group]]:
    """The invitation's details, checked; every refusal at its field."""
    errors: dict[str, list[str]] = {}
    email = email_normalise(email)
    full_name = " ".join((full_name or "").split())
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid email address.")]
    if not full_name:
        errors["full_name"] = [_("Enter the colleague's name.")]
    roles = sorted(set(roles))
    if not roles:
        errors["roles"] = [_("Choose at least one role.")]
    elif not set(roles) <= set(INVITABLE_ROLES):
        errors["roles"] = [
            _(
                "A director or the board's privacy officer is appointed by the school board, "
                "not invited here. Choose teacher, administration or care coordinator."
            )
        ]
    groups = list(groups)
    allowed = set(invitable_groups(school).values_list("pk", flat=True))
    if any(group.pk not in allowed for group in groups):
        errors["groups"] = [_("Choose groups of your school in this school year or the next.")]
    elif groups and Role.TEACHER not in roles:
        errors["groups"] = [_("Groups are for teachers: choose the role teacher too.")]
    elif Role.TEACHER in roles and not groups:
        errors["groups"] = [_("Choose the groups this teacher will teach.")]
    if "email" not in errors:
        if User.objects.filter(email=email).exists():
            errors["email"] = [_account_exists_error()]
        elif _open_elsewhere(school=school, email=email):
            errors["email"] = [
                _(
                    "This address already has an invitation that has not been accepted; "
                    "send that one again from the list of invitations."
                )
            ]
    if errors:
        raise StaffInvitationError(field_errors=errors)
    return email, full_name, roles, groups


def _queue_mail(invitation: StaffInvitation, token: str, site_url: str) -> None:
    from ..tasks import staff_invitation_mail_task

    kwargs = {"invitation_id": invitation.pk, "token": token, "site_url": site_url}
    transaction.on_commit(
        lambda: staff_invitation_mail_task.apply_async(
            kwargs=kwargs,
            # What a worker's log, a monitor or a failed task shows: never the link's token.
            argsrepr="()",
            kwargsrepr=repr({"invitation_id": invitation.pk}),
        )
    )


def _record(user: User, invitation: StaffInvitation, action: Action) -> None:
    event_record(
        user=user,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=invitation.pk,
        school_id=invitation.school_id,
        data_kind=DataKind.ACCOUNT,
    )


@transaction.atomic
def staff_invitation_create(
    *,
    user: User,
    school: School,
    email: str,
    full_name: str,
    roles: Iterable[str],
    groups: Iterable[Group] = (),
    site_url: str = "",
) -> StaffInvitation:
    """Invite a colleague without an account to the director's school, with these roles (never
    director or privacy officer) and, as a teacher, these groups; the link goes by e-mail."""
    _may_invite(user, school)
    # One invitation at a time per school: two directors cannot both invite one address.
    School.objects.select_for_update().filter(pk=school.pk).first()
    email, full_name, roles, groups = _checked(
        school=school, email=email, full_name=full_name, roles=roles, groups=groups
    )
    token = secrets.token_urlsafe(32)
    invitation = StaffInvitation.objects.create(
        school=school,
        email=email,
        full_name=full_name,
        roles=roles,
        token_hash=token_hash(token),
        created_by=user,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    invitation.groups.set(groups)
    _record(user, invitation, Action.CREATE)
    _queue_mail(invitation, token, site_url)
    return invitation


@transaction.atomic
def staff_invitation_resend(
    *, user: User, invitation: StaffInvitation, site_url: str = ""
) -> StaffInvitation:
    """A new link with a new week (the old link stops working), sent again; a revoked
    invitation becomes open again."""
    invitation = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
    _may_invite(user, invitation.school)
    if invitation.accepted_at:
        raise StaffInvitationError(_("This invitation has already been accepted."))
    if User.objects.filter(email=invitation.email).exists():
        raise StaffInvitationError(_account_exists_error())
    if _open_elsewhere(school=invitation.school, email=invitation.email, exclude=invitation.pk):
        raise StaffInvitationError(
            _("This address has a newer invitation; send that one again instead.")
        )
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.expires_at = timezone.now() + datetime.timedelta(days=INVITATION_DAYS)
    invitation.revoked_at = None
    invitation.created_by = user
    invitation.save(update_fields=["token_hash", "expires_at", "revoked_at", "created_by"])
    _record(user, invitation, Action.UPDATE)
    _queue_mail(invitation, token, site_url)
    return invitation


@transaction.atomic
def staff_invitation_revoke(*, user: User, invitation: StaffInvitation) -> StaffInvitation:
    """End the link at once; an accepted invitation cannot be revoked (deactivate the
    account instead)."""
    invitation = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
    _may_invite(user, invitation.school)
    if invitation.accepted_at:
        raise StaffInvitationError(
            _("This invitation has already been accepted; deactivate the account instead.")
        )
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _record(user, invitation, Action.UPDATE)
    return invitation


def staff_invitation_for_token(token: str) -> StaffInvitation | None:
    """The invitation this link belongs to while it can still be used, else None."""
    invitation = (
        StaffInvitation.objects.select_related("school")
        .prefetch_related("groups")
        .filter(token_hash=token_hash(token))
        .first()
    )
    return invitation if invitation is not None and invitation.is_usable else None


def _unusable_message(invitation: StaffInvitation | None) -> str:
    if invitation is not None and invitation.status == "accepted":
        return _(
            "This link has already been used to create an account. Log in with your email "
            "address and password."
        )
    if invitation is not None and invitation.status == "expired":
        return _("This link has expired. Ask your school's director for a new invitation.")
    return _(
        "This link is no longer valid: it was withdrawn or replaced by a newer one. Ask your "
        "school's director for a new invitation."
    )


def staff_invitation_link_problem(token: str) -> str:
    """Why this link does not work (any more), in words for the person holding it."""
    return _unusable_message(StaffInvitation.objects.filter(token_hash=token_hash(token)).first())


@transaction.atomic
def staff_invitation_accept(*, token: str, password: str, full_name: str = "") -> User:
    """Create the colleague's account with the chosen password and give it the invitation's
    roles at the school and its groups; the link is then used up."""
    from django.contrib.auth.password_validation import validate_password

    invitation = (
        StaffInvitation.objects.select_for_update()
        .select_related("school", "created_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None or not invitation.is_usable:
        raise StaffInvitationError(_unusable_message(invitation))
    inviter = invitation.created_by
    if not (
        inviter.is_active
        and inviter.has_function(Function.MANAGE_STAFF)
        and SchoolUserObjectPermission.objects.filter(
            user_id=inviter.pk,
            content_object_id=invitation.school_id,
            permission__codename="manage_school_staff",
        ).exists()
    ):
        # The director who sent it has left, or no longer runs the school's staff: her
        # successor decides again.
        raise StaffInvitationError(
            _("This invitation is no longer valid. Ask your school's director for a new one.")
        )
    if User.objects.filter(email=invitation.email).exists():
        raise StaffInvitationError(_account_exists_error())
    name = " ".join((full_name or "").split()) or invitation.full_name
    user = User(email=invitation.email, full_name=name)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    event_record(
        user=user,
        action=Action.CREATE,
        object_type="account",
        object_id=user.pk,
        school_id=invitation.school_id,
        data_kind=DataKind.ACCOUNT,
    )
    school = invitation.school
    for role in invitation.roles:
        if role == Role.TEACHER:
            continue
        if role not in INVITABLE_ROLES:  # never stored by the services; a row edited by hand
            raise StaffInvitationError(_unusable_message(None))
        staff_assign_to_school(user=user, school=school, role=Role(role))
    if Role.TEACHER in invitation.roles:
        for group in invitation.groups.filter(school=school):
            teacher_assign_to_group(teacher=user, group=group, actor=invitation.created_by)
    invitation.accepted_at = timezone.now()
    invitation.account = user
    invitation.save(update_fields=["accepted_at", "account"])
    _record(user, invitation, Action.UPDATE)
    return user


def staff_invitation_mail(*, invitation_id: int, token: str, site_url: str = "") -> int:
    """E-mail the link (the task of create and resend), in the school's language. Nothing when
    the invitation was accepted, revoked or given a newer link meanwhile; returns the mails
    sent. The mail names the school, the roles and who invited; nothing about pupils."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse

    from kernel.labels import labels

    invitation = (
        StaffInvitation.objects.select_related("school", "created_by")
        .filter(pk=invitation_id, token_hash=token_hash(token))
        .first()
    )
    if invitation is None or not invitation.is_usable:
        return 0
    base = (site_url or settings.SITE_URL).rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your staff account at %(school)s") % {"school": invitation.school.name}
        body = render_to_string(
            "students/email_staff_invitation.txt",
            {
                "invitation": invitation,
                "roles": labels("role", invitation.roles),
                "inviter": invitation.created_by.full_name or invitation.created_by.email,
                "link": f"{base}{reverse('accounts:staff-invitation', args=[token])}",
                "mfa": settings.MFA_REQUIRED,
            },
        )
    send_mail(subject, body, None, [invitation.email])
    return 1
