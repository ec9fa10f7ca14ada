"""Consent purposes with versioned texts, decisions as append-only evidence, campaigns and
publications. The effective status is derived (consent/selectors/status.py), never stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from students.models import Guardian, School, Student

from .constants import Channel, Decision, PublicationStatus, Renewal


class ConsentPurpose(models.Model):
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="purposes"
    )
    code = models.SlugField(_("code"), max_length=40)
    renewal = models.CharField(_("renewal"), max_length=20, choices=Renewal.choices)
    organisation = models.CharField(
        _("organisation"),
        max_length=200,
        blank=True,
        help_text=_("For sharing data: the organisation that receives it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    current_version = models.ForeignKey(
        "PurposeVersion",
        verbose_name=_("current text"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent purpose")
        verbose_name_plural = _("consent purposes")
        ordering = ["school_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="purpose_code_per_school")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        return self.current_version.title if self.current_version else self.code


class PurposeVersion(models.Model):
    """One wording of a purpose. Decisions point at the version the guardian answered."""

    purpose = models.ForeignKey(
        ConsentPurpose,
        verbose_name=_("purpose"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    number = models.PositiveSmallIntegerField(_("version"))
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    text_nl = models.TextField(_("text (Dutch)"))
    text_en = models.TextField(_("text (English)"))
    requires_new_consent = models.BooleanField(
        _("asks consent again"),
        default=False,
        help_text=_("A material change: consent given to earlier texts no longer counts."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("purpose text")
        verbose_name_plural = _("purpose texts")
        ordering = ["purpose_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "number"], name="purpose_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.purpose_id} v{self.number}"

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" else self.title_nl

    @property
    def text(self) -> str:
        return self.text_en if get_language() == "en" else self.text_nl


class ConsentDecisionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Consent decisions are append-only evidence.")

    def delete(self):
        raise TypeError(
            "Consent decisions are append-only; only the retention service removes them."
        )


class ConsentDecision(models.Model):
    """One guardian's answer for one pupil and purpose: evidence, never changed afterwards."""

    student = models.ForeignKey(
        Student, verbose_name=_("pupil"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.ForeignKey(
        ConsentPurpose, verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        PurposeVersion,
        verbose_name=_("text answered"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    guardian = models.ForeignKey(
        Guardian, verbose_name=_("guardian"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    school_year = models.PositiveSmallIntegerField(_("school year"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ConsentDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent decision")
        verbose_name_plural = _("consent decisions")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["student", "purpose", "guardian", "id"])]

    def __str__(self) -> str:
        return f"{self.student_id}/{self.purpose_id}: {self.decision}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Consent decisions are append-only evidence.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Consent decisions are append-only evidence.")


class ConsentCampaign(models.Model):
    """The yearly round: guardians are asked for the school year's consents."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    school_year = models.PositiveSmallIntegerField(_("school year"))
    lock_after = models.DateField(
        _("guardians' changes locked after"),
        null=True,
        blank=True,
        help_text=_(
            "After this date guardians can no longer give consent online (withdrawing "
            "always stays possible; staff can still record paper forms)."
        ),
    )
    reminder_days = models.PositiveSmallIntegerField(_("remind every (days)"), default=7)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    invitations_sent_at = models.DateTimeField(_("invitations sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent campaign")
        verbose_name_plural = _("consent campaigns")
        ordering = ["-school_year", "school_id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="campaign_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.school_year}"


class CampaignReminder(models.Model):
    """State row: which guardian was reminded when (idempotent reminders)."""

    campaign = models.ForeignKey(ConsentCampaign, on_delete=models.CASCADE, related_name="+")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("campaign reminder")
        verbose_name_plural = _("campaign reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "guardian", "day"], name="one_reminder_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.guardian_id} {self.day}"


class Publication(models.Model):
    """A photo or video about to be used: checked against consent at the moment of use."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    purpose = models.ForeignKey(
        ConsentPurpose,
        verbose_name=_("purpose / channel"),
        on_delete=models.PROTECT,
        related_name="publications",
    )
    publish_on = models.DateField(_("date"))
    pupils = models.ManyToManyField(Student, verbose_name=_("pupils shown"), related_name="+")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
    )
    weighed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("weighed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-publish_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=PublicationStatus.PUBLISHED) | Q(weighed_by__isnull=False),
                name="published_only_when_weighed",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Takedown(models.Model):
    """A published publication shows a pupil whose consent for its purpose has ended."""

    publication = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="takedowns",
    )
    student = models.ForeignKey(
        Student, verbose_name=_("pupil"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.ForeignKey(
        ConsentDecision, verbose_name=_("because of"), on_delete=models.PROTECT, related_name="+"
    )
    flagged_at = models.DateTimeField(_("flagged at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("takedown")
        verbose_name_plural = _("takedowns")
        ordering = ["resolved_at", "-flagged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "student"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_takedown_per_pupil",
            )
        ]

    def __str__(self) -> str:
        return f"{self.publication_id}/{self.student_id}"
