"""Suppliers (processors) with products and agreements, recipients that are not processors,
and the evidence of every disclosure. Data leaves the school only through
``suppliers.gate.disclose`` (or a function built on it)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.models import ConsentPurpose
from kernel.sealed_files import sealed_storage
from students.attributes import CATALOGUE, ORDINARY_CHOICES, SPECIAL_CATEGORY_CODES
from students.models import Board, Group, School, Student

from .constants import (
    AgreementModel,
    AgreementStatus,
    Basis,
    ExportFormat,
    ExportStatus,
    ImportKind,
    ImportStatus,
    ImportStep,
    LegalGround,
    RecipientKind,
)

EXPIRING_DAYS = 60

# The database itself refuses special-category attributes in products and agreements.
_NO_SPECIAL = ~Q(attribute__in=sorted(SPECIAL_CATEGORY_CODES))


class Supplier(models.Model):
    board = models.ForeignKey(
        Board, verbose_name=_("school board"), on_delete=models.PROTECT, related_name="suppliers"
    )
    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    privacy_contact = models.CharField(_("privacy contact"), max_length=200, blank=True)
    covenant_participant = models.BooleanField(
        _("takes part in the Privacy Covenant"), default=False
    )

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["board", "name"], name="supplier_name_per_board")
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A product with its privacybijsluiter (one per product)."""

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("name"), max_length=200)
    purposes = models.TextField(_("purposes"))
    never_used_for = models.TextField(_("never used for"), blank=True)
    retention = models.CharField(_("retention"), max_length=300)
    storage_location = models.CharField(_("storage location"), max_length=200)
    outside_eea = models.BooleanField(_("data stored or processed outside the EEA"), default=False)
    sub_processors = models.TextField(
        _("sub-processors"), blank=True, help_text=_("One per line: name, service, location.")
    )
    breach_notice_hours = models.PositiveSmallIntegerField(
        _("breach notice within (hours)"), default=24
    )
    document = models.FileField(
        _("privacybijsluiter document"),
        upload_to="private/bijsluiters/",
        storage=sealed_storage,
        blank=True,
    )
    groups = models.ManyToManyField(
        Group, verbose_name=_("groups using it"), related_name="products", blank=True
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["supplier__name", "name"]

    def __str__(self) -> str:
        return self.name


class ProductAttribute(models.Model):
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="attributes"
    )
    attribute = models.CharField(_("attribute"), max_length=40, choices=ORDINARY_CHOICES)
    reason = models.CharField(_("why it is needed"), max_length=300)

    class Meta:
        verbose_name = _("product attribute")
        verbose_name_plural = _("product attributes")
        constraints = [
            models.UniqueConstraint(fields=["product", "attribute"], name="product_attr_once"),
            models.CheckConstraint(condition=_NO_SPECIAL, name="product_attr_not_special"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}:{self.attribute}"


class Agreement(models.Model):
    """The processing agreement with a supplier (one per supplier and board)."""

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="agreements"
    )
    model = models.CharField(_("model"), max_length=20, choices=AgreementModel.choices)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    document = models.FileField(
        _("signed document"), upload_to="private/agreements/", storage=sealed_storage, blank=True
    )
    products = models.ManyToManyField(
        Product, verbose_name=_("products"), related_name="agreements", blank=True
    )

    class Meta:
        verbose_name = _("processing agreement")
        verbose_name_plural = _("processing agreements")
        ordering = ["supplier__name", "-valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="agreement_valid_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier} ({self.get_model_display()})"

    def status_on(self, day: datetime.date | None = None) -> str:
        """Derived: draft (not signed), active, expiring (within 60 days), expired, terminated."""
        day = day or timezone.localdate()
        if self.terminated_on and self.terminated_on <= day:
            return AgreementStatus.TERMINATED
        if not self.signed_on or not self.valid_from:
            return AgreementStatus.DRAFT
        if self.valid_from > day:
            return AgreementStatus.DRAFT
        if self.valid_until and self.valid_until < day:
            return AgreementStatus.EXPIRED
        if self.valid_until and self.valid_until <= day + datetime.timedelta(days=EXPIRING_DAYS):
            return AgreementStatus.EXPIRING
        return AgreementStatus.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on()

    @property
    def status_label(self) -> str:
        return str(AgreementStatus(self.status).label)

    @property
    def permits_disclosure(self) -> bool:
        return self.status in (AgreementStatus.ACTIVE, AgreementStatus.EXPIRING)


class AgreementAttribute(models.Model):
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="attributes",
    )
    attribute = models.CharField(_("attribute"), max_length=40, choices=ORDINARY_CHOICES)

    class Meta:
        verbose_name = _("agreed attribute")
        verbose_name_plural = _("agreed attributes")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "attribute"], name="agreement_attr_once"),
            models.CheckConstraint(condition=_NO_SPECIAL, name="agreement_attr_not_special"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}:{self.attribute}"


class Recipient(models.Model):
    """Receives pupil data without being a processor: the board, the attendance officer, DUO,
    a next school, or an organisation guardians consented to."""

    board = models.ForeignKey(
        Board, verbose_name=_("school board"), on_delete=models.PROTECT, related_name="recipients"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=RecipientKind.choices)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.TextField(_("legal basis"))
    consent_purpose_code = models.SlugField(
        _("consent purpose code"),
        max_length=40,
        blank=True,
        help_text=_("For consent-based recipients: the purpose guardians consent to."),
    )
    attributes = models.JSONField(_("attributes"), default=list)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=RecipientKind.CONSENT) | ~Q(consent_purpose_code=""),
                name="consent_recipient_has_purpose",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def consent_purpose_for(self, school: School) -> ConsentPurpose | None:
        if not self.consent_purpose_code:
            return None
        return (
            ConsentPurpose.objects.filter(
                school=school, code=self.consent_purpose_code, is_active=True
            )
            .select_related("current_version")
            .first()
        )


class Disclosure(models.Model):
    """Evidence: who received which attributes of which pupils, when, on which basis."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
    )
    recipient = models.ForeignKey(
        Recipient,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
    )
    recipient_label = models.CharField(_("recipient"), max_length=300)
    attributes = models.JSONField(_("attributes"), default=list)
    pupil_count = models.PositiveIntegerField(_("pupils"), default=0)
    dropped_count = models.PositiveIntegerField(
        _("pupils left out (no consent or restricted)"), default=0
    )
    file_checksum = models.CharField(_("file checksum (SHA-256)"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # A disclosure on a legal obligation names its law, the request or report it answers and
    # why; the director may withhold one from the guardians (a Meldcode report, a demand in a
    # criminal investigation), which then appears nowhere a guardian looks.
    legal_ground = models.CharField(
        _("legal ground"), max_length=40, choices=LegalGround.choices, blank=True
    )
    legal_reference = models.CharField(
        _("reference of the request or report"), max_length=100, blank=True
    )
    legal_reason = models.TextField(_("reason"), blank=True)
    withheld_from_guardians = models.BooleanField(_("withheld from guardians"), default=False)
    withheld_reason = models.TextField(_("why it is withheld from guardians"), blank=True)
    # Spelled out: the plugin cannot resolve a through model named before it is defined.
    pupils: models.ManyToManyField[Student, DisclosedPupil] = models.ManyToManyField(
        Student, through="DisclosedPupil", related_name="disclosures", verbose_name=_("pupils")
    )

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement__isnull=False)
                | Q(recipient__isnull=False)
                | Q(basis=Basis.ACCESS_RIGHT),
                name="disclosure_has_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(basis=Basis.LEGAL_OBLIGATION) | ~Q(legal_ground=""),
                name="disclosure_legal_has_ground",
            ),
            models.CheckConstraint(
                condition=Q(withheld_from_guardians=False)
                | (Q(basis=Basis.LEGAL_OBLIGATION) & ~Q(withheld_reason="")),
                name="disclosure_withheld_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_label} {self.created_at:%Y-%m-%d}"

    @property
    def ground_label(self) -> str:
        return str(LegalGround(self.legal_ground).label) if self.legal_ground else ""

    @property
    def attribute_labels(self) -> list[str]:
        return [str(CATALOGUE[code].label) for code in self.attributes if code in CATALOGUE]


class DisclosedPupil(models.Model):
    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="links")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+")
    pseudonym = models.CharField(_("pseudonym"), max_length=64)

    class Meta:
        verbose_name = _("disclosed pupil")
        verbose_name_plural = _("disclosed pupils")
        constraints = [
            models.UniqueConstraint(fields=["disclosure", "student"], name="disclosed_once")
        ]

    def __str__(self) -> str:
        return f"{self.disclosure_id}:{self.student_id}"


class Export(models.Model):
    """A file built by a background job through the gate; downloadable by its requester."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient = models.ForeignKey(
        Recipient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    student_ids = models.JSONField(
        _("only these pupils"),
        null=True,
        blank=True,
        help_text=_("For recipients of single pupils, such as the next school."),
    )
    # What the gate records on the disclosure of a legal obligation (see Disclosure).
    legal_ground = models.CharField(
        _("legal ground"), max_length=40, choices=LegalGround.choices, blank=True
    )
    legal_reference = models.CharField(
        _("reference of the request or report"), max_length=100, blank=True
    )
    legal_reason = models.TextField(_("reason"), blank=True)
    withheld_reason = models.TextField(
        _("why it is withheld from guardians"),
        blank=True,
        help_text=_("Filled in only when the director withholds the disclosure from guardians."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attributes = models.JSONField(_("attributes"), default=list)
    pupil_count = models.PositiveIntegerField(_("pupils"), default=0)
    dropped_count = models.PositiveIntegerField(_("pupils left out"), default=0)
    # Sealed at rest (kernel.sealed_files); deleted when the download period ends.
    file = models.FileField(
        _("file"), upload_to="private/exports/", storage=sealed_storage, blank=True
    )
    disclosure = models.OneToOneField(
        Disclosure, on_delete=models.PROTECT, null=True, blank=True, related_name="export"
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("download expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.format})"

    @property
    def ground_label(self) -> str:
        return str(LegalGround(self.legal_ground).label) if self.legal_ground else ""


class ImportJob(models.Model):
    """An uploaded file that a background job checks (the preview) and, once a member of the
    school's staff confirms, imports. The job carries ids only; the file waits here, sealed,
    and is deleted after the import or when the job expires (``IMPORT_UPLOAD_HOURS``)."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=ImportKind.choices, default=ImportKind.EDEXML
    )
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Sealed at rest (kernel.sealed_files); emptied once the file is deleted.
    file = models.FileField(
        _("file"), upload_to="private/imports/", storage=sealed_storage, blank=True
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    # The texts of the preview, the result and the error are written in the uploader's language.
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.WAITING
    )
    step = models.CharField(
        _("step"), max_length=10, choices=ImportStep.choices, default=ImportStep.PREVIEW
    )
    progress_done = models.PositiveIntegerField(_("pupils read"), default=0)
    progress_total = models.PositiveIntegerField(_("pupils in the file"), default=0)
    preview = models.JSONField(_("preview"), null=True, blank=True)
    # What the preview planned, as a digest: the import refuses to do anything else.
    plan_digest = models.CharField(_("digest of the plan"), max_length=64, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "-created_at"], name="importjob_school_recent")]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.kind})"

    @property
    def running(self) -> bool:
        return self.status in (
            ImportStatus.WAITING,
            ImportStatus.PREVIEWING,
            ImportStatus.APPLYING,
        )
