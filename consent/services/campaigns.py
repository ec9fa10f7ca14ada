"""The director's side: the school's purposes with their versioned texts, and the yearly
consent campaign with its invitations and reminders."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from students.models import Guardian, Guardianship, School

from ..constants import DEFAULT_PURPOSES
from ..models import (
    CampaignReminder,
    ConsentCampaign,
    ConsentDecision,
    ConsentPurpose,
    PurposeVersion,
)
from ..selectors.status import current_school_year, purposes_active
from .common import ConsentError, _on_commit, _send

logger = logging.getLogger(__name__)


@transaction.atomic
def purposes_seed(*, school: School, user: User | None = None) -> list[ConsentPurpose]:
    """Give a school the standard purposes (idempotent)."""
    created = []
    for position, (code, renewal, title_nl, title_en, text_nl, text_en) in enumerate(
        DEFAULT_PURPOSES, start=1
    ):
        purpose, is_new = ConsentPurpose.objects.get_or_create(
            school=school, code=code, defaults={"renewal": renewal, "position": position}
        )
        if is_new:
            version = PurposeVersion.objects.create(
                purpose=purpose,
                number=1,
                title_nl=title_nl,
                title_en=title_en,
                text_nl=text_nl,
                text_en=text_en,
                created_by=user,
            )
            purpose.current_version = version
            purpose.save(update_fields=["current_version"])
            created.append(purpose)
    return created


@transaction.atomic
def purpose_text_change(
    *,
    user: User,
    purpose: ConsentPurpose,
    title_nl: str,
    title_en: str,
    text_nl: str,
    text_en: str,
    requires_new_consent: bool,
) -> PurposeVersion:
    """A new wording is a new version; earlier decisions stay tied to the text they answered."""
    locked = ConsentPurpose.objects.select_for_update().get(pk=purpose.pk)
    last = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = PurposeVersion.objects.create(
        purpose=locked,
        number=last + 1,
        title_nl=title_nl.strip(),
        title_en=title_en.strip(),
        text_nl=text_nl.strip(),
        text_en=text_en.strip(),
        requires_new_consent=requires_new_consent,
        created_by=user,
    )
    locked.current_version = version
    locked.save(update_fields=["current_version"])
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="consent_purpose",
        object_id=locked.pk,
        school_id=locked.school_id,
        data_kind=DataKind.CONSENT,
    )
    return version


@transaction.atomic
def campaign_start(
    *,
    user: User,
    school: School,
    school_year: int,
    lock_after: datetime.date | None,
    reminder_days: int = 7,
) -> ConsentCampaign:
    from ..tasks import campaign_invite_task

    if ConsentCampaign.objects.filter(school=school, school_year=school_year).exists():
        raise ConsentError(_("A campaign for this school year has already been started."))
    campaign = ConsentCampaign.objects.create(
        school=school,
        school_year=school_year,
        lock_after=lock_after,
        reminder_days=reminder_days,
        started_by=user,
    )
    event_record(
        user=user,
        action=Action.CREATE,
        object_type="consent_campaign",
        object_id=campaign.pk,
        school_id=school.pk,
        data_kind=DataKind.CONSENT,
    )
    _on_commit(campaign_invite_task, campaign.pk)
    return campaign


def _guardians_to_ask(campaign: ConsentCampaign, *, unanswered_only: bool) -> list[Guardian]:
    links = Guardianship.objects.filter(
        has_authority=True,
        student__school_id=campaign.school_id,
        student__withdrawn_on__isnull=True,
    ).exclude(guardian__email="")
    if unanswered_only:
        purposes = purposes_active(campaign.school_id)
        answered = set(
            ConsentDecision.objects.filter(
                student__school_id=campaign.school_id,
                school_year=campaign.school_year,
                purpose__in=purposes,
            )
            .values_list("student_id", "guardian_id")
            .distinct()
        )
        unanswered = [
            link
            for link in links.select_related("guardian")
            if (link.student_id, link.guardian_id) not in answered
        ]
        return list({link.guardian_id: link.guardian for link in unanswered}.values())
    return list(Guardian.objects.filter(pk__in=links.values("guardian_id")))


def campaign_invite(*, campaign_id: int) -> int:
    """Email every guardian with authority a link to the consent pages (once)."""
    with transaction.atomic():
        campaign = ConsentCampaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.invitations_sent_at is not None:
            return 0
        guardians = _guardians_to_ask(campaign, unanswered_only=False)
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Consent for photos and video: please give your choice")
        for guardian in guardians:
            _send(
                subject,
                "consent/email_campaign.txt",
                {"campaign": campaign, "reminder": False},
                [guardian.email],
            )
        campaign.invitations_sent_at = timezone.now()
        campaign.save(update_fields=["invitations_sent_at"])
    logger.info("consent campaign %s: %d invitation(s)", campaign_id, len(guardians))
    return len(guardians)


def campaign_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind guardians who have not answered, every ``reminder_days`` days, until the lock
    date. Idempotent per day (a state row per guardian and day)."""
    today = today or timezone.localdate()
    sent = 0
    campaigns = ConsentCampaign.objects.filter(
        school_year=current_school_year(), invitations_sent_at__isnull=False
    )
    for campaign in campaigns:
        if campaign.lock_after and today > campaign.lock_after:
            continue
        days_running = (today - timezone.localdate(campaign.invitations_sent_at)).days
        if days_running <= 0 or days_running % max(campaign.reminder_days, 1):
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Reminder: consent for photos and video")
        for guardian in _guardians_to_ask(campaign, unanswered_only=True):
            with transaction.atomic():
                _row, created = CampaignReminder.objects.get_or_create(
                    campaign=campaign, guardian=guardian, day=today
                )
                if created:
                    _send(
                        subject,
                        "consent/email_campaign.txt",
                        {"campaign": campaign, "reminder": True},
                        [guardian.email],
                    )
                    sent += 1
    logger.info("consent reminders: %d sent", sent)
    return sent
