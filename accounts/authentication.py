"""``Authorization: Token <key>`` for the API, against the hashed tokens of accounts.tokens."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .tokens import TokenError, api_token_check


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's header parsing (keyword ``Token``; a malformed header answers 401), with the key
    looked up by its digest: an unknown, expired or revoked token answers 401 with a readable
    ``detail``, as does a token of an account that can no longer log in."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        try:
            token = api_token_check(key)
        except TokenError as exc:
            raise exceptions.AuthenticationFailed(exc.message) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account can no longer log in."))
        return (token.user, token)
