from django import forms
from django.utils.translation import gettext_lazy as _

from kernel.widgets import IsoDateInput


class EmailLoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class InvitationAcceptForm(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def __init__(self, *args, email: str = "", full_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.full_name = full_name

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        from .models import User

        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            try:
                validate_password(first, User(email=self.email, full_name=self.full_name))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class SubstituteForm(forms.Form):
    """A teacher for a group, for a period (a substitute) or for good."""

    teacher = forms.TypedChoiceField(label=_("Teacher"), coerce=int)
    group = forms.TypedChoiceField(label=_("Group"), coerce=int)
    starts_on = forms.DateField(label=_("First day"), widget=IsoDateInput())
    ends_on = forms.DateField(
        label=_("Last day (empty: no end)"),
        required=False,
        widget=IsoDateInput(),
    )

    def __init__(self, *args, teachers=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].choices = [(t.pk, t.full_name or t.email) for t in teachers]
        self.fields["group"].choices = [(g.pk, f"{g.name} ({g.school.name})") for g in groups]

    def clean(self):
        from django.utils import timezone

        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        elif ends and ends < timezone.localdate():
            self.add_error("ends_on", _("The last day cannot be in the past."))
        return data


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "The six digits your authenticator app shows now, or one of your backup codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class SecondFactorSetupForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        help_text=_("After adding the account to the app, type the six digits it shows."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
