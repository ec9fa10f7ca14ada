"""Ids as they arrive in URLs and request bodies."""

from __future__ import annotations

# The largest primary key a bigint column holds; anything beyond cannot name a row.
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """The positive integer id ``value`` spells, or None for anything else (so a lookup with
    a malformed id answers like one for a missing row)."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None
