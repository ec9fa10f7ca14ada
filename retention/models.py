"""Retention rules (data the director edits, every change kept), legal holds, runs with their
report, and the tombstone entries that say what was removed from a pupil, when and why.

Anonymised grade lists are kept as ``ArchivedResult`` rows without any link to a person.
"""

from __future__ import annotations

import datetime
import functools
import operator

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from students import erasure
from students.models import Board, School, Student

from .constants import BOUNDS, Category, RuleAction, RunStatus, Trigger


def _within_bounds() -> models.Q:
    """Each category's period between its floor and its ceiling (constants.BOUNDS)."""
    return functools.reduce(
        operator.or_,
        (
            models.Q(
                category=category,
                period_months__gte=bounds.floor,
                period_months__lte=bounds.ceiling,
            )
            for category, bounds in BOUNDS.items()
        ),
    )


class RetentionRule(models.Model):
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("data"), max_length=40, choices=Category.choices)
    period_months = models.PositiveSmallIntegerField(
        _("kept for (months)"),
        help_text=_(
            "Counted from the day the pupil left; access events from their date. For access "
            "events this is the board's log policy, which the board's privacy officer sets."
        ),
    )
    action = models.CharField(_("then"), max_length=20, choices=RuleAction.choices)
    enabled = models.BooleanField(
        _("in the nightly job"),
        default=False,
        help_text=_("Only enabled rules run at night; the preview shows every rule."),
    )
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["school_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "category"], name="one_rule_per_category"),
            models.CheckConstraint(
                condition=_within_bounds(), name="rule_period_within_category_bounds"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id}:{self.category}"


class RuleChange(models.Model):
    """Every change of a rule, with the values before and after; the audit event of the
    change names this row (``retention_rule_change``). No ``changed_by``: a migration."""

    rule = models.ForeignKey(
        RetentionRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)

    class Meta:
        verbose_name = _("rule change")
        verbose_name_plural = _("rule changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.changed_at:%Y-%m-%d}"


class BoardLogPolicy(models.Model):
    """The board's log policy: how long the access events of every school of the board are
    kept. Set by the board's privacy officer, never by a director, whose own looks the events
    record. A board without a row keeps them ``ACCESS_EVENT_DEFAULT_MONTHS``."""

    board = models.OneToOneField(
        Board, verbose_name=_("school board"), on_delete=models.PROTECT, related_name="+"
    )
    access_event_months = models.PositiveSmallIntegerField(_("access events kept for (months)"))
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("log policy")
        verbose_name_plural = _("log policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    access_event_months__gte=BOUNDS[Category.AUDIT_EVENTS].floor,
                    access_event_months__lte=BOUNDS[Category.AUDIT_EVENTS].ceiling,
                ),
                name="log_policy_within_bounds",
            )
        ]

    def __str__(self) -> str:
        return f"{self.board_id}: {self.access_event_months}"


class LogPolicyChange(models.Model):
    """Every change of a board's access-event period, with the period before and after (the
    one in force before, the default when none was set). No ``changed_by``: a migration."""

    policy = models.ForeignKey(
        BoardLogPolicy, verbose_name=_("log policy"), on_delete=models.PROTECT, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    before_months = models.PositiveSmallIntegerField(_("before (months)"))
    after_months = models.PositiveSmallIntegerField(_("after (months)"))

    class Meta:
        verbose_name = _("log policy change")
        verbose_name_plural = _("log policy changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.policy_id}: {self.before_months} -> {self.after_months}"


class LegalHold(models.Model):
    """While a hold is in force nothing of the pupil is deleted or anonymised."""

    student = models.ForeignKey(
        Student, verbose_name=_("pupil"), on_delete=models.PROTECT, related_name="legal_holds"
    )
    reason = models.TextField(_("reason"))
    until = models.DateField(_("until"), null=True, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at", "-id"]

    def __str__(self) -> str:
        return f"hold {self.student_id}"

    def in_force_on(self, day: datetime.date) -> bool:
        return self.lifted_at is None and (self.until is None or self.until >= day)


class RetentionRun(models.Model):
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    categories = models.JSONField(_("rules"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    counts = models.JSONField(_("counts"), default=dict)
    errors = models.TextField(_("errors"), blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class ErasureRecord(models.Model):
    """One line of a pupil's tombstone: which data went, how, when and under which rule or
    request. It never holds the personal data itself."""

    student = models.ForeignKey(
        Student, verbose_name=_("pupil"), on_delete=models.PROTECT, related_name="erasures"
    )
    category = models.CharField(_("data"), max_length=40)
    action = models.CharField(_("what happened"), max_length=20, choices=RuleAction.choices)
    count = models.PositiveIntegerField(_("records"), default=0)
    rule = models.ForeignKey(
        RetentionRule,
        verbose_name=_("rule"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    run = models.ForeignKey(
        RetentionRun,
        verbose_name=_("run"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="erasures",
    )
    request_id = models.PositiveBigIntegerField(_("privacy request"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["student", "category"])]

    def __str__(self) -> str:
        return f"{self.student_id}: {self.category} {self.action}"

    @property
    def category_label(self) -> str:
        """The rule's category, or the one an erasure request named (registered by its app)."""
        labels = dict(Category.choices) | erasure.category_labels()
        return str(labels.get(self.category, self.category))


class ArchivedResult(models.Model):
    """A grade kept for the archive after the pupil file's period, with no link to the pupil:
    school, school year, year group, subject, period and result only."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    school_year = models.PositiveSmallIntegerField(_("school year"), null=True, blank=True)
    year_group = models.PositiveSmallIntegerField(_("year group"))
    subject = models.CharField(_("subject"), max_length=20)
    period = models.CharField(_("period"), max_length=20)
    result = models.CharField(_("result"), max_length=20)
    archived_at = models.DateTimeField(_("archived at"), default=timezone.now)

    class Meta:
        verbose_name = _("archived result")
        verbose_name_plural = _("archived results")
        ordering = ["school_id", "school_year", "year_group", "subject", "id"]

    def __str__(self) -> str:
        return f"{self.school_id} {self.school_year} {self.subject}"
