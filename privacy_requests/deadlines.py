"""Legal deadlines for data-subject requests (AVG art. 12(3)).

A period of months ends on the same date in the last month as the day the request came in, or
on that month's last day when it has no such date (EU Regulation 1182/71 art. 3(2)(c)):
31 January plus one month is 28 February, or 29 February in a leap year.
"""

from __future__ import annotations

import datetime

from kernel.dates import months_add

from .constants import DEADLINE_MONTHS, MAX_EXTENSION_MONTHS

__all__ = ["due_date_for", "months_add"]


def due_date_for(received_on: datetime.date, extension_months: int = 0) -> datetime.date:
    """The answer is due one month after receipt, plus at most two months of extension.
    Counted from the day of receipt each time, so a short month does not shorten the rest."""
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"extension of {extension_months} months is outside 0..2")
    return months_add(received_on, DEADLINE_MONTHS + extension_months)
