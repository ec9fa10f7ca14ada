"""How the audit trail describes the objects of this capability (``students/audit_objects.py``):
an export links to its page for the one who asked for it, the only one who may open it."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse

from accounts.constants import Function
from students.audit_objects import (
    Description,
    describer_register,
    object_pk,
    object_pks,
    object_type_label,
)


def _describe_exports(reader, events: Sequence) -> dict[int, Description]:
    ids = object_pks(events)
    own: set[int] = set()
    if ids and reader.user.has_function(Function.RUN_EXPORTS):
        from .selectors import exports_of

        own = set(exports_of(reader.user).filter(pk__in=ids).values_list("pk", flat=True))
    label = object_type_label("export")
    found = {}
    for e in events:
        pk = object_pk(e.object_id)
        url = reverse("export-detail", args=[pk]) if pk in own else None
        found[e.pk] = Description(f"{label} {e.object_id}".strip(), url)
    return found


def audit_objects_register() -> None:
    describer_register("export", _describe_exports)
    describer_register("export_download", _describe_exports)
