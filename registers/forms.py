from django import forms
from django.utils.translation import gettext_lazy as _

from kernel.widgets import IsoDateInput, IsoDateTimeInput, IsoNumberInput
from students.attributes import DataCategory

from .constants import Risk

DATETIME = IsoDateTimeInput()


class BreachForm(forms.Form):
    school = forms.TypedChoiceField(label=_("School"), coerce=int, required=False)
    occurred_at = forms.DateTimeField(label=_("Happened at"), widget=DATETIME)
    aware_at = forms.DateTimeField(label=_("The school became aware at"), widget=DATETIME)
    description = forms.CharField(
        label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    categories = forms.MultipleChoiceField(
        label=_("Data categories concerned"),
        choices=DataCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, schools=(), board_wide=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(s.pk, s.name) for s in schools]
        if board_wide:
            choices = [("", _("The whole board")), *choices]
        self.fields["school"].choices = choices
        self.fields["school"].required = not board_wide
        self.fields["school"].empty_value = None

    def clean(self):
        data = super().clean()
        occurred, aware = data.get("occurred_at"), data.get("aware_at")
        if occurred and aware and aware < occurred:
            self.add_error("aware_at", _("The school cannot have become aware before it happened."))
        return data


class DecisionForm(forms.Form):
    risk = forms.ChoiceField(
        label=_("Risk to the people concerned"), choices=[("", "---------"), *Risk.choices]
    )
    notify_authority = forms.TypedChoiceField(
        label=_("Notify the Autoriteit Persoonsgegevens?"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Why"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowUpForm(forms.Form):
    authority_notified_on = forms.DateField(
        label=_("AP notified on"), required=False, widget=IsoDateInput()
    )
    authority_reference = forms.CharField(label=_("AP reference"), max_length=100, required=False)
    people_informed = forms.TypedChoiceField(
        label=_("People concerned informed?"),
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        choices=[("", _("Not yet decided")), ("yes", _("Yes")), ("no", _("No"))],
        required=False,
    )
    informed_how = forms.CharField(
        label=_("How they were informed"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    measures = forms.CharField(
        label=_("Measures taken"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DisclosurePupilsForm(forms.Form):
    disclosure = forms.IntegerField(
        label=_("Disclosure number (from the register)"), min_value=1, widget=IsoNumberInput
    )


class AccountPupilsForm(forms.Form):
    account = forms.EmailField(
        label=_("Account (email address)"),
        help_text=_(
            "Pupils are added only when an account with this address opened their data in "
            "the period; otherwise none are added."
        ),
    )
    since = forms.DateTimeField(label=_("From"), widget=DATETIME)
    until = forms.DateTimeField(label=_("Until"), widget=DATETIME)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] <= data["since"]:
            self.add_error("until", _("The end must be after the start."))
        return data


class MeasuresForm(forms.Form):
    text = forms.CharField(
        label=_("Security measures"), max_length=20000, widget=forms.Textarea(attrs={"rows": 10})
    )
