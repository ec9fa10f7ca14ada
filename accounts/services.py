"""Accounts: logging in and out (every attempt is an access event) and ending an account."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.constants import Action, Outcome
from audit.services import event_record

from . import login_limits
from .constants import STAFF_ROLES
from .models import User
from .tokens import api_token_issue, api_tokens_revoke


def email_normalise(email: str) -> str:
    """An email address as accounts keep it: trimmed, lower case."""
    return (email or "").strip().lower()


def credentials_check(*, request: HttpRequest | None, email: str, password: str) -> User | None:
    """The user for these credentials, or None; the attempt is recorded either way, and a
    failure counts towards the email's limit of failed logins (accounts.login_limits)."""
    email = email_normalise(email)
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


@transaction.atomic
def account_deactivate(*, user: User) -> User:
    """The account's part of ending a staff account: no login (its password and sessions are
    void), no API token, no staff role. What the account held at a school (its permissions,
    its groups, the record of who ended it) is the caller's part:
    students.services.staff.staff_deactivate, which also records the audit event."""
    user.is_active = False
    # A new password hash makes every session of the account invalid on its next request.
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    api_tokens_revoke(user=user)
    user.groups.remove(*user.groups.filter(name__in=STAFF_ROLES))
    sessions_end(user)
    return user


def sessions_end(user: User) -> int:
    """Delete the account's stored sessions (database sessions), so nothing lingers."""
    from django.contrib.sessions.models import Session

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended
