"""Session rules for every request: timeouts, and the second factor for staff."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from audit.constants import Action
from audit.services import event_record

from . import mfa

SESSION_STARTED = "started_at"
SESSION_SEEN = "seen_at"
SESSION_KIND = "kind"
# The last-seen time is written at most this often (not a session write on every request).
SEEN_GRANULARITY = 60


@receiver(user_logged_in)
def session_stamp(sender, request, user, **kwargs):
    """At every login (which gives the session a new id): when it started, whose it is."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now
    request.session[SESSION_KIND] = "staff" if user.is_school_staff else "guardian"
    mfa.session_start(request, user)


class SessionTimeoutMiddleware:
    """Ends a session that was idle too long or is older than its maximum, server-side.
    Staff sessions are shorter than parents' (SESSION_IDLE_TIMEOUT, SESSION_ABSOLUTE_TIMEOUT)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            self._check(request, session)
        return self.get_response(request)

    def _check(self, request, session):
        now = int(time.time())
        kind = session.get(SESSION_KIND)
        if kind is None:
            kind = session[SESSION_KIND] = "staff" if request.user.is_school_staff else "guardian"
        started = session.setdefault(SESSION_STARTED, now)
        seen = session.get(SESSION_SEEN, now)
        idle = now - seen > settings.SESSION_IDLE_TIMEOUT[kind]
        if idle or now - started > settings.SESSION_ABSOLUTE_TIMEOUT[kind]:
            event_record(
                user=request.user,
                action=Action.LOGOUT,
                object_type="session_timeout",
                object_id=request.user.pk,
            )
            logout(request)
            messages.info(
                request,
                _("You were logged out because you were inactive for a while. Please log in again.")
                if idle
                else _("Your session has reached its maximum length. Please log in again."),
            )
            return
        if now - seen >= SEEN_GRANULARITY:
            session[SESSION_SEEN] = now


class SecondFactorMiddleware:
    """With a second factor needed, a staff session that has not given it reaches only the
    pages that ask for it (and logout); pages redirect there, the API answers 403."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.open_paths = None

    def _open(self, path: str) -> bool:
        if self.open_paths is None:
            self.open_paths = (
                reverse("accounts:mfa-verify"),
                reverse("accounts:mfa-setup"),
                reverse("accounts:logout"),
                reverse("set_language"),
                reverse("healthz"),
                "/" + settings.STATIC_URL.lstrip("/"),
            )
        return path.startswith(self.open_paths)

    def __call__(self, request):
        if (
            mfa.needed_for_session(request)
            and not request.user.is_verified()
            and not self._open(request.path)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Confirm your login with a code from your authenticator app.")},
                    status=403,
                )
            target = (
                "accounts:mfa-verify" if mfa.is_enrolled(request.user) else "accounts:mfa-setup"
            )
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
