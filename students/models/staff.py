"""A school's staff beyond the object permissions: accounts a director ended, and groups an
import proposes for the school's teachers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .core import Group, School


class StaffDeactivation(models.Model):
    """A staff account ended by a director: kept so the school's staff list still shows the
    account (inactive) after its permissions are gone; the history stays in the audit trail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="deactivations",
    )
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    roles = models.JSONField(_("roles"), default=list)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        # Created by the accounts app; the table keeps its name.
        db_table = "accounts_staffdeactivation"
        verbose_name = _("staff deactivation")
        verbose_name_plural = _("staff deactivations")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.at:%Y-%m-%d}"


class TeacherProposal(models.Model):
    """A group an import proposes for a teacher who already teaches at the school. An import
    never gives anyone a group or a role itself: the director confirms or dismisses each
    proposal on the staff page, and only the confirmation assigns the group."""

    class Source(models.TextChoices):
        EDEXML = "edexml", _("import of an EDEXML file")

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        DISMISSED = "dismissed", _("dismissed")

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.EDEXML
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        # Created by the accounts app; the table keeps its name.
        db_table = "accounts_teacherproposal"
        verbose_name = _("teacher proposal")
        verbose_name_plural = _("teacher proposals")
        ordering = ["proposed_at", "id"]
        constraints = [
            # Once proposed (and perhaps dismissed), importing the same file again proposes
            # the pair no more.
            models.UniqueConstraint(fields=["teacher", "group"], name="teacher_proposal_unique"),
        ]

    def __str__(self) -> str:
        return f"proposal {self.pk}"
