"""Logging in and out. Every attempt, good or bad, is an access event."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest
from rest_framework.authtoken.models import Token

from audit.constants import Action, Outcome
from audit.services import event_record

from .models import User


def _normalise(email: str) -> str:
    return (email or "").strip().lower()


def credentials_check(*, request: HttpRequest | None, email: str, password: str) -> User | None:
    """The user for these credentials, or None; the attempt is recorded either way."""
    email = _normalise(email)
    user = authenticate(request, username=email, password=password) if email else None
    if user is None:
        known = User.objects.filter(email=email).values_list("pk", flat=True).first()
        event_record(
            user=None,
            actor_id=known,
            action=Action.LOGIN_FAILED,
            outcome=Outcome.DENIED,
            object_type="account",
        )
        return None
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


def token_issue(*, user: User) -> str:
    token, _created = Token.objects.get_or_create(user=user)
    return token.key
