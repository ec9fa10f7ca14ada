from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.widgets import IsoDateInput
from students.attributes import DataCategory

from .constants import (
    MAX_EXTENSION_MONTHS,
    CorrectableField,
    ErasureCategory,
    IdentityCheck,
    Kind,
    Status,
)
from .services import DESCRIPTION_MAX, request_fields_check


class RequestForm(forms.Form):
    """A guardian's request; the same checks as the API (request_fields_check)."""

    student = forms.TypedChoiceField(label=_("Child"), coerce=int)
    kind = forms.ChoiceField(
        label=_("What do you ask for?"), choices=Kind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("Describe your request"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For example which data, which period, or why."),
        error_messages={"required": _("Describe your request in a few words.")},
    )
    correction_field = forms.ChoiceField(
        label=_("Correction: which data is wrong?"),
        choices=[("", "---------"), *CorrectableField.choices],
        required=False,
    )
    correction_value = forms.CharField(
        label=_("Correction: what should it be?"),
        max_length=300,
        required=False,
        help_text=_("A date as YYYY-MM-DD; a postal code as 1234 AB."),
    )
    restriction_categories = forms.MultipleChoiceField(
        label=_("Restriction: which data? (none chosen: all data)"),
        choices=DataCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    erasure_categories = forms.MultipleChoiceField(
        label=_("Erasure: which data? (none chosen: all that may be erased)"),
        choices=ErasureCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose_codes = forms.MultipleChoiceField(
        label=_("Objection: against which use? (none chosen: all optional use)"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, children=(), purposes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.school_ids = {child.pk: child.school_id for child in children}
        self.fields["student"].choices = [(c.pk, c.display_name) for c in children]
        seen = {}
        for purpose in purposes:
            seen.setdefault(purpose.code, purpose.title)
        self.fields["purpose_codes"].choices = sorted(seen.items())

    def categories(self) -> list[str]:
        kind = self.cleaned_data.get("kind")
        if kind == Kind.RESTRICTION:
            return self.cleaned_data.get("restriction_categories") or []
        if kind == Kind.ERASURE:
            return self.cleaned_data.get("erasure_categories") or []
        return []

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind and data.get("student"):
            if kind != Kind.CORRECTION:
                data["correction_field"] = data["correction_value"] = ""
            if kind != Kind.OBJECTION:
                data["purpose_codes"] = []
            errors = request_fields_check(
                school_id=self.school_ids.get(data["student"], 0),
                kind=kind,
                description=data.get("description") or "-",
                correction_field=data.get("correction_field", ""),
                correction_value=data.get("correction_value", ""),
                categories=self.categories(),
                purpose_codes=data.get("purpose_codes") or [],
            )
            for name, messages in errors.items():
                field = {"categories": f"{kind}_categories"}.get(name, name)
                if field in self.errors:
                    continue
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data


class PaperRequestForm(RequestForm):
    """A request that came in on paper, registered by administration or the director."""

    guardian = forms.TypedChoiceField(label=_("Requester (guardian with authority)"), coerce=int)
    identity_check = forms.ChoiceField(
        label=_("Identity verified by"),
        choices=[c for c in IdentityCheck.choices if c[0] != IdentityCheck.PORTAL_ACCOUNT],
    )
    received_on = forms.DateField(label=_("Received on"), widget=IsoDateInput())

    field_order = ["guardian", "identity_check", "received_on", "kind"]

    def __init__(self, *args, student=None, guardians=(), **kwargs):
        super().__init__(*args, children=[student] if student else [], **kwargs)
        self.fields["student"].widget = forms.HiddenInput()
        self.fields["guardian"].choices = [(g.pk, g.display_name) for g in guardians]
        self.fields["kind"].label = _("Kind of request")
        self.fields["description"].label = _("What the requester asks")

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date of receipt cannot be in the future."))
        return day


class WaitForm(forms.Form):
    question = forms.CharField(
        label=_("What do you need from the requester?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Extend by"),
        coerce=int,
        choices=[(n, _("%(n)s month(s) in total") % {"n": n}) for n in range(1, 3)],
    )
    reason = forms.CharField(
        label=_("Reason (sent to the requester)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_months(self):
        months = self.cleaned_data["months"]
        if not 1 <= months <= MAX_EXTENSION_MONTHS:
            raise forms.ValidationError(_("At most two months."))
        return months


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rejection (sent to the requester)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CompleteForm(forms.Form):
    outcome = forms.CharField(
        label=_("What was done (sent to the requester)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LiftForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for lifting (sent to the requester)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ErasureAssessForm(forms.Form):
    """Per category: erase, or keep with the reason (legal obligation, retention)."""

    def __init__(self, *args, requested=(), **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in ErasureCategory.choices:
            self.fields[f"erase_{code}"] = forms.BooleanField(
                label=_("Erase: %(category)s") % {"category": label},
                required=False,
                initial=code in requested or not requested,
            )
            self.fields[f"keep_{code}"] = forms.CharField(
                label=_("If kept: why (%(category)s)") % {"category": label},
                max_length=500,
                required=False,
            )

    def rows(self):
        return [
            (label, self[f"erase_{code}"], self[f"keep_{code}"])
            for code, label in ErasureCategory.choices
        ]

    def clean(self):
        data = super().clean()
        for code, _label in ErasureCategory.choices:
            if not data.get(f"erase_{code}") and not (data.get(f"keep_{code}") or "").strip():
                self.add_error(f"keep_{code}", _("Give the reason to keep this, or erase it."))
        return data

    def erase(self) -> list[str]:
        return [c for c in ErasureCategory.values if self.cleaned_data.get(f"erase_{c}")]

    def keep(self) -> dict[str, str]:
        return {
            c: self.cleaned_data.get(f"keep_{c}", "")
            for c in ErasureCategory.values
            if not self.cleaned_data.get(f"erase_{c}")
        }


class ErasureDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda value: value == "yes",
        choices=[("yes", _("Approve: erase as assessed")), ("no", _("Reject the request"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Explanation for the requester (required when rejecting)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("approve") is False and not (data.get("reason") or "").strip():
            self.add_error("reason", _("A rejection needs a reason, which the requester is told."))
        return data


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), *Status.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *Kind.choices]
    )
    urgency = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[("", _("All")), ("overdue", _("Overdue")), ("due_soon", _("Due within a week"))],
    )
