"""The demo's consent: this year's campaign, the families' decisions and one publication."""

from __future__ import annotations

from django.utils import timezone

from consent.constants import Channel, Decision
from consent.models import ConsentCampaign, ConsentDecision, ConsentPurpose
from consent.selectors.status import statuses_for
from consent.services import publication_create, publication_publish
from students.models import Guardianship, School, Student

from .people import DOMAIN, Demo, user_of


def consent_load(demo: Demo, samen: School, *, child3: Student, child6: Student) -> None:
    """This year's campaign, decisions of most families and one published website item
    showing the Groep 3 child of ouder@ (the demo story). The purposes come with the school
    (onboarding/services.py)."""
    rng, year = demo.rng, demo.year
    director = user_of("directeur")
    ConsentCampaign.objects.create(
        school=samen,
        school_year=year,
        started_by=director,
        invitations_sent_at=timezone.now(),
    )
    purposes = list(samen.purposes.select_related("current_version"))
    links = Guardianship.objects.filter(
        student__school=samen, has_authority=True, student__withdrawn_on__isnull=True
    ).select_related("guardian")
    decisions = []
    demo_children = {child3.pk, child6.pk}
    for link in links:
        if link.student_id in demo_children:
            # ouder@'s children carry no refusal: a guardian's first choice decides.
            if link.guardian.email == f"ouder@{DOMAIN}":
                chosen = [
                    p for p in purposes if p.code in ("website", "newsletter", "school_guide")
                ]
                decisions += [_decision(link, p, Decision.GRANTED, year) for p in chosen]
            continue
        if rng.random() < 0.25:
            continue  # has not answered yet
        for purpose in purposes:
            if rng.random() < 0.15:
                continue
            decision = Decision.GRANTED if rng.random() < 0.8 else Decision.REFUSED
            decisions.append(
                _decision(link, purpose, decision, year, channel=rng.choice(list(Channel)))
            )
    ConsentDecision.objects.bulk_create(decisions)

    website = next(p for p in purposes if p.code == "website")
    group3 = child3.group
    if group3 is None:
        raise RuntimeError("the demo places child3 in a group")
    classmates = list(group3.students.exclude(pk=child3.pk).order_by("id"))
    statuses = statuses_for(student_ids=[c.pk for c in classmates], purposes=[website])
    allowed = [c for c in classmates if statuses[(c.pk, website.pk)] == "granted"]
    shown = [child3, *allowed[:4]]
    publication = publication_create(
        user=director,
        school=samen,
        title="Schoolreisje groep 3 naar de kinderboerderij",
        purpose=website,
        publish_on=timezone.localdate(),
        pupils=shown,
    )
    publication_publish(user=director, publication=publication, weighed=True)


def _decision(
    link: Guardianship,
    purpose: ConsentPurpose,
    decision: str,
    year: int,
    channel: str = Channel.PORTAL,
) -> ConsentDecision:
    return ConsentDecision(
        student_id=link.student_id,
        purpose=purpose,
        version=purpose.current_version,
        guardian=link.guardian,
        decision=decision,
        channel=channel,
        school_year=year,
        recorded_by=link.guardian.user,
    )
