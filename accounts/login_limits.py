"""Limits on logging in, shared by the login page and the token endpoint (kernel.throttling).

- Per submitted email, *failed* attempts only (``LOGIN_THROTTLE_RATE``, 10 a minute): after
  that many wrong passwords for one email, from any address and through either door, the
  email's next attempts are refused until the window ends, even with the right password. A
  successful login never counts and clears the failures before it, so someone who logs in
  often (or mistyped a few times first) is never held up.
- Per network address, every attempt (``LOGIN_ADDRESS_THROTTLE_RATE``, 600 a minute): a high
  ceiling, since a school's staff and parents share one address.

Next to these, django-axes locks one account from one address for longer (accounts.lockout).
"""

from __future__ import annotations

import math

from axes.handlers.proxy import AxesProxyHandler
from django.http import HttpRequest
from django.utils.translation import ngettext

from kernel import throttling
from kernel.crypto import lookup_hash
from kernel.net import client_ip

EMAIL_SCOPE = "login_email"
ADDRESS_SCOPE = "login_address"


def email_ident(email: str) -> str | None:
    """The email as the limits know it: normalised like the login, then keyed-hashed (no
    address in the cache)."""
    email = (email or "").strip().lower()
    return lookup_hash(email) if email else None


def message(wait: int) -> str:
    minutes = max(1, math.ceil(wait / 60))
    return ngettext(
        "Too many unsuccessful attempts to log in to this account. For your safety, wait "
        "%(minutes)s minute, then try again, or reset your password.",
        "Too many unsuccessful attempts to log in to this account. For your safety, wait "
        "%(minutes)s minutes, then try again, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


def failures_check(request: HttpRequest, email: str) -> None:
    """RateLimitedError when this email reached its limit of failed logins; counts nothing.

    When django-axes already locks the account from this address, its longer lockout answers
    instead (it says for how long), so nothing is raised here."""
    ident = email_ident(email)
    if ident is None:
        return
    try:
        throttling.failures_check(EMAIL_SCOPE, ident)
    except throttling.RateLimitedError:
        normalised = email.strip().lower()
        if not AxesProxyHandler.is_locked(request, {"username": normalised}):
            raise


def failure_count(email: str) -> None:
    """One failed login for this email (a wrong password or an unknown email)."""
    ident = email_ident(email)
    if ident is not None:
        throttling.failure_count(EMAIL_SCOPE, ident)


def failures_clear(email: str) -> None:
    """A successful login: the email's failures so far no longer count (the person who knows
    the password is here)."""
    ident = email_ident(email)
    if ident is not None:
        throttling.failures_clear(EMAIL_SCOPE, ident)


def page_attempt(request: HttpRequest, email: str) -> None:
    """Before the login page checks a password: count the attempt against the address's
    ceiling, then refuse an email that failed too often. RateLimitedError when refused."""
    throttling.check(ADDRESS_SCOPE, client_ip(request))
    failures_check(request, email)
