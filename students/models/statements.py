"""The school's privacy statement: one row per version, never edited.

A change is a new version (``students.services.statements.statement_publish``); saving the same
texts and date again writes nothing. Each version keeps the date it takes effect, so earlier
versions stay readable as they were. The texts are plain text: paragraphs separated by blank
lines, headings as lines that start with ``## `` (rendered escaped by the ``statement`` filter
of ``students/templatetags/statements.py``). The media guidance ("Eerst denken dan delen") is
kept apart as well, because the consent page shows it with the choices about photos and video.

The core holds it because consent, privacy requests and admissions link to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .core import School


class PrivacyStatement(models.Model):
    """One version of a school's privacy statement."""

    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="privacy_statements",
    )
    version = models.PositiveSmallIntegerField(_("version"))
    text_nl = models.TextField(_("statement (Dutch)"))
    # Empty: the Dutch text is shown to an English reader, with a note.
    text_en = models.TextField(_("statement (English)"), blank=True)
    media_guidance_nl = models.TextField(_("guidance on photos and media (Dutch)"), blank=True)
    media_guidance_en = models.TextField(_("guidance on photos and media (English)"), blank=True)
    published_on = models.DateField(_("in force from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("privacy statement")
        verbose_name_plural = _("privacy statements")
        ordering = ["school_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "version"], name="privacy_statement_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="privacy_statement_version_from_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} v{self.version}"

    def text_for(self, language: str) -> tuple[str, str]:
        """The statement in ``language`` when it has one, else the Dutch: (text, its language)."""
        if language == "en" and self.text_en.strip():
            return self.text_en, "en"
        return self.text_nl, "nl"

    def media_guidance_for(self, language: str) -> tuple[str, str]:
        """The media guidance in ``language`` when it has one, else the Dutch."""
        if language == "en" and self.media_guidance_en.strip():
            return self.media_guidance_en, "en"
        return self.media_guidance_nl, "nl"
