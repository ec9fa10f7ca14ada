"""Ids as they arrive in URLs and request bodies."""

from __future__ import annotations

# The largest primary key a bigint column holds; anything beyond cannot name a row.
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """The positive integer id ``value`` spells, or None for anything else (so a lookup with
    a malformed id answers like one for a missing row). Only ASCII digits spell an id: ``int``
    would also read "+7", " 7", "1_0" and digits of other scripts (Arabic-Indic, full-width),
    giving one row many addresses."""
    text = value if isinstance(value, str) else str(value) if isinstance(value, int) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
