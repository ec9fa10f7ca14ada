from django import template

from kernel.labels import label, labels

register = template.Library()


@register.filter
def role_labels(value: str) -> str:
    """'care_coordinator,teacher' -> the translated role names."""
    return ", ".join(labels("role", value)) or "—"


@register.filter
def data_kind_label(value: str) -> str:
    return label("data_kind", value) or "—"
