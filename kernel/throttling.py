"""Abuse limits: counts per clock window in the cache, shared by the pages and the API.

The window is part of the key (so it follows the portal's clock, also under a frozen clock in
tests); the cache only tidies old counts away.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# What a person sees when a limit is reached, per scope.
MESSAGES = {
    "request_submit": _(
        "You have sent many requests in a short time. Please wait an hour and try again, "
        "or contact the school."
    ),
    "export": _("Many exports were made in a short time. Please wait a while and try again."),
    "login_email": _("Too many login attempts for this account. Try again later."),
    "login_address": _("Too many login attempts for this account. Try again later."),
}


class RateLimitedError(Exception):
    def __init__(self, scope: str, wait: int):
        self.scope = scope
        self.wait = wait
        self.message = MESSAGES.get(scope, _("Too many requests. Please try again later."))
        super().__init__(str(self.message))


def rate_of(scope: str) -> tuple[int, int]:
    """(limit, seconds) of a scope from REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']."""
    rate = str(api_settings.DEFAULT_THROTTLE_RATES[scope])
    num, period = rate.split("/")
    return int(num), _PERIODS[period[0]]


def _window(key: str, seconds: int) -> tuple[str, int, int]:
    """(the cache key of this window's count, the window's start, now)."""
    now = int(timezone.now().timestamp())
    window = now - now % seconds
    return f"limit:{key}:{seconds}:{window}", window, now


def hit(key: str, *, limit: int, seconds: int) -> int:
    """Count one attempt under ``key``; 0 when within the limit, else the seconds to wait."""
    bucket, window, now = _window(key, seconds)
    cache.add(bucket, 0, timeout=seconds + 60)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=seconds + 60)
        count = 1
    return 0 if count <= limit else max(1, window + seconds - now)


def check(scope: str, ident: str) -> None:
    """Count one attempt of ``ident`` (a user id) for ``scope``; RateLimited beyond it."""
    limit, seconds = rate_of(scope)
    wait = hit(f"{scope}:{ident}", limit=limit, seconds=seconds)
    if wait:
        raise RateLimitedError(scope, wait)


def reached(key: str, *, limit: int, seconds: int) -> int:
    """Count nothing: 0 while fewer than ``limit`` were counted under ``key`` in this window,
    else the seconds to wait."""
    bucket, window, now = _window(key, seconds)
    count = cache.get(bucket) or 0
    return 0 if count < limit else max(1, window + seconds - now)


def failure_count(scope: str, ident: str) -> None:
    """Count one failed attempt of ``ident`` for ``scope`` (see ``failures_check``)."""
    limit, seconds = rate_of(scope)
    hit(f"{scope}:failed:{ident}", limit=limit, seconds=seconds)


def failures_clear(scope: str, ident: str) -> None:
    """Forget ``ident``'s failures in this window (after a success)."""
    _limit, seconds = rate_of(scope)
    cache.delete(_window(f"{scope}:failed:{ident}", seconds)[0])


def failures_check(scope: str, ident: str) -> None:
    """RateLimited when ``ident`` failed ``scope``'s limit times in this window; counts nothing,
    so what succeeds is never limited here."""
    limit, seconds = rate_of(scope)
    wait = reached(f"{scope}:failed:{ident}", limit=limit, seconds=seconds)
    if wait:
        raise RateLimitedError(scope, wait)


class KeyedThrottle(BaseThrottle):
    """DRF face of ``check``: counts a request under ``scope`` and the ``ident`` a subclass
    derives from it (None: not counted), and answers 429 with the scope's message."""

    scope = ""

    def ident(self, request, view) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view):
        ident = self.ident(request, view)
        if ident is None:
            return True
        try:
            check(self.scope, ident)
        except RateLimitedError as limited:
            raise Throttled(wait=limited.wait, detail=str(limited.message)) from None
        return True


class ScopedUserThrottle(KeyedThrottle):
    """A view's ``throttle_scope`` per logged-in user, counted only for the methods that change
    something (reading a request back is never limited)."""

    methods = frozenset({"POST"})

    def allow_request(self, request, view):
        self.scope = view.throttle_scope
        return super().allow_request(request, view)

    def ident(self, request, view):
        if request.method not in self.methods or not request.user.is_authenticated:
            return None
        return str(request.user.pk)
