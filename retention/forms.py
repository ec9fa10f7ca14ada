from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.widgets import IsoDateInput, IsoNumberInput

from .constants import (
    ACCESS_EVENT_DEFAULT_MONTHS,
    ALLOWED_ACTIONS,
    BOUNDS,
    Category,
    RuleAction,
    board_period_refusal,
    period_error,
)


class RuleForm(forms.Form):
    """A director's rule: the period within the category's floor and ceiling, the action the
    data allows, and whether it runs at night. The access-event rule offers no period: that is
    the board's log policy (``LogPolicyForm``); a period sent for it anyway goes to the
    service, which refuses it unless it is the board's."""

    period_months = forms.IntegerField(label=_("Kept for (months)"), widget=IsoNumberInput)
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
            if rule.category == Category.AUDIT_EVENTS:
                del self.fields["period_months"]
            else:
                bounds = BOUNDS[rule.category]
                field = self.fields["period_months"]
                field.widget.attrs.update(min=bounds.floor, max=bounds.ceiling)
                field.help_text = _("Between %(floor)s and %(ceiling)s months.") % {
                    "floor": bounds.floor,
                    "ceiling": bounds.ceiling,
                }
            # Also when bound: a submitted form is compared with the rule (``has_changed``).
            self.initial = {
                "period_months": rule.period_months,
                "action": rule.action,
                "enabled": rule.enabled,
                **self.initial,
            }

    def _period_sent_anyway(self) -> bool:
        return bool((self.data.get(self.add_prefix("period_months")) or "").strip())

    def has_changed(self):
        # A period sent for the access-event rule is never "unchanged": the service refuses
        # it unless it is the board's, and records the attempt.
        board_rule = self.rule is not None and self.rule.category == Category.AUDIT_EVENTS
        return (board_rule and self._period_sent_anyway()) or super().has_changed()

    def clean_period_months(self):
        months = self.cleaned_data["period_months"]
        problem = period_error(self.rule.category, months) if self.rule else None
        if problem is not None:
            raise forms.ValidationError(problem)
        return months

    def clean(self):
        cleaned = super().clean()
        rule = self.rule
        if rule is not None and rule.category == Category.AUDIT_EVENTS:
            # Not offered, but sent anyway (an old page, a crafted request): handed on to the
            # service, which refuses any period but the board's and records the attempt.
            sent = (self.data.get(self.add_prefix("period_months")) or "").strip()
            if sent:
                try:
                    cleaned["period_months"] = int(sent)
                except ValueError:
                    raise forms.ValidationError(board_period_refusal(rule.period_months)) from None
        return cleaned


class LogPolicyForm(forms.Form):
    """The board's access-event period, set by the board's privacy officer."""

    access_event_months = forms.IntegerField(
        label=_("Access events are kept for (months)"), widget=IsoNumberInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounds = BOUNDS[Category.AUDIT_EVENTS]
        field = self.fields["access_event_months"]
        field.widget.attrs.update(min=bounds.floor, max=bounds.ceiling)
        field.help_text = _(
            "Between %(floor)s and %(ceiling)s months; without a choice the board keeps them "
            "%(default)s months."
        ) % {
            "floor": bounds.floor,
            "ceiling": bounds.ceiling,
            "default": ACCESS_EVENT_DEFAULT_MONTHS,
        }

    def clean_access_event_months(self):
        months = self.cleaned_data["access_event_months"]
        problem = period_error(Category.AUDIT_EVENTS, months)
        if problem is not None:
            raise forms.ValidationError(problem)
        return months


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
        widget=IsoDateInput(),
    )

    def clean_until(self):
        until = self.cleaned_data.get("until")
        if until and until < timezone.localdate():
            raise forms.ValidationError(_("The end date of a hold cannot be in the past."))
        return until
