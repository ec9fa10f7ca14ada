"""Login lockout (django-axes), answered calmly and recorded in the audit trail.

After ``AXES_FAILURE_LIMIT`` wrong passwords one account is locked *from one network address*
for ``AXES_COOLOFF_TIME``: the key is the pair, so a school whose staff share an address is
not locked out together, and someone elsewhere cannot lock a parent out of their own login.
The browser login and the JSON token endpoint share the same counts.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from audit.constants import Action, Outcome
from audit.services import event_record

from .models import User


def username_of(request: HttpRequest, credentials: dict | None) -> str:
    """The submitted email, normalised the way the login normalises it."""
    credentials = credentials or {}
    # authenticate() is called with username=; axes hands it on under the model's USERNAME_FIELD.
    value = credentials.get("username", credentials.get("email"))
    if value is None and request is not None:
        value = request.POST.get("email", "")
    return str(value or "").strip().lower()


def minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def message() -> str:
    return _(
        "Too many unsuccessful attempts to log in to this account from here. For your "
        "safety it is locked for %(minutes)s minutes. Wait, then try again, or reset your "
        "password."
    ) % {"minutes": minutes()}


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """429, as JSON for the API and as a page in the browser, with a Retry-After."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message()}, status=429)
    else:
        from .forms import EmailLoginForm

        response = render(
            request,
            "accounts/login.html",
            {
                "form": EmailLoginForm(initial={"email": username_of(request, credentials)}),
                "locked_out": message(),
                "next": "/",
            },
            status=429,
        )
    response["Retry-After"] = str(minutes() * 60)
    return response


@receiver(user_locked_out)
def lockout_recorded(sender, request=None, username=None, **kwargs):
    """A denied access event names the account (by id, when it exists)."""
    known = User.objects.filter(email=(username or "")).values_list("pk", flat=True).first()
    event_record(
        user=None,
        actor_id=known,
        action=Action.LOGIN_FAILED,
        outcome=Outcome.DENIED,
        object_type="lockout",
        object_id=known or "",
    )
