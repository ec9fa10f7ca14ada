"""How the audit trail describes this capability's objects (``students/audit_objects.py``): a
publication, and a request to take one down, by the publication's title and school, linked to
the publication's page for a reader who may open it (the publication's selector); for anyone
else only its number (a title may name a pupil). One query for a page of events."""

from __future__ import annotations

from collections.abc import Sequence

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

from .models import Publication, Takedown
from .selectors.publications import publications_visible_to


def _visible(reader: AuditReader):
    # The publication's page is for those who publish (``publication_get_for``).
    if not reader.user.has_function(Function.PUBLISH):
        return None
    return publications_visible_to(reader.user)


def _description(object_type: str, publication: Publication) -> Description:
    words = {"title": publication.title, "school": publication.school.name}
    if object_type == "takedown":
        label = _("Request to take down “%(title)s”, %(school)s") % words
    else:
        label = _("Publication “%(title)s”, %(school)s") % words
    return Description(label, reverse("consent-publication", args=[publication.pk]))


def _describe_publications(reader: AuditReader, events: Sequence) -> dict[int, Description]:
    ids = object_pks(events)
    visible = _visible(reader) if ids else None
    found = {}
    if visible is not None:
        found = {p.pk: p for p in visible.filter(pk__in=ids).select_related("school").order_by()}
    return _describe(events, found)


def _describe_takedowns(reader: AuditReader, events: Sequence) -> dict[int, Description]:
    ids = object_pks(events)
    visible = _visible(reader) if ids else None
    found = {}
    if visible is not None:
        found = {
            t.pk: t.publication
            for t in Takedown.objects.filter(
                pk__in=ids, publication_id__in=visible.values("pk")
            ).select_related("publication", "publication__school")
        }
    return _describe(events, found)


def _describe(events: Sequence, found: dict[int, Publication]) -> dict[int, Description]:
    result = {}
    for e in events:
        publication = found.get(object_pk(e.object_id) or 0)
        result[e.pk] = (
            _description(e.object_type, publication)
            if publication is not None
            else Description(numbered(e.object_type, e.object_id))
        )
    return result


def audit_objects_register() -> None:
    describer_register("publication", _describe_publications)
    describer_register("takedown", _describe_takedowns)
