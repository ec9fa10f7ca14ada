"""The parents' link to follow their application, without an account.

Every e-mail about an application carries a fresh link to its follow page (never the child's
data): a signed token naming the application and the address it was sent to, valid for
``FOLLOW_DAYS``. The address is in it as a keyed hash only, so no e-mail address appears in
a URL (and so in a server's or a browser's history). Nothing is stored; a changed address or
an application deleted by retention opens nothing. The follow page shows what the parents
need (the status, the clock, the school's letters) and is where they act without an account.
"""

from __future__ import annotations

import datetime
import hmac

from django.core import signing
from django.urls import reverse

from kernel.crypto import lookup_hash

FOLLOW_DAYS = 60
_SALT = "admissions.follow"


def _address(email: str) -> str:
    return lookup_hash(email.strip().lower())[:32]


def follow_token(application) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(
        f"{application.pk}:{_address(application.email)}"
    )


def follow_path(application) -> str:
    """The relative URL of the follow page; e-mails prefix the site's address."""
    return reverse("application-follow", kwargs={"token": follow_token(application)})


def follow_application(token: str, queryset):
    """The application this token was signed for, from ``queryset``, or None (expired,
    tampered, another address, deleted)."""
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(
            token, max_age=datetime.timedelta(days=FOLLOW_DAYS)
        )
    except signing.BadSignature:
        return None
    raw_id, _sep, address = value.partition(":")
    if not raw_id.isdigit() or len(raw_id) > 18:
        return None
    application = queryset.filter(pk=int(raw_id)).first()
    if application is None or not hmac.compare_digest(_address(application.email), address):
        return None
    return application
