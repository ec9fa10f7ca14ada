"""The plan for the next school year of one school: who stays back a year, where the Groep 8
leavers go, which teachers take which group. The groups themselves follow this year's."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .core import School


class RolloverPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        SCHEDULED = "scheduled", _("Scheduled for 1 August")
        APPLIED = "applied", _("Applied")

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    school_year = models.PositiveSmallIntegerField(_("school year"))
    kept_back = models.JSONField(_("pupils kept back"), default=list, blank=True)
    destinations = models.JSONField(_("leavers' destinations"), default=dict, blank=True)
    teachers = models.JSONField(_("teachers per group"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    result = models.JSONField(_("what was applied"), default=dict, blank=True)

    class Meta:
        verbose_name = _("rollover plan")
        verbose_name_plural = _("rollover plans")
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="one_plan_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.school_year}"
