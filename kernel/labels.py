"""The words for the codes a person may see: one registry of labels per kind.

A code (a role ``care_coordinator``, an attribute ``date_of_birth``, a purpose ``newsletter``,
a request status ``in_progress``) is the database's word; a page, a letter or a file for a
person shows its label, in the reader's language. Each app registers its kinds in its
``AppConfig.ready()``::

    from kernel.labels import register
    register("role", Role)                      # a TextChoices class
    register("attribute", [(code, label), ...])  # or pairs of code and (lazy) label

and everything above reads them: ``label("role", "teacher")`` in Python,
``{{ code|label:"role" }}`` and ``{{ codes|labels:"attribute"|join:", " }}`` in a template
(``{% load labels %}``, students/templatetags/labels.py). ``known_codes()`` gives every
registered code, for the test that no page shows one (tests/test_permission_matrix.py).

The kernel imports nothing of the apps: they register, the kernel keeps the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_REGISTRY: dict[str, dict[str, Any]] = {}


def register(kind: str, choices: Any) -> None:
    """Register the labels of one kind: a ``TextChoices`` class or ``(code, label)`` pairs.
    Registering a kind again adds to it (a code registered twice keeps its latest label)."""
    pairs: Iterable[tuple[str, Any]] = getattr(choices, "choices", choices)
    table = _REGISTRY.setdefault(kind, {})
    for code, text in pairs:
        table[str(code)] = text


def label(kind: str, code: Any) -> str:
    """The label of ``code`` in the active language; an unknown code (or kind) is returned as
    it is, and an empty one as an empty string, so a page never breaks on new data."""
    if code is None or code == "":
        return ""
    text = _REGISTRY.get(kind, {}).get(str(code))
    return str(text) if text is not None else str(code)


def labels(kind: str, codes: Iterable[Any] | str | None) -> list[str]:
    """The labels of several codes, in their order; a string is read as comma-separated codes
    (as the audit trail stores a person's roles)."""
    if not codes:
        return []
    if isinstance(codes, str):
        codes = [part for part in codes.split(",") if part]
    return [label(kind, code) for code in codes]


def is_known(kind: str, code: Any) -> bool:
    return str(code) in _REGISTRY.get(kind, {})


def kinds() -> list[str]:
    return sorted(_REGISTRY)


def known_codes(kind: str | None = None) -> set[str]:
    """Every registered code (of one kind, or of all kinds)."""
    if kind is not None:
        return set(_REGISTRY.get(kind, {}))
    return {code for table in _REGISTRY.values() for code in table}
