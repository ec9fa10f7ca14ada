"""How the audit trail describes this capability's objects (``students/audit_objects.py``): a
privacy request, and its access package, by number and kind (never the pupil: the board's
privacy officer reads these too), linked to the request's page for a reader who may open it.
One query for a page of events."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext as _

from students.audit_objects import (
    AuditReader,
    Description,
    describer_register,
    numbered,
    object_pk,
    object_pks,
)

from .constants import Kind
from .models import AccessPackage
from .selectors import REQUEST_FUNCTIONS, requests_visible_to


def _may_read_requests(reader: AuditReader) -> bool:
    return any(reader.user.has_function(function) for function in REQUEST_FUNCTIONS)


def _describe(reader: AuditReader, events: Sequence, *, by_package: bool) -> dict[int, Description]:
    ids = object_pks(events)
    found: dict[int, tuple[int, str]] = {}  # object id -> (request id, kind in words)
    if ids and _may_read_requests(reader):
        visible = requests_visible_to(reader.user)
        if by_package:
            rows = list(
                AccessPackage.objects.filter(
                    pk__in=ids, request_id__in=visible.values("pk")
                ).values_list("pk", "request_id", "request__kind")
            )
        else:
            rows = list(visible.filter(pk__in=ids).values_list("pk", "pk", "kind"))
        found = {
            pk: (request_id, str(Kind(kind).label) if kind in Kind.values else kind)
            for pk, request_id, kind in rows
        }
    result = {}
    for e in events:
        pk = object_pk(e.object_id)
        if pk in found:
            request_id, kind = found[pk]
            label = _("Privacy request #%(number)s: %(kind)s") % {
                "number": request_id,
                "kind": kind,
            }
            if by_package:
                label = _("Access package of privacy request #%(number)s") % {"number": request_id}
            result[e.pk] = Description(label, reverse("request-detail", args=[request_id]))
        else:
            result[e.pk] = Description(numbered(e.object_type, e.object_id))
    return result


def _describe_requests(reader: AuditReader, events: Sequence) -> dict[int, Description]:
    return _describe(reader, events, by_package=False)


def _describe_packages(reader: AuditReader, events: Sequence) -> dict[int, Description]:
    return _describe(reader, events, by_package=True)


def audit_objects_register() -> None:
    describer_register("privacy_request", _describe_requests)
    describer_register("access_package", _describe_packages)
