"""The audit context of the current request or job (request id, pending denied events)."""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class AuditContext:
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    path: str = ""
    # Denied events are held here and written by the middleware after the request's
    # transaction has ended, so they survive its rollback.
    pending_denied: list[dict[str, Any]] = field(default_factory=list)
    deferred: bool = False


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "audit_context", default=None
)


def current() -> AuditContext | None:
    return _current.get()


def activate(ctx: AuditContext) -> contextvars.Token:
    return _current.set(ctx)


def deactivate(token: contextvars.Token) -> None:
    _current.reset(token)
