"""Writes of consent: purposes, decisions (append-only evidence), campaigns, publications."""

from __future__ import annotations

import datetime
import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from students.exceptions import StudentError
from students.models import Guardian, Guardianship, School, Student

from .constants import DEFAULT_PURPOSES, Channel, Decision, PublicationStatus, Status
from .models import (
    CampaignReminder,
    ConsentCampaign,
    ConsentDecision,
    ConsentPurpose,
    Publication,
    PurposeVersion,
    Takedown,
)
from .selectors import (
    campaign_lock_date,
    current_school_year,
    published_with,
    purposes_active,
    statuses_for,
)

logger = logging.getLogger(__name__)


class ConsentError(StudentError):
    default_message = _("This consent change is not possible.")


class ConsentLockedError(ConsentError):
    """Guardians can no longer give consent online after the school's lock date (409)."""

    status_code = 409


class NotAGuardianError(ConsentError):
    default_message = _("Only a guardian with parental authority can decide on consent.")


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


def _on_commit(task, *args) -> None:
    transaction.on_commit(partial(task.delay, *args))


@transaction.atomic
def consent_record(
    *,
    student: Student,
    purpose: ConsentPurpose,
    guardian_id: int,
    decision: str,
    channel: str,
    recorded_by: User,
) -> ConsentDecision:
    """Append a guardian's decision. Never updates earlier rows; the status is derived.

    Two guardians acting at once each append their own row, so nothing is lost. A refusal or
    withdrawal that ends the pupil's consent flags every published publication showing the
    pupil for that purpose for takedown.
    """
    from .tasks import guardians_inform_task, takedowns_notify_task

    if purpose.school_id != student.school_id or not purpose.is_active:
        raise ConsentError(_("This purpose does not belong to the pupil's school."))
    if decision not in Decision.values:
        raise ConsentError(_("Choose granted, refused or withdrawn."))
    if not Guardianship.objects.filter(
        student=student, guardian_id=guardian_id, has_authority=True
    ).exists():
        raise NotAGuardianError
    year = current_school_year()
    lock = campaign_lock_date(student.school_id, year)
    if (
        channel == Channel.PORTAL
        and decision == Decision.GRANTED
        and lock is not None
        and timezone.localdate() > lock
    ):
        # Withdrawing stays possible at any time (AVG art. 7(3)); giving consent after the
        # lock date goes through the school on paper.
        raise ConsentLockedError(
            _("Since %(date)s consent can no longer be given online; ask the school.")
            % {"date": date_format(lock, "DATE_FORMAT")}
        )
    version = purpose.current_version
    if version is None:  # purposes_seed gives every purpose its first text as it creates it
        raise ValueError("A consent purpose always has a current text.")
    row = ConsentDecision.objects.create(
        student=student,
        purpose=purpose,
        version=version,
        guardian_id=guardian_id,
        decision=decision,
        channel=channel,
        school_year=year,
        recorded_by=recorded_by,
    )
    event_record(
        user=recorded_by,
        action=Action.CREATE,
        object_type="consent",
        object_id=row.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=DataKind.CONSENT,
    )
    if decision != Decision.GRANTED:
        status = statuses_for(student_ids=[student.pk], purposes=[purpose])[
            (student.pk, purpose.pk)
        ]
        if status != Status.GRANTED:
            flagged = takedowns_flag(decision=row)
            if flagged:
                _on_commit(takedowns_notify_task, row.pk)
    _on_commit(guardians_inform_task, row.pk)
    return row


def takedowns_flag(*, decision: ConsentDecision) -> int:
    """Open a takedown for every published publication showing the pupil for the purpose."""
    count = 0
    for publication in published_with(
        student_id=decision.student_id, purpose_id=decision.purpose_id
    ):
        _takedown, created = Takedown.objects.get_or_create(
            publication=publication,
            student_id=decision.student_id,
            resolved_at__isnull=True,
            defaults={"decision": decision},
        )
        count += created
    return count


def _send(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    if recipients:
        with translation.override(settings.LANGUAGE_CODE):
            body = render_to_string(template, context)
        send_mail(subject, body, None, recipients)


def guardians_inform(*, decision_id: int) -> int:
    """Tell the other guardians with authority that a choice changed (no details by email)."""
    decision = ConsentDecision.objects.select_related("student", "purpose__current_version").get(
        pk=decision_id
    )
    recipients = list(
        Guardian.objects.filter(links__student_id=decision.student_id, links__has_authority=True)
        .exclude(pk=decision.guardian_id)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("A consent choice for your child was changed")
    _send(
        subject,
        "consent/email_choice_changed.txt",
        {"decision": decision, "purpose_title": decision.purpose.title},
        recipients,
    )
    return len(recipients)


def takedowns_notify(*, decision_id: int) -> int:
    """Tell the school's director(s) that publications must come down."""
    decision = ConsentDecision.objects.select_related("student").get(pk=decision_id)
    open_takedowns = Takedown.objects.filter(decision=decision, resolved_at__isnull=True)
    count = open_takedowns.count()
    if not count:
        return 0
    directors = list(
        User.objects.filter(
            groups__name=Role.DIRECTOR,
            is_active=True,
            schooluserobjectpermission__permission__codename="manage_school_consent",
            schooluserobjectpermission__content_object_id=decision.student.school_id,
        )
        .distinct()
        .values_list("email", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Consent withdrawn: %(count)s publication(s) to take down") % {"count": count}
    _send(subject, "consent/email_takedown.txt", {"count": count}, directors)
    return count


@transaction.atomic
def campaign_start(
    *,
    user: User,
    school: School,
    school_year: int,
    lock_after: datetime.date | None,
    reminder_days: int = 7,
) -> ConsentCampaign:
    from .tasks import campaign_invite_task

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


@transaction.atomic
def publication_create(
    *,
    user: User,
    school: School,
    title: str,
    purpose: ConsentPurpose,
    publish_on: datetime.date,
    pupils: list[Student],
) -> Publication:
    if purpose.school_id != school.pk or any(p.school_id != school.pk for p in pupils):
        raise ConsentError(_("The purpose and pupils must belong to one school."))
    publication = Publication.objects.create(
        school=school,
        title=title.strip(),
        purpose=purpose,
        publish_on=publish_on,
        created_by=user,
    )
    publication.pupils.set(pupils)
    event_record(
        user=user,
        action=Action.CREATE,
        object_type="publication",
        object_id=publication.pk,
        school_id=school.pk,
        data_kind=DataKind.CONSENT,
    )
    return publication


@transaction.atomic
def publication_publish(*, user: User, publication: Publication, weighed: bool) -> Publication:
    """Mark as published: every pupil shown needs effective consent, and the case was weighed."""
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    if locked.status == PublicationStatus.PUBLISHED:
        return locked
    if not weighed:
        raise ConsentError(_("Confirm that you weighed this publication for every pupil."))
    pupil_ids = list(locked.pupils.values_list("pk", flat=True))
    statuses = statuses_for(student_ids=pupil_ids, purposes=[locked.purpose])
    missing = [pk for pk in pupil_ids if statuses[(pk, locked.purpose_id)] != Status.GRANTED]
    if missing:
        raise ConsentError(
            _(
                "%(count)s pupil(s) in this publication have no consent for this purpose. Remove "
                "them from the publication (or make them unrecognisable) first."
            )
            % {"count": len(missing)}
        )
    locked.status = PublicationStatus.PUBLISHED
    locked.weighed_by = user
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "weighed_by", "published_at"])
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="publication",
        object_id=locked.pk,
        school_id=locked.school_id,
        data_kind=DataKind.CONSENT,
    )
    return locked


@transaction.atomic
def publication_remove_pupil(*, user: User, publication: Publication, student_id: int) -> None:
    publication.pupils.remove(student_id)
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="publication",
        object_id=publication.pk,
        school_id=publication.school_id,
        data_kind=DataKind.CONSENT,
    )


@transaction.atomic
def takedown_resolve(*, user: User, takedown: Takedown) -> Takedown:
    """The pupil was removed from the published item (or the item taken offline)."""
    locked = Takedown.objects.select_for_update().get(pk=takedown.pk)
    if locked.resolved_at is None:
        locked.resolved_at = timezone.now()
        locked.resolved_by = user
        locked.save(update_fields=["resolved_at", "resolved_by"])
        event_record(
            user=user,
            action=Action.UPDATE,
            object_type="takedown",
            object_id=locked.pk,
            student_id=locked.student_id,
            data_kind=DataKind.CONSENT,
        )
    return locked
