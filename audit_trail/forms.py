from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from audit.constants import Action, DataKind, Outcome
from kernel.widgets import IsoDateInput, IsoNumberInput

_ID = [MinValueValidator(1), MaxValueValidator(2**63 - 1)]


class EventFilterForm(forms.Form):
    """Filters of the audit trail (page, CSV and API share them). The name of a pupil is a
    filter only for a reader who sees pupils (``pupil_names``)."""

    school = forms.TypedChoiceField(label=_("School"), required=False, coerce=int, empty_value=None)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All")), *Role.choices]
    )
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All")), *Action.choices]
    )
    data_kind = forms.ChoiceField(
        label=_("Kind of data"), required=False, choices=[("", _("All")), *DataKind.choices]
    )
    special_category = forms.TypedChoiceField(
        label=_("Special-category data"),
        required=False,
        empty_value=None,
        coerce=lambda value: value == "true",
        choices=[
            ("", _("All")),
            ("true", _("Only special-category data")),
            ("false", _("Without special-category data")),
        ],
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("All")), *Outcome.choices]
    )
    staff = forms.CharField(
        label=_("Staff member's name"), required=False, max_length=100, strip=True
    )
    pupil = forms.CharField(label=_("Pupil's name"), required=False, max_length=100, strip=True)
    actor_id = forms.IntegerField(
        label=_("User id"), required=False, validators=_ID, widget=IsoNumberInput
    )
    student = forms.IntegerField(
        label=_("Pupil number"), required=False, validators=_ID, widget=IsoNumberInput
    )
    since = forms.DateField(label=_("From"), required=False, widget=IsoDateInput())
    until = forms.DateField(label=_("Until"), required=False, widget=IsoDateInput())

    def __init__(self, *args, schools=(), pupil_names=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", _("All")), *((s.pk, s.name) for s in schools)]
        if not pupil_names:
            # The board's privacy officer never searches pupils by name (nor learns from the
            # answer whether a name exists): she filters by pupil number.
            del self.fields["pupil"]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("'From' must not be after 'Until'."))
        return data
