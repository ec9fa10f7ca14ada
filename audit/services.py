"""Writing the audit trail. The only code that creates AccessEvent rows."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from . import context
from .constants import SPECIAL_CATEGORY_KINDS, Action, DataKind, Outcome
from .models import AccessEvent

logger = logging.getLogger(__name__)


def _text(value: Any, max_length: int) -> str:
    """A caller-supplied id or path as evidence: a NUL (which PostgreSQL cannot store in text,
    and which a crafted URL may carry) becomes U+FFFD, so the odd request is still recorded."""
    return str(value).replace("\x00", "\ufffd")[:max_length]


def _role_of(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return ",".join(sorted(user.role_names))


def event_record(
    *,
    user,
    action: Action,
    outcome: Outcome = Outcome.ALLOWED,
    object_type: str = "",
    object_id: Any = "",
    data_kind: DataKind | str = "",
    student_id: int | None = None,
    school_id: int | None = None,
    actor_id: int | None = None,
) -> AccessEvent | None:
    """Record one event.

    Allowed events are written at once, inside the caller's transaction, so they commit (or
    roll back) with the action they describe. Denied events must outlive the failing request:
    inside a request they are handed to the audit middleware, which writes them after the
    request's transaction has ended; outside one they are written in their own transaction.
    """
    ctx = context.current()
    row = {
        "actor_id": actor_id if actor_id is not None else getattr(user, "pk", None),
        "role": _role_of(user),
        "action": action,
        "outcome": outcome,
        "data_kind": data_kind,
        "special_category": data_kind in SPECIAL_CATEGORY_KINDS,
        "object_type": object_type,
        "object_id": _text(object_id, 64) if object_id not in (None, "") else "",
        "student_id": student_id,
        "school_id": school_id,
        "request_id": ctx.request_id if ctx else "",
        "path": _text(ctx.path if ctx else "", 300),
    }
    if outcome == Outcome.DENIED:
        if ctx is not None and ctx.deferred:
            ctx.pending_denied.append(row)
            return None
        with transaction.atomic():
            return AccessEvent.objects.create(**row)
    return AccessEvent.objects.create(**row)


def pending_denied_flush(ctx: context.AuditContext) -> int:
    """Write the denied events of a finished request, in their own transaction."""
    rows, ctx.pending_denied = ctx.pending_denied, []
    if not rows:
        return 0
    with transaction.atomic():
        AccessEvent.objects.bulk_create([AccessEvent(**row) for row in rows])
    logger.info("audit: %d denied event(s) recorded for request %s", len(rows), ctx.request_id)
    return len(rows)
