"""Progress (grades) and the special-category records: care data and religion.

Care content, its justification and religion are sealed at rest (kernel/crypto.py). Every read
goes through students/services/reads.py, which records an access event (a refusal is recorded
by the selectors in students/selectors/records.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.crypto import SealedTextField

from ..constants import (
    WITHHELD_STATUSES,
    CareKind,
    CareSource,
    CareVisibility,
    ReligionConsentChannel,
    ReligionConsentDecision,
    ReligionStatus,
    Subject,
    WithholdStatus,
)
from .core import Group, Guardian, Student


class ProgressRecord(models.Model):
    """A grade or level (cijfers en vorderingen), recorded by a teacher of the pupil's group."""

    student = models.ForeignKey(
        Student, verbose_name=_("pupil"), on_delete=models.CASCADE, related_name="progress"
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices)
    period = models.CharField(
        _("period"), max_length=50, help_text=_("For example 'Midden groep 5' or 'Report 1'.")
    )
    result = models.CharField(
        _("result"), max_length=20, help_text=_("A grade (7.5) or a level (A-E, I-V).")
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress record")
        verbose_name_plural = _("progress records")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["student", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.period}: {self.result}"


class CareRecord(models.Model):
    """Special-category data about a pupil's health or welfare; sealed, need-to-know."""

    student = models.ForeignKey(
        Student, verbose_name=_("pupil"), on_delete=models.CASCADE, related_name="care_records"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CareKind.choices)
    content = SealedTextField(_("content"))
    justification = SealedTextField(
        _("justification"), help_text=_("Why this is needed for the pupil's guidance.")
    )
    source = models.CharField(_("source"), max_length=20, choices=CareSource.choices)
    review_date = models.DateField(_("review date"))
    visibility = models.CharField(
        _("visibility"),
        max_length=20,
        choices=CareVisibility.choices,
        default=CareVisibility.CARE_TEAM,
    )
    withhold_status = models.CharField(
        _("withheld from guardians"),
        max_length=20,
        choices=WithholdStatus.choices,
        default=WithholdStatus.NONE,
    )
    withhold_reason = SealedTextField(_("reason for withholding"), blank=True)
    withhold_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withholding requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withhold_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withholding decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withhold_decided_at = models.DateTimeField(_("withholding decided at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("care record")
        verbose_name_plural = _("care records")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withhold_status=WithholdStatus.NONE) | ~Q(withhold_reason=""),
                name="care_withholding_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.pk})"

    @property
    def is_withheld(self) -> bool:
        return self.withhold_status in WITHHELD_STATUSES


class ReligionRecord(models.Model):
    """Religion or belief: always voluntary; no row means nobody asked. A stated religion rests
    on a parent's explicit consent (``ReligionConsent``, AVG art. 9(2)(a)); withdrawing it
    deletes the row (students/services/records.py)."""

    student = models.OneToOneField(
        Student, verbose_name=_("pupil"), on_delete=models.CASCADE, related_name="religion"
    )
    status = models.CharField(_("status"), max_length=20, choices=ReligionStatus.choices)
    religion = SealedTextField(_("religion or belief"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("religion (voluntary)")
        verbose_name_plural = _("religion records (voluntary)")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=ReligionStatus.STATED) & ~Q(religion=""))
                | (Q(status=ReligionStatus.DECLINED) & Q(religion="")),
                name="religion_stated_or_declined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id}: {self.status}"


class ReligionConsentQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Religion consents are append-only evidence.")

    def delete(self):
        raise TypeError("Religion consents are append-only; only erasure removes them.")


class ReligionConsent(models.Model):
    """A parent's explicit consent to record the pupil's religion or belief, or its withdrawal
    (AVG art. 9(2)(a) and 7(3)): evidence, appended and never changed. The consent holds while
    the pupil's latest row is a grant; a withdrawal by any parent with authority ends it."""

    student = models.ForeignKey(
        Student, verbose_name=_("pupil"), on_delete=models.PROTECT, related_name="+"
    )
    guardian = models.ForeignKey(
        Guardian, verbose_name=_("guardian"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=ReligionConsentDecision.choices
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ReligionConsentChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ReligionConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent to record religion")
        verbose_name_plural = _("consents to record religion")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.student_id}: {self.decision}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Religion consents are append-only evidence.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Religion consents are append-only evidence.")
