"""Stored files that leave storage once nobody may fetch them any more.

Each app registers, in its ``AppConfig.ready()``, how its own stored files expire
(``expiry_register``): a function that removes what is past its period at a moment and says
how many rows or files lost theirs. The hourly job (``retention/expiry.py``) runs them all in
ascending ``order``. ``files_expire`` is the common case: rows whose file fields are emptied
once a condition holds.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction


@dataclass(frozen=True)
class Expiry:
    name: str  # the key of its count, e.g. "packages"
    order: int
    expire: Callable[[datetime.datetime], int]


_expiries: dict[str, Expiry] = {}


def expiry_register(name: str, expire: Callable[[datetime.datetime], int], *, order: int) -> None:
    """``expire(now)`` removes the stored files past their period; registering again under the
    same name replaces the earlier entry."""
    _expiries[name] = Expiry(name, order, expire)


def expiries_run(*, now: datetime.datetime) -> dict[str, int]:
    """Every registered expiry in turn; how many each removed."""
    return {
        item.name: item.expire(now)
        for item in sorted(_expiries.values(), key=lambda item: (item.order, item.name))
    }


def files_expire(model: type[models.Model], fields: tuple[str, ...], expired: models.Q) -> int:
    """Delete the files of the ``expired`` rows, one row per transaction; how many rows.

    The file is deleted before its row is emptied, in the row's own transaction: a failure in
    between leaves a row naming a file that is gone (no page serves an expired file) and the
    next run empties it, never a file that no row names."""
    has_file = models.Q()
    for field in fields:
        has_file |= ~models.Q(**{field: ""})
    ids = list(
        model._default_manager.filter(expired, has_file).order_by("pk").values_list("pk", flat=True)
    )
    emptied = 0
    for pk in ids:
        with transaction.atomic():
            row = (
                model._default_manager.select_for_update().filter(expired, has_file, pk=pk).first()
            )
            if row is None:  # emptied meanwhile by another run or by erasure
                continue
            for field in fields:
                stored = getattr(row, field)
                if stored:
                    stored.storage.delete(stored.name)
            model._default_manager.filter(pk=pk).update(**dict.fromkeys(fields, ""))
            emptied += 1
    return emptied
