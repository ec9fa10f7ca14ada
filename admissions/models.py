"""Admissions: the application for a place (aanmelding) and its timeline, the funding
registrations for DUO, and a pupil's leaving (uitschrijving). docs/domain.md, "Admissions"."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.crypto import SealedTextField
from kernel.sealed_files import sealed_storage
from students.models import School, Student

from .constants import (
    ApplicationStatus,
    Channel,
    LeavingReason,
    RegistrationKind,
    ReportStatus,
    TimelineKind,
)


class Application(models.Model):
    """A parent's application for a place for their child. It counts (and its clock starts)
    only once complete: the parent's e-mail address confirmed (online) or entered by the school
    (paper). Support needs and religion are optional and sealed; only the director and the care
    coordinator read them. Deleted one year after a decision that did not lead to enrolment."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="applications"
    )
    # The number the parents quote and see in every e-mail (never the child's name there).
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.UNCONFIRMED,
    )
    channel = models.CharField(
        _("how it came in"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    # The applicant's address: where the confirmation link and every notice go.
    email = models.EmailField(_("e-mail address"))
    confirmation_hash = models.CharField(
        _("confirmation link (hash)"), max_length=64, blank=True, db_index=True
    )
    confirmation_expires_at = models.DateTimeField(
        _("confirmation link valid until"), null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    # The day the application became complete: the 6 weeks run from here.
    complete_on = models.DateField(_("complete since"), null=True, blank=True)
    decision_due_on = models.DateField(_("decision due"), null=True, blank=True)
    extended_on = models.DateField(_("extended on"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    refusal_reason = models.TextField(_("reason for the refusal"), blank=True)
    # When the school cannot offer the support the child needs: the school that can.
    referral_school = models.CharField(
        _("school that can offer a place"), max_length=200, blank=True
    )
    withdrawal_note = models.TextField(_("note on the withdrawal"), blank=True)
    student = models.ForeignKey(
        Student,
        verbose_name=_("pupil"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
    )

    # The child (only what the school needs to decide; the BSN is asked at enrolment).
    first_names = models.CharField(_("first names"), max_length=200)
    given_name = models.CharField(_("name they go by"), max_length=100)
    surname_prefix = models.CharField(_("surname prefix"), max_length=30, blank=True)
    surname = models.CharField(_("surname"), max_length=150)
    date_of_birth = models.DateField(_("date of birth"))
    desired_start_date = models.DateField(_("desired start date"))
    current_school = models.CharField(_("current school or day care"), max_length=200, blank=True)
    born_abroad = models.BooleanField(_("born abroad"), default=False)
    arrived_in_netherlands_on = models.DateField(
        _("date of arrival in the Netherlands"), null=True, blank=True
    )
    # Optional, sealed; read only by the director and the care coordinator (audited).
    support_needs = SealedTextField(_("support needs"), blank=True)
    religion = SealedTextField(_("religion or belief"), blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["decision_due_on", "submitted_at"]
        indexes = [models.Index(fields=["school", "status", "decision_due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(extended_on__isnull=True) | ~Q(extension_reason=""),
                name="application_extension_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.REFUSED) | ~Q(refusal_reason=""),
                name="application_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.ENROLLED) | Q(student__isnull=False),
                name="application_enrolled_has_pupil",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def child_name(self) -> str:
        return " ".join(
            part for part in (self.given_name, self.surname_prefix, self.surname) if part
        )


class ApplicationGuardian(models.Model):
    """A parent or carer named in an application, and whether they have parental authority
    (with the court decision it rests on when they do not)."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="guardians",
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    first_name = models.CharField(_("first name"), max_length=100)
    surname_prefix = models.CharField(_("surname prefix"), max_length=30, blank=True)
    surname = models.CharField(_("surname"), max_length=150)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    has_authority = models.BooleanField(_("has parental authority"), default=True)
    authority_decided_on = models.DateField(_("date of the court decision"), null=True, blank=True)
    authority_reference = models.CharField(
        _("reference of the court decision"), max_length=100, blank=True
    )

    class Meta:
        verbose_name = _("guardian in an application")
        verbose_name_plural = _("guardians in an application")
        ordering = ["application", "position"]

    def __str__(self) -> str:
        return " ".join(p for p in (self.first_name, self.surname_prefix, self.surname) if p)


class ApplicationEvent(models.Model):
    """The application's own timeline, in words for the parents and the school. Append-only;
    the access events of who opened it are in the audit trail."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="timeline",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("what"), max_length=20, choices=TimelineKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["application", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.kind}"


class FundingRegistration(models.Model):
    """An enrolment or a leaving to be registered with DUO (BRON) within 7 days. The portal
    produces it through the gate (a legal disclosure, recorded) and records when the
    administration marks it sent; sending itself happens outside the portal."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("pupil"),
        on_delete=models.PROTECT,
        related_name="funding_registrations",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RegistrationKind.choices)
    event_on = models.DateField(_("date of the enrolment or leaving"))
    due_on = models.DateField(_("due"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    disclosure = models.ForeignKey(
        "suppliers.Disclosure",
        verbose_name=_("disclosure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The document the gate produced (it holds the BSN: sealed at rest), downloadable by the
    # administration until it expires; the disclosure and its checksum stay as evidence.
    file = models.FileField(
        _("file"), upload_to="private/funding/", storage=sealed_storage, blank=True
    )
    file_expires_at = models.DateTimeField(_("download expires at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("marked sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("funding registration")
        verbose_name_plural = _("funding registrations")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["student", "kind"], name="one_registration_per_kind"),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(disclosure__isnull=False),
                name="registration_sent_through_gate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.student_id}"


class Departure(models.Model):
    """A pupil's leaving (uitschrijving): date, reason, destination and the evidence around it
    (the next school's confirmation, the attendance officer's notice, the education report)."""

    student = models.OneToOneField(
        Student, verbose_name=_("pupil"), on_delete=models.PROTECT, related_name="departure"
    )
    left_on = models.DateField(_("leaving date"))
    reason = models.CharField(_("reason"), max_length=20, choices=LeavingReason.choices)
    destination_brin = models.CharField(_("BRIN of the new school"), max_length=6, blank=True)
    destination_name = models.CharField(_("new school"), max_length=200, blank=True)
    # The new school confirmed the enrolment (needed for a pupil of compulsory-education age).
    enrolment_confirmed_on = models.DateField(
        _("new school confirmed the enrolment on"), null=True, blank=True
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attendance_notice = models.ForeignKey(
        "suppliers.Disclosure",
        verbose_name=_("notice to the attendance officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The notice as the gate produced it (it carries the BSN: sealed), when it is due and
    # when the administration marked it sent (sending happens outside the portal).
    attendance_notice_text = SealedTextField(_("text of the notice"), blank=True)
    attendance_notice_due_on = models.DateField(_("notice due"), null=True, blank=True)
    attendance_notice_sent_at = models.DateTimeField(_("notice marked sent"), null=True, blank=True)
    attendance_notice_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("notice marked sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    education_report = models.ForeignKey(
        "suppliers.Disclosure",
        verbose_name=_("education report"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    parents_view = models.TextField(_("the parents' view on the report"), blank=True)

    class Meta:
        verbose_name = _("leaving")
        verbose_name_plural = _("leavings")
        ordering = ["-left_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(attendance_notice_sent_at__isnull=True)
                | Q(attendance_notice__isnull=False),
                name="departure_notice_sent_through_gate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.left_on}"


class EducationReport(models.Model):
    """The education report (onderwijskundig rapport) of a pupil who leaves for another
    school: prepared by the administration, sent once through the gate on its legal ground.
    The exact document sent is kept sealed, so the guardians get a copy of exactly that."""

    departure = models.OneToOneField(
        Departure, verbose_name=_("leaving"), on_delete=models.PROTECT, related_name="report"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # The school's own words for the new school: learning, development, what works.
    summary = SealedTextField(_("summary for the new school"), blank=True)
    progress_records = models.ManyToManyField(
        "students.ProgressRecord",
        verbose_name=_("progress included"),
        blank=True,
        related_name="+",
    )
    prepared_at = models.DateTimeField(_("last prepared"), default=timezone.now)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last prepared by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    document = models.FileField(
        _("the document sent"),
        upload_to="private/education_reports/",
        storage=sealed_storage,
        blank=True,
    )
    parents_view_at = models.DateTimeField(_("the parents' view given"), null=True, blank=True)
    parents_view_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("the parents' view given by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("education report")
        verbose_name_plural = _("education reports")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.SENT)
                | (Q(sent_at__isnull=False) & ~Q(document="")),
                name="education_report_sent_has_document",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.departure_id}: {self.status}"

    @property
    def is_sent(self) -> bool:
        return self.status == ReportStatus.SENT


class EducationReportCareRecord(models.Model):
    """A care record the director marked necessary for the support the pupil needs at the
    new school, with the reason (the named exception, ``suppliers.constants.CARE_EXCEPTION``).
    A record withheld from the guardians never goes, whatever is marked."""

    report = models.ForeignKey(
        EducationReport,
        verbose_name=_("education report"),
        on_delete=models.CASCADE,
        related_name="care_marks",
    )
    care_record = models.ForeignKey(
        "students.CareRecord",
        verbose_name=_("care record"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    reason = SealedTextField(_("why the new school needs it"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked"), default=timezone.now)

    class Meta:
        verbose_name = _("care record in an education report")
        verbose_name_plural = _("care records in education reports")
        ordering = ["report", "care_record_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "care_record"], name="education_report_care_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.care_record_id}"
