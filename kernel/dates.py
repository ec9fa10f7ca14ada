"""Calendar arithmetic the apps share.

A period of months ends on the same date in the last month as the day it starts, or on that
month's last day when it has no such date (EU Regulation 1182/71 art. 3(2)(c)): 31 January
plus one month is 28 February, or 29 February in a leap year.
"""

from __future__ import annotations

import calendar
import datetime


def months_add(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` (negative: back), clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def school_year_label(school_year: int | str | None) -> str:
    """A school year as people write it: 2026 -> "2026-2027" (a school year starts on
    1 August; ``school_year`` is the calendar year it starts in)."""
    if school_year is None or school_year == "":
        return ""
    year = int(school_year)
    return f"{year}-{year + 1}"
