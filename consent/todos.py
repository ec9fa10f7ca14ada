"""Consent's items on the start page's to-do list (``students/start_page.py``), registered in
``consent/apps.py``:

- for the director, the published items that still show a pupil whose consent for its purpose
  has ended (open takedowns), one item per publication;
- for a guardian with parental authority, each child of theirs with questions of the open
  consent round they have not answered yet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.constants import Function
from students.models import Guardianship
from students.selectors import school_ids_with
from students.start_page import TodoItem, Urgency, urgency_for

from .constants import Renewal
from .models import ConsentCampaign, ConsentDecision, ConsentPurpose, Publication, Takedown
from .selectors.publications import publications_visible_to
from .selectors.status import current_school_year

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


def campaign_todos(user: User) -> list[TodoItem]:
    """A guardian with parental authority is asked, while the school's consent round of this
    school year is open (started, and its online lock date not passed), to answer each active
    purpose for their child: one item per child with purposes this guardian has not answered
    yet (their own decision, as the child's consent page shows it). A guardian without
    authority may not give consent and is not asked; a co-guardian's answer is theirs, not
    this guardian's. A child whose processing is restricted is not asked about. Its deadline
    is the lock date. Five queries, however many children."""
    if not user.has_function(Function.GIVE_CONSENT):
        return []
    year = current_school_year()
    today = timezone.localdate()
    links = list(
        Guardianship.objects.filter(
            guardian__user_id=user.pk,
            has_authority=True,
            student__withdrawn_on__isnull=True,
            student__processing_restricted=False,
        )
        .select_related("student", "student__school")
        .order_by("student__given_name", "student_id")
    )
    if not links:
        return []
    school_ids = {link.student.school_id for link in links}
    campaigns = {
        campaign.school_id: campaign
        for campaign in ConsentCampaign.objects.filter(school_id__in=school_ids, school_year=year)
        if campaign.lock_after is None or campaign.lock_after >= today
    }
    links = [link for link in links if link.student.school_id in campaigns]
    if not links:
        return []
    purposes: dict[int, list[int]] = {}
    renewal: dict[int, str] = {}
    for pk, school_id, purpose_renewal in ConsentPurpose.objects.filter(
        school_id__in=campaigns, is_active=True
    ).values_list("pk", "school_id", "renewal"):
        purposes.setdefault(school_id, []).append(pk)
        renewal[pk] = purpose_renewal
    answered = set(
        ConsentDecision.objects.filter(
            student_id__in=[link.student_id for link in links],
            guardian_id__in={link.guardian_id for link in links},
            purpose_id__in=renewal,
        )
        .filter(Q(purpose__renewal=Renewal.UNTIL_WITHDRAWN) | Q(school_year=year))
        .values_list("student_id", "guardian_id", "purpose_id")
        .distinct()
    )
    items = []
    for link in links:
        student = link.student
        open_purposes = [
            pk
            for pk in purposes.get(student.school_id, [])
            if (student.pk, link.guardian_id, pk) not in answered
        ]
        if not open_purposes:
            continue
        lock = campaigns[student.school_id].lock_after
        items.append(
            TodoItem(
                title=_("Give your consent choices for %(child)s")
                % {"child": student.display_name},
                detail=ngettext(
                    "%(count)s question not yet answered, %(school)s",
                    "%(count)s questions not yet answered, %(school)s",
                    len(open_purposes),
                )
                % {"count": len(open_purposes), "school": student.school.name},
                link=reverse("child-consent", args=[student.pk]),
                deadline=lock,
                urgency=urgency_for(lock),
            )
        )
    return items
