"""API tokens: issued at each login on the token endpoint, stored only as a SHA-256 digest,
ended by expiry, by their owner, and with the password, the second factor or the account.

The key is 256 random bits, so an unkeyed SHA-256 digest cannot be reversed or guessed and
needs no secret of its own (which a key rotation could lose). The first characters of the key
(``key_prefix``) find the row; the digest is then compared in constant time."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.constants import Action, DataKind
from audit.services import event_record

from .constants import STAFF_ROLES
from .models import ApiToken, User

PREFIX_LENGTH = 10
LABEL_LENGTH = 200
# Each login adds a token; past this many live ones the oldest end, so a script that logs in
# again and again does not pile up keys that all work.
MAX_LIVE_PER_USER = 20
# last_used_at is written at most this often, so an API client does not write on every call.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def password_stamp(user: User) -> str:
    """Changes whenever the password does (also to an unusable one)."""
    return hashlib.sha256(f"api-token:{user.password}".encode()).hexdigest()


def lifetime_for(user: User) -> datetime.timedelta:
    """Guardians keep a token longer than staff; anyone with a staff role (or admin rights)
    gets the staff lifetime, also when they are a guardian too."""
    if user.is_staff or user.is_superuser or user.role_names & STAFF_ROLES:
        return settings.API_TOKEN_TTL_STAFF
    return settings.API_TOKEN_TTL_GUARDIAN


def live_for(user: User) -> QuerySet[ApiToken]:
    """The account's tokens that still work (not revoked, not expired, same password)."""
    return ApiToken.objects.filter(
        user=user,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
        password_stamp=password_stamp(user),
    )


@transaction.atomic
def api_token_issue(*, user: User, label: str = "") -> str:
    """A new token for the account; the key is returned once and stored only as a digest.
    Tokens of the account that no longer work are removed."""
    now = timezone.now()
    ApiToken.objects.filter(user=user).filter(
        Q(revoked_at__isnull=False)
        | Q(expires_at__lte=now)
        | ~Q(password_stamp=password_stamp(user))
    ).delete()
    surplus = list(live_for(user).values_list("pk", flat=True)[MAX_LIVE_PER_USER - 1 :])
    if surplus:
        ApiToken.objects.filter(pk__in=surplus).update(revoked_at=now)
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_prefix=key[:PREFIX_LENGTH],
        digest=key_digest(key),
        password_stamp=password_stamp(user),
        label=(label or "")[:LABEL_LENGTH],
        created_at=now,
        expires_at=now + lifetime_for(user),
    )
    return key


class TokenError(Exception):
    """The key is unknown, or its token no longer works; ``message`` says which, in words."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def api_token_check(key: str) -> ApiToken:
    """The working token for this key (with its user), or TokenError saying why not."""
    from django.utils.translation import gettext as _

    key = key or ""
    digest = key_digest(key)
    found = None
    for token in ApiToken.objects.select_related("user").filter(key_prefix=key[:PREFIX_LENGTH]):
        if hmac.compare_digest(token.digest, digest):
            found = token
    if found is None:
        raise TokenError(_("Invalid token."))
    now = timezone.now()
    # A password changed since the token was issued (on any path) ends it like a revocation;
    # nothing is written here, the owner's list leaves such tokens out by the same stamp.
    if found.revoked_at is not None or not hmac.compare_digest(
        found.password_stamp, password_stamp(found.user)
    ):
        raise TokenError(_("This token has been revoked. Log in again for a new one."))
    if found.expires_at <= now:
        raise TokenError(_("This token has expired. Log in again for a new one."))
    if found.last_used_at is None or found.last_used_at <= now - LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        found.last_used_at = now
    return found


def api_tokens_revoke(*, user: User) -> int:
    """End every token of the account (password reset, second factor reset, deactivation,
    erasure); returns how many still worked."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """The owner ends one of their tokens (found through ``api_token_for_owner``)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        event_record(
            user=user,
            action=Action.DELETE,
            object_type="api_token",
            object_id=token.pk,
            data_kind=DataKind.ACCOUNT,
        )
    return token
