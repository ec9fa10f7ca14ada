"""How the audit trail describes this capability's objects (``students/audit_objects.py``): a
data breach (and the letters about it) by number, the day it became known and its school,
linked to the breach's page for a reader who manages breaches there. Never its description
(free text, which may name a pupil). One query for a page of events."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
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
from students.selectors import school_ids_with

from .models import Breach
from .selectors import board_ids_for_breaches


def _describe_breaches(reader: AuditReader, events: Sequence) -> dict[int, Description]:
    ids = object_pks(events)
    found = {}
    # Checked first: the breach selectors refuse (and record it) for anyone else.
    if ids and reader.user.has_function(Function.MANAGE_BREACHES):
        found = {
            breach.pk: breach
            for breach in Breach.objects.filter(pk__in=ids)
            .filter(
                Q(school_id__in=school_ids_with(reader.user, "manage_school_breaches"))
                | Q(school__isnull=True, board_id__in=board_ids_for_breaches(reader.user))
            )
            .select_related("school")
        }
    result = {}
    for e in events:
        breach = found.get(object_pk(e.object_id) or 0)
        if breach is None:
            result[e.pk] = Description(numbered(e.object_type, e.object_id))
            continue
        label = _("Data breach #%(number)s of %(day)s, %(school)s") % {
            "number": breach.pk,
            "day": formats.date_format(timezone.localtime(breach.aware_at).date()),
            "school": breach.school.name if breach.school else _("the whole board"),
        }
        if e.object_type == "breach_notices":
            label = _("Letters about data breach #%(number)s") % {"number": breach.pk}
        result[e.pk] = Description(label, reverse("breach-detail", args=[breach.pk]))
    return result


def audit_objects_register() -> None:
    describer_register("breach", _describe_breaches)
    describer_register("breach_notices", _describe_breaches)
