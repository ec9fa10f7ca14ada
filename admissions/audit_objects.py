"""How the audit trail describes an application (``students/audit_objects.py``): by its
reference, never the child's name (the board's privacy officer reads these too), linked to
the application's staff page for a reader who may open it. Two queries for a page of events."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.constants import Function
from students.audit_objects import (
    AuditReader,
    Description,
    describer_register,
    numbered,
    object_pk,
    object_pks,
)
from students.selectors.pupils import school_ids_with

from .models import Application

# Who may open an application's page, and on which schools.
_OPENS = (
    (Function.HANDLE_APPLICATIONS, "handle_school_applications"),
    (Function.DECIDE_APPLICATIONS, "decide_school_applications"),
    (Function.READ_APPLICATION_SUPPORT, "read_school_application_support"),
)


def _describe(reader: AuditReader, events: Sequence) -> dict[int, Description]:
    ids = object_pks(events)
    rows: dict[int, tuple[str, bool]] = {}  # pk -> (reference, the reader may open it)
    if ids:
        codenames = [code for function, code in _OPENS if reader.user.has_function(function)]
        opens = Q(pk__in=[])
        for codename in codenames:
            opens |= Q(school_id__in=school_ids_with(reader.user, codename))
        found = Application.objects.filter(pk__in=ids)
        openable = set(found.filter(opens).values_list("pk", flat=True)) if codenames else set()
        rows = {
            pk: (reference, pk in openable)
            for pk, reference in found.values_list("pk", "reference")
        }
    result = {}
    for e in events:
        pk = object_pk(e.object_id)
        if pk in rows:
            reference, may_open = rows[pk]
            url = reverse("application-detail", args=[pk]) if may_open else None
            result[e.pk] = Description(
                _("Application %(reference)s") % {"reference": reference}, url
            )
        else:
            result[e.pk] = Description(numbered(e.object_type, e.object_id))
    return result


def audit_objects_register() -> None:
    describer_register("application", _describe)
