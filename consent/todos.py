"""Consent's items on the start page's to-do list (``students/start_page.py``), registered in
``consent/apps.py``: for the director, the published items that still show a pupil whose
consent for its purpose has ended (open takedowns), one item per publication."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.constants import Function
from students.selectors import school_ids_with
from students.start_page import TodoItem, Urgency

from .models import Publication, Takedown
from .selectors.publications import publications_visible_to

if TYPE_CHECKING:
    from accounts.models import User


def takedown_todos(user: User) -> list[TodoItem]:
    """The director is told of a takedown (``takedowns_notify``: the schools where they manage
    consent) and resolves it on the publication's page (a publication they may open): each
    such publication with open takedowns. Consent has ended, so it is due soon."""
    if not (user.has_function(Function.MANAGE_CONSENT) and user.has_function(Function.PUBLISH)):
        return []
    still_open = Q(takedowns__resolved_at__isnull=True, takedowns__isnull=False)
    publications = (
        Publication.objects.filter(
            pk__in=publications_visible_to(user).values("pk"),
            school_id__in=school_ids_with(user, "manage_school_consent"),
        )
        .filter(pk__in=Takedown.objects.filter(resolved_at__isnull=True).values("publication_id"))
        .annotate(
            open_takedowns=Count("takedowns", filter=still_open),
            flagged=Min("takedowns__flagged_at", filter=still_open),
        )
        .select_related("school")
        .order_by("flagged", "pk")
    )
    return [
        TodoItem(
            title=_("Take down “%(title)s” or remove the pupils concerned")
            % {"title": publication.title},
            detail=ngettext(
                "Consent withdrawn for %(count)s pupil, %(school)s",
                "Consent withdrawn for %(count)s pupils, %(school)s",
                publication.open_takedowns,
            )
            % {"count": publication.open_takedowns, "school": publication.school.name},
            link=reverse("consent-publication", args=[publication.pk]),
            urgency=Urgency.DUE_SOON,
        )
        for publication in publications
    ]
