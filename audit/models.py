from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import Action, DataKind, Outcome


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Access events are append-only.")

    def delete(self):
        raise TypeError("Access events are append-only; only the retention service removes them.")


class AccessEvent(models.Model):
    """One look at, or change of, pupil data, or one login. Append-only (DESIGN rule 4).

    Holds ids rather than foreign keys, so erasing or anonymising a pupil or a user never
    cascades into the evidence; on PostgreSQL a trigger refuses UPDATE and DELETE.
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("who (user id)"), null=True, blank=True, db_index=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    data_kind = models.CharField(
        _("kind of data"), max_length=20, choices=DataKind.choices, blank=True
    )
    special_category = models.BooleanField(_("special-category data"), default=False)
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    student_id = models.BigIntegerField(_("pupil id"), null=True, blank=True)
    school_id = models.BigIntegerField(_("school id"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["school_id", "-created_at"]),
            models.Index(fields=["student_id", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("Access events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Access events are append-only; only the retention service removes them.")


class DigestRun(models.Model):
    """State row that makes the daily denied-attempts digest idempotent."""

    day = models.DateField(_("day"), unique=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    denied_count = models.PositiveIntegerField(_("denied attempts"), default=0)

    class Meta:
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")

    def __str__(self) -> str:
        return self.day.isoformat()
