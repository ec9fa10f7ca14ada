from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import ALLOWED_ACTIONS, MAX_PERIOD_MONTHS, MIN_PERIOD_MONTHS, Category, RuleAction


class RuleForm(forms.Form):
    period_months = forms.IntegerField(
        label=_("Kept for (months)"), min_value=MIN_PERIOD_MONTHS, max_value=MAX_PERIOD_MONTHS
    )
    action = forms.ChoiceField(label=_("Then"), choices=RuleAction.choices)
    enabled = forms.BooleanField(label=_("In the nightly job"), required=False)

    def __init__(self, *args, rule=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule
        if rule is not None:
            allowed = ALLOWED_ACTIONS[rule.category]
            self.fields["action"].choices = [c for c in RuleAction.choices if c[0] in allowed]
            prefix = f"rule{rule.pk}"
            self.prefix = prefix
            if not self.is_bound:
                self.initial = {
                    "period_months": rule.period_months,
                    "action": rule.action,
                    "enabled": rule.enabled,
                }


class RunForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label=_("Rules to run now"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one rule to run.")},
    )


class HoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (dispute, investigation, …)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    until = forms.DateField(
        label=_("Until (empty: until lifted)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_until(self):
        until = self.cleaned_data.get("until")
        if until and until < timezone.localdate():
            raise forms.ValidationError(_("The end date of a hold cannot be in the past."))
        return until
