"""Restrictions and objections in force on a pupil's data (AVG art. 18 and 21).

A restriction keeps the data stored but stops its use: staff see a banner and the disclosure
gate leaves the pupil out except where the law requires the data. An objection stops the
optional processing it names: consent-based purposes and recipients count as refused. Both are
lifted, never deleted, so the history stays.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..constants import LimitKind
from .core import Student


class ProcessingLimitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(lifted_at__isnull=True)


class ProcessingLimit(models.Model):
    student = models.ForeignKey(
        Student, verbose_name=_("pupil"), on_delete=models.CASCADE, related_name="limits"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LimitKind.choices)
    categories = models.JSONField(
        _("data categories"),
        default=list,
        blank=True,
        help_text=_("For a restriction: the data categories it covers; empty means all data."),
    )
    purpose_codes = models.JSONField(
        _("consent purposes"),
        default=list,
        blank=True,
        help_text=_(
            "For an objection: the consent purposes it stops; empty means all optional processing."
        ),
    )
    request_id = models.PositiveBigIntegerField(_("privacy request"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    started_at = models.DateTimeField(_("in force since"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    objects = ProcessingLimitQuerySet.as_manager()

    class Meta:
        verbose_name = _("processing limit")
        verbose_name_plural = _("processing limits")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.student_id}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    @property
    def covers_everything(self) -> bool:
        return not (self.categories or self.purpose_codes)
