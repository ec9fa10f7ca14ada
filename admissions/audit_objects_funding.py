"""How the audit trail describes a funding registration (``students/audit_objects.py``): by
its reference, kind and school, never the pupil's name (the pupil's number is on the event),
linked to the registrations list for a reader who handles that school's registrations. One
query for a page."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.constants import Function
from kernel.labels import label
from students.audit_objects import (
    AuditReader,
    Description,
    describer_register,
    numbered,
    object_pk,
    object_pks,
)
from students.selectors import school_ids_with

from .models import FundingRegistration
from .selectors.funding import PERMISSION


def _describe(reader: AuditReader, events: Sequence) -> dict[int, Description]:
    ids = object_pks(events)
    found: dict[int, FundingRegistration] = {}
    if ids:
        found = {
            r.pk: r for r in FundingRegistration.objects.filter(pk__in=ids).select_related("school")
        }
    linked: set[int] = set()
    if found and reader.user.has_function(Function.HANDLE_FUNDING_REGISTRATIONS):
        linked = set(
            FundingRegistration.objects.filter(
                pk__in=list(found), school_id__in=school_ids_with(reader.user, PERMISSION)
            ).values_list("pk", flat=True)
        )
    page = reverse("registration-list")
    result = {}
    for event in events:
        registration = found.get(object_pk(event.object_id) or 0)
        if registration is None:
            result[event.pk] = Description(numbered(event.object_type, event.object_id))
            continue
        words = _("Funding registration BRON-%(brin)s-%(number)s (%(kind)s), %(school)s") % {
            "brin": registration.school.brin,
            "number": registration.pk,
            "kind": str(label("registration_kind", registration.kind)).lower(),
            "school": registration.school.name,
        }
        url = f"{page}#registration-{registration.pk}" if registration.pk in linked else None
        result[event.pk] = Description(words, url)
    return result


def audit_objects_register() -> None:
    describer_register("funding_registration", _describe)
