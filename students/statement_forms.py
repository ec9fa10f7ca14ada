"""The director's form for a new version of the school's privacy statement."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kernel.widgets import IsoDateInput

from .services.statements import statement_text_normalise

TEXT_MAX = 50_000
FORMAT_HELP = _(
    'Plain text. Leave an empty line between paragraphs; start a heading with "## " '
    '(two hash signs and a space), for example "## Tijdens de les".'
)


class StatementTextField(forms.CharField):
    """A statement text, read in one spelling (the service's), so that sending the form
    back as it was shown (a browser sends CR LF) counts as unchanged."""

    def __init__(self, *, rows: int = 12, lang: str = "nl", **kwargs):
        kwargs.setdefault("max_length", TEXT_MAX)
        kwargs.setdefault("strip", False)
        # The text's own language, for screen readers, whatever the page's.
        widget = forms.Textarea(attrs={"rows": rows, "lang": lang})
        super().__init__(widget=widget, **kwargs)

    def to_python(self, value):
        return statement_text_normalise(super().to_python(value) or "")


class StatementForm(forms.Form):
    text_nl = StatementTextField(
        label=_("The statement in Dutch"),
        rows=24,
        help_text=FORMAT_HELP,
        error_messages={
            "required": _("Write the statement in Dutch; it is the text that applies.")
        },
    )
    text_en = StatementTextField(
        label=_("The statement in English (optional)"),
        rows=12,
        lang="en",
        required=False,
        help_text=_("Empty: English readers see the Dutch text, with a note saying so."),
    )
    media_guidance_nl = StatementTextField(
        label=_("Guidance on photos and media, in Dutch (optional)"),
        rows=8,
        required=False,
        help_text=_(
            "Shown on the parents' consent page, next to the choices about photos and video "
            '(for example "Eerst denken dan delen"). Keep it in the statement as well.'
        ),
    )
    media_guidance_en = StatementTextField(
        label=_("Guidance on photos and media, in English (optional)"),
        rows=6,
        lang="en",
        required=False,
    )
    published_on = forms.DateField(
        label=_("In force from"),
        widget=IsoDateInput(),
        help_text=_(
            "The date the new version takes effect; the current version applies until then."
        ),
    )
    # The newest version when the form was opened: a version published meanwhile by someone
    # else refuses the save instead of replacing it unseen.
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=32767)
