"""The breach register (AVG art. 33(5)) with its 72-hour clock, and the maintained text of
security measures for the processing register (AVG art. 30)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from students.models import Board, School, Student

from .constants import DECISION_HOURS, ActorKind, BreachStatus, PupilSource, Risk


class Breach(models.Model):
    board = models.ForeignKey(
        Board, verbose_name=_("school board"), on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the whole board."),
    )
    occurred_at = models.DateTimeField(_("happened at"))
    aware_at = models.DateTimeField(_("became aware at"))
    description = models.TextField(_("what happened"))
    categories = models.JSONField(_("data categories"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BreachStatus.choices, default=BreachStatus.OPEN
    )
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices, blank=True)
    notify_authority = models.BooleanField(_("notify the AP"), null=True, blank=True)
    decision_reason = models.TextField(_("why"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    authority_notified_on = models.DateField(_("AP notified on"), null=True, blank=True)
    authority_reference = models.CharField(_("AP reference"), max_length=100, blank=True)
    people_informed = models.BooleanField(_("people concerned informed"), null=True, blank=True)
    informed_how = models.TextField(_("how they were informed"), blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    reminders_sent = models.JSONField(_("reminders sent (hours)"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("data breach")
        verbose_name_plural = _("data breaches")
        ordering = ["-aware_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(aware_at__gte=models.F("occurred_at")),
                name="breach_aware_after_it_happened",
            )
        ]

    def __str__(self) -> str:
        return f"breach {self.pk}"

    @property
    def category_labels(self) -> list[str]:
        from students.attributes import DataCategory

        labels = dict(DataCategory.choices)
        return [str(labels.get(code, code)) for code in self.categories]

    @property
    def decision_due(self) -> datetime.datetime:
        """72 elapsed hours after becoming aware: weekends and clock changes do not stop it."""
        # In UTC: adding to a local (zoneinfo) time, as forms and the API hand it over, adds
        # wall-clock hours, which are 71 or 73 elapsed hours across a clock change.
        return self.aware_at.astimezone(datetime.UTC) + datetime.timedelta(hours=DECISION_HOURS)

    @property
    def hours_left(self) -> float:
        return (self.decision_due - timezone.now()).total_seconds() / 3600

    @property
    def decision_open(self) -> bool:
        return self.status == BreachStatus.OPEN


class BreachPupil(models.Model):
    breach = models.ForeignKey(
        Breach, verbose_name=_("breach"), on_delete=models.CASCADE, related_name="pupil_links"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("pupil"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("found"), max_length=20, choices=PupilSource.choices)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("pupil concerned")
        verbose_name_plural = _("pupils concerned")
        constraints = [
            models.UniqueConstraint(fields=["breach", "student"], name="breach_pupil_once")
        ]

    def __str__(self) -> str:
        return f"{self.breach_id}:{self.student_id}"


class BreachStep(models.Model):
    """Every change of a breach record: what changed, by whom, when."""

    breach = models.ForeignKey(
        Breach, verbose_name=_("breach"), on_delete=models.CASCADE, related_name="steps"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_kind = models.CharField(_("kind of actor"), max_length=10, choices=ActorKind.choices)
    summary = models.CharField(_("what"), max_length=300)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("breach step")
        verbose_name_plural = _("breach steps")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.breach_id}: {self.summary}"


class SecurityMeasures(models.Model):
    """The board's description of its security measures, kept current by the privacy
    officer and printed in the processing register."""

    board = models.OneToOneField(
        Board, verbose_name=_("school board"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("security measures"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("security measures")
        verbose_name_plural = _("security measures")

    def __str__(self) -> str:
        return f"measures {self.board_id}"
