"""What keeps a pupil's data current: the history of every change to a pupil's or a guardian's
data, and the pupil's emergency contacts.

A change is recorded by ``students.services.history.change_record`` only, with the names of
the fields changed and, where they may be kept, their old and new values. The values of a
sealed field (the BSN) and of a confidential guardian's contact data are never kept: only the
field names, so the history cannot leak what the seal or the confidential flag protects."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .core import Guardian, Student


class ChangeRecord(models.Model):
    """One change of a pupil's or a guardian's data: which fields, by whom, when, by which road."""

    class Subject(models.TextChoices):
        PUPIL = "pupil", _("pupil")
        GUARDIAN = "guardian", _("guardian")
        AUTHORITY = "authority", _("parental authority")
        EMERGENCY_CONTACTS = "emergency_contacts", _("emergency contacts")

    class Channel(models.TextChoices):
        SCHOOL = "school", _("by the school, on its pages")
        API = "api", _("by the school, through the API")
        GUARDIAN = "guardian", _("by the parent, in the portal")
        ADDRESS_CHANGE = (
            "address_change",
            _("a move reported by the parent, confirmed by the school"),
        )
        CORRECTION = "correction", _("a correction request")
        IMPORT = "import", _("an import")

    subject = models.CharField(_("what changed"), max_length=30, choices=Subject.choices)
    # The pupil whose data changed (pupil, authority, emergency contacts), or null for a change
    # of a guardian's own data, which belongs to every child of that guardian.
    student = models.ForeignKey(
        Student,
        verbose_name=_("pupil"),
        on_delete=models.CASCADE,
        related_name="changes",
        null=True,
        blank=True,
    )
    # The guardian whose data (or whose authority) changed.
    guardian = models.ForeignKey(
        Guardian,
        verbose_name=_("guardian"),
        on_delete=models.CASCADE,
        related_name="changes",
        null=True,
        blank=True,
    )
    fields = models.JSONField(_("fields changed"), default=list)
    # {field: [old, new]} for the fields whose values may be kept; never a sealed field and
    # never a confidential guardian's contact data.
    values = models.JSONField(_("old and new values"), default=dict, blank=True)
    # The guardian's contact data was confidential when the change was made (or became so by
    # it): the record is shown to the school and to that guardian only, never to another one.
    confidential = models.BooleanField(_("confidential"), default=False)
    channel = models.CharField(_("how"), max_length=20, choices=Channel.choices)
    reason = models.CharField(_("reason or reference"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["student", "-at"]),
            models.Index(fields=["guardian", "-at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(student__isnull=False) | Q(guardian__isnull=False),
                name="change_record_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"change {self.pk} ({self.subject})"


class EmergencyContact(models.Model):
    """Someone the school calls when a pupil's guardians cannot be reached (a grandparent, a
    neighbour). Kept by the school and by the guardians (with or without authority: it is
    about reaching someone, not deciding)."""

    student = models.ForeignKey(
        Student,
        verbose_name=_("pupil"),
        on_delete=models.CASCADE,
        related_name="emergency_contacts",
    )
    name = models.CharField(_("name"), max_length=150)
    relation = models.CharField(
        _("relation to the child"),
        max_length=100,
        blank=True,
        help_text=_("For example grandmother, neighbour, aunt."),
    )
    phone = models.CharField(_("phone number"), max_length=30)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
