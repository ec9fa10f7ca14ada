"""Reads of an account's own things: its API tokens that still work."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from audit.constants import Action, DataKind, Outcome
from audit.services import event_record
from kernel.ids import parse_id

from .models import ApiToken
from .tokens import live_for


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """The account's own API tokens that still work, newest first (never anyone else's)."""
    return live_for(user).order_by("-created_at", "-id")


def api_token_for_owner(*, user, token_id) -> ApiToken:
    """One of the account's own working tokens; 404 for someone else's, an ended or a missing
    one alike (and the refusal is an access event)."""
    pk = parse_id(token_id)
    token = live_for(user).filter(pk=pk).first() if pk else None
    if token is None:
        # A token belongs to no school: the board's privacy officer sees the attempt.
        event_record(
            user=user,
            action=Action.VIEW,
            outcome=Outcome.DENIED,
            object_type="api_token",
            object_id=token_id,
            data_kind=DataKind.ACCOUNT,
        )
        raise Http404
    return token
