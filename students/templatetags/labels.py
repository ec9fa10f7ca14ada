"""Template filters for the words of codes (kernel/labels.py) and of school years.

``{% load labels %}``, then ``{{ member_role|label:"role" }}``,
``{{ codes|labels:"attribute"|join:", " }}`` and ``{{ campaign.school_year|school_year }}``.
"""

from __future__ import annotations

from typing import Any

from django import template

from kernel import labels as registry
from kernel.dates import school_year_label

register = template.Library()


@register.filter
def label(code: Any, kind: str) -> str:
    """The label of one code of ``kind`` in the reader's language."""
    return registry.label(kind, code)


@register.filter
def labels(codes: Any, kind: str) -> list[str]:
    """The labels of several codes (a list, or a comma-separated string)."""
    return registry.labels(kind, codes)


@register.filter
def school_year(year: Any) -> str:
    """2026 -> "2026-2027"."""
    return school_year_label(year)
