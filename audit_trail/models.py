from django.db import models
from django.utils.translation import gettext_lazy as _


class DigestRun(models.Model):
    """State row that makes the daily denied-attempts digest idempotent (``digest.py``). The
    table keeps the name it was created with."""

    day = models.DateField(_("day"), unique=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    denied_count = models.PositiveIntegerField(_("denied attempts"), default=0)

    class Meta:
        db_table = "audit_digestrun"
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")

    def __str__(self) -> str:
        return self.day.isoformat()
