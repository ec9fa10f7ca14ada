"""A move reported by a parent and confirmed by the school.

A guardian does not change their address (or their children's) directly: the address matters
to the attendance officer and to the funding registration, so the administration confirms it
first. One proposal waits at a time per guardian (a database constraint, so two tabs or two
quick clicks cannot leave two). Confirming it writes the guardian's address and that of each
pupil who moves, through ``students.services.history.change_record``
(``students/services/self_service.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .core import Guardian, Student


def address_line(street: str, house_number: str, postal_code: str, city: str) -> str:
    """One line, as ``Student.address`` writes it: "Lindelaan 41, 8011 PK Zwolle"."""
    line1 = f"{street} {house_number}".strip()
    line2 = f"{postal_code} {city}".strip()
    return ", ".join(part for part in (line1, line2) if part)


class AddressChange(models.Model):
    """A guardian's new address, the date of the move and which of their children move too."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the school")
        CONFIRMED = "confirmed", _("confirmed by the school")
        REJECTED = "rejected", _("not taken over by the school")
        WITHDRAWN = "withdrawn", _("withdrawn by the parent")

    guardian = models.ForeignKey(
        Guardian,
        verbose_name=_("guardian"),
        on_delete=models.CASCADE,
        related_name="address_changes",
    )
    street = models.CharField(_("street"), max_length=200)
    house_number = models.CharField(_("house number"), max_length=20)
    postal_code = models.CharField(_("postal code"), max_length=7)
    city = models.CharField(_("city"), max_length=100)
    moves_on = models.DateField(_("date of the move"))
    students: models.ManyToManyField[Student, models.Model] = models.ManyToManyField(
        Student,
        verbose_name=_("children who move along"),
        related_name="address_changes",
        blank=True,
    )
    # The guardian's address when the proposal was made, and at its confirmation the address
    # it replaced: the decision page shows old and new side by side, also afterwards.
    previous_address = models.CharField(_("previous address"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("reported move")
        verbose_name_plural = _("reported moves")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["guardian"],
                condition=Q(status="pending"),
                name="address_change_one_pending_per_guardian",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="address_change_rejection_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"address change {self.pk} ({self.status})"

    @property
    def new_address(self) -> str:
        return address_line(self.street, self.house_number, self.postal_code, self.city)

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
