"""``Authorization: Token <key>`` for the API, against the hashed tokens of accounts.tokens."""

from __future__ import annotations

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
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


def _api_client(request) -> bool:
    """A request from a program rather than a browser: it sends credentials in a header, or
    asks for JSON and not for a page."""
    if "Authorization" in request.headers:
        return True
    types = {f"{t.main_type}/{t.sub_type}" for t in request.accepted_types}
    return "application/json" in types and "text/html" not in types


class SessionOrTokenRequiredMixin(AccessMixin):
    """For the download links the API hands out (exports, access packages): the person who
    received the link opens it with either of their logins, the browser session or the API
    token, authenticated as the API does (``ApiTokenAuthentication`` first: a token that is
    unknown, expired or revoked is no login, whatever the session). Without a login a browser
    goes to the login page and comes back; an API client gets 401 with a readable ``detail``.
    Which account may open what stays the view's own check (anyone else: 404)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            found = ApiTokenAuthentication().authenticate(request)
        except exceptions.AuthenticationFailed as exc:
            return self.unauthenticated(request, str(exc.detail))
        if found is not None:
            request.user, request.auth = found
        if not request.user.is_authenticated:
            return self.unauthenticated(request)
        return super().dispatch(request, *args, **kwargs)

    def unauthenticated(self, request, detail: str | None = None):
        if detail is None and not _api_client(request):
            return redirect_to_login(request.get_full_path(), self.get_login_url())
        response = JsonResponse(
            {"detail": detail or str(exceptions.NotAuthenticated.default_detail)}, status=401
        )
        # The stubs give the base class's ``str | None``; TokenAuthentication answers its keyword.
        response["WWW-Authenticate"] = ApiTokenAuthentication().authenticate_header(request)  # type: ignore[assignment]
        return response
