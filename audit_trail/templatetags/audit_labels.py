from django import template

from accounts.constants import Role
from audit.constants import DataKind

register = template.Library()


@register.filter
def role_labels(value: str) -> str:
    """'care_coordinator,teacher' -> the translated role names."""
    names = [part for part in (value or "").split(",") if part]
    return ", ".join(str(Role(n).label) if n in Role.values else n for n in names) or "—"


@register.filter
def data_kind_label(value: str) -> str:
    return str(DataKind(value).label) if value in DataKind.values else (value or "—")
