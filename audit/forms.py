from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .constants import Action, Outcome

_ID = [MinValueValidator(1), MaxValueValidator(2**63 - 1)]


class EventFilterForm(forms.Form):
    actor_id = forms.IntegerField(label=_("User id"), required=False, validators=_ID)
    student_id = forms.IntegerField(label=_("Pupil id"), required=False, validators=_ID)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All")), *Action.choices]
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("All")), *Outcome.choices]
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("'From' must not be after 'Until'."))
        return data
