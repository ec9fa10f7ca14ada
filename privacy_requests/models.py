"""Data-subject requests (AVG art. 15-21) with their legal deadline, their timeline and, for
access requests, the package built by a background job and released by the school."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.sealed_files import sealed_storage
from students.models import Guardian, School, Student

from .constants import (
    CLOSED_STATUSES,
    DUE_SOON_DAYS,
    ActorKind,
    Channel,
    CorrectableField,
    IdentityCheck,
    Kind,
    PackageStatus,
    Status,
    Step,
)
from .deadlines import due_date_for


class PrivacyRequest(models.Model):
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("pupil"),
        on_delete=models.PROTECT,
        related_name="privacy_requests",
    )
    guardian = models.ForeignKey(
        Guardian,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="privacy_requests",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("received"), max_length=10, choices=Channel.choices)
    identity_check = models.CharField(
        _("identity verified by"), max_length=20, choices=IdentityCheck.choices
    )
    kind = models.CharField(_("kind of request"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"))
    correction_field = models.CharField(
        _("data to correct"), max_length=20, choices=CorrectableField.choices, blank=True
    )
    correction_value = models.CharField(_("what it should be"), max_length=300, blank=True)
    correction_old_value = models.CharField(
        _("value before the correction"), max_length=300, blank=True
    )
    categories = models.JSONField(
        _("data categories"),
        default=list,
        blank=True,
        help_text=_("For a restriction or erasure: the categories concerned; empty means all."),
    )
    purpose_codes = models.JSONField(
        _("consent purposes"),
        default=list,
        blank=True,
        help_text=_("For an objection: the purposes objected to; empty means all of them."),
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    received_on = models.DateField(_("received on"))
    extension_months = models.PositiveSmallIntegerField(_("extension (months)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    due_date = models.DateField(_("answer due"), db_index=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    outcome = models.TextField(_("answer to the requester"), blank=True)
    erasure_assessment = models.JSONField(_("erasure assessment"), default=dict, blank=True)
    erasure_result = models.JSONField(_("what was erased and kept"), default=dict, blank=True)
    limit_id = models.PositiveBigIntegerField(_("restriction or objection"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["school", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(extension_months__lte=2), name="request_extension_at_most_2_months"
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.CORRECTION) | ~Q(correction_field=""),
                name="correction_names_the_data",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.REJECTED) | ~Q(decision_reason=""),
                name="rejection_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def categories_display(self) -> list[str]:
        """The categories or purposes concerned, as words (codes stay in the API)."""
        from students.attributes import DataCategory

        from .constants import ErasureCategory

        choices = dict(DataCategory.choices if self.kind == Kind.RESTRICTION else [])
        choices.update(ErasureCategory.choices if self.kind == Kind.ERASURE else [])
        return [str(choices.get(code, code)) for code in self.categories]

    @property
    def original_due_date(self) -> datetime.date:
        return due_date_for(self.received_on)

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    def closed_on_time(self) -> bool | None:
        if self.closed_at is None:
            return None
        return timezone.localdate(self.closed_at) <= self.due_date

    def urgency(self, today: datetime.date | None = None) -> str:
        """ "overdue", "due_soon" or "" for an open request."""
        if not self.is_open:
            return ""
        today = today or timezone.localdate()
        if self.due_date < today:
            return "overdue"
        if (self.due_date - today).days <= DUE_SOON_DAYS:
            return "due_soon"
        return ""


class RequestStep(models.Model):
    """One entry on a request's timeline: what happened, who did it and when."""

    request = models.ForeignKey(
        PrivacyRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="steps"
    )
    step = models.CharField(_("step"), max_length=30, choices=Step.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_kind = models.CharField(_("kind of actor"), max_length=10, choices=ActorKind.choices)
    note = models.TextField(_("note"), blank=True)
    shown_to_requester = models.BooleanField(_("shown to the requester"), default=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("request step")
        verbose_name_plural = _("request steps")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.step}"


class AccessPackage(models.Model):
    """What the school holds about a child, built by a job; guardians get it once released."""

    request = models.OneToOneField(
        PrivacyRequest, verbose_name=_("request"), on_delete=models.PROTECT, related_name="package"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PackageStatus.choices, default=PackageStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    sections = models.JSONField(_("sections"), default=list, blank=True)
    # Sealed at rest (kernel.sealed_files); deleted when the download period ends.
    json_file = models.FileField(
        _("JSON file"), upload_to="private/packages/", storage=sealed_storage, blank=True
    )
    pdf_file = models.FileField(
        _("PDF file"), upload_to="private/packages/", storage=sealed_storage, blank=True
    )
    checksum = models.CharField(_("checksum of the JSON (SHA-256)"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("download expires at"), null=True, blank=True)
    disclosure = models.OneToOneField(
        "suppliers.Disclosure",
        verbose_name=_("disclosure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_package",
    )

    class Meta:
        verbose_name = _("access package")
        verbose_name_plural = _("access packages")

    def __str__(self) -> str:
        return f"package {self.request_id} ({self.status})"

    @property
    def api_status(self) -> str:
        """The fixed interface's three states: building, built, released."""
        if self.status in (PackageStatus.QUEUED, PackageStatus.BUILDING):
            return "building"
        return self.status

    @property
    def downloadable(self) -> bool:
        """Released, within its download period, and its files not deleted (expiry, erasure)."""
        return (
            self.status == PackageStatus.RELEASED
            and self.expires_at is not None
            and self.expires_at > timezone.now()
            and bool(self.json_file)
            and bool(self.pdf_file)
        )
