from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.widgets import IsoDateInput, IsoNumberInput

from .constants import Decision


class DecisionForm(forms.Form):
    """One click on a guardian's consent page."""

    purpose = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    decision = forms.ChoiceField(choices=Decision.choices)


class PaperDecisionForm(forms.Form):
    """A paper form recorded by administration on behalf of a guardian."""

    guardian = forms.TypedChoiceField(label=_("Guardian"), coerce=int)
    purpose = forms.TypedChoiceField(label=_("Purpose"), coerce=int)
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)

    def __init__(self, *args, guardians=(), purposes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].choices = [(g.pk, g.display_name) for g in guardians]
        self.fields["purpose"].choices = [(p.pk, p.title) for p in purposes]


class PurposeTextForm(forms.Form):
    title_nl = forms.CharField(label=_("Title (Dutch)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    text_nl = forms.CharField(
        label=_("Text (Dutch)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    text_en = forms.CharField(
        label=_("Text (English)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    requires_new_consent = forms.BooleanField(
        label=_("This is a material change: ask consent again"),
        required=False,
        help_text=_("Consent given to earlier texts then no longer counts."),
    )


class CampaignForm(forms.Form):
    school_year = forms.IntegerField(
        label=_("School year (the year it starts)"),
        min_value=2000,
        max_value=2100,
        widget=IsoNumberInput,
    )
    lock_after = forms.DateField(
        label=_("Lock guardians' changes after"),
        required=False,
        widget=IsoDateInput(),
        help_text=_("Optional. Withdrawing always stays possible."),
    )
    reminder_days = forms.IntegerField(
        label=_("Remind every (days)"), min_value=1, max_value=60, initial=7, widget=IsoNumberInput
    )

    def clean_lock_after(self):
        value = self.cleaned_data.get("lock_after")
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("The lock date cannot be in the past."))
        return value


class PublicationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    purpose = forms.TypedChoiceField(label=_("Purpose / channel"), coerce=int)
    publish_on = forms.DateField(label=_("Date"), widget=IsoDateInput())
    pupils = forms.TypedMultipleChoiceField(
        label=_("Pupils shown"),
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    def __init__(self, *args, purposes=(), pupils=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [(p.pk, p.title) for p in purposes]
        self.fields["pupils"].choices = [
            (p.pk, f"{p.display_name} ({p.group.name if p.group else '-'})") for p in pupils
        ]


class PublishForm(forms.Form):
    weighed = forms.BooleanField(
        label=_("I weighed this publication for every pupil shown (even with consent)."),
        required=True,
    )


class DashboardFilterForm(forms.Form):
    school = forms.TypedChoiceField(label=_("School"), required=False, coerce=int, empty_value=None)
    school_year = forms.IntegerField(
        label=_("School year"),
        required=False,
        min_value=2000,
        max_value=2100,
        widget=IsoNumberInput,
    )
    purpose = forms.ChoiceField(label=_("Purpose"), required=False)

    def __init__(self, *args, schools=(), purposes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [(s.pk, s.name) for s in schools]
        self.fields["purpose"].choices = [("", _("All")), *((p.code, p.title) for p in purposes)]


class BoardFilterForm(forms.Form):
    school_year = forms.IntegerField(
        label=_("School year"),
        required=False,
        min_value=2000,
        max_value=2100,
        widget=IsoNumberInput,
        help_text=_("The year it starts, for example 2025 for 2025-2026."),
    )
