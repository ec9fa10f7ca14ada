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

# What a parent can ask, in plain words, with one line each on what it does: the first step of
# the request form (the kinds' own labels, Kind.choices, are what the school's staff read).
KIND_PLAIN = {
    Kind.ACCESS: (
        _("See the data"),
        _("You receive everything the school records about your child, to read and keep."),
    ),
    Kind.CORRECTION: (
        _("Correct data"),
        _("Something the school has recorded about your child is wrong or incomplete."),
    ),
    Kind.ERASURE: (
        _("Delete data"),
        _("The school deletes data about your child that the law does not require it to keep."),
    ),
    Kind.RESTRICTION: (
        _("Stop using data for now"),
        _(
            "The school keeps the data but does not use it, for example while a correction "
            "is being checked."
        ),
    ),
    Kind.OBJECTION: (
        _("Object to a use"),
        _("The school stops an optional use of your child's data, such as photos on the website."),
    ),
}


def kind_options(chosen: str = "") -> list[dict]:
    """The first step's choices, in Kind's order: value, plain label, one line, chosen."""
    return [
        {"value": value, "label": label, "help": help_text, "chosen": value == chosen}
        for value, (label, help_text) in KIND_PLAIN.items()
    ]


class RequestForm(forms.Form):
    """A guardian's request; the same checks as the API (request_fields_check). The kind is
    chosen first (its own step on the page), so here it is a hidden field."""

    student = forms.TypedChoiceField(label=_("Child"), coerce=int)
    kind = forms.ChoiceField(
        label=_("What do you want?"),
        choices=Kind.choices,
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose what you want to ask the school.")},
    )
    description = forms.CharField(
        label=_("Explain your request in a few words"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For example which data, which period, or why."),
        error_messages={"required": _("Describe your request in a few words.")},
    )
    correction_field = forms.ChoiceField(
        label=_("Which data is wrong?"),
        choices=[("", "---------"), *CorrectableField.choices],
        required=False,
    )
    correction_value = forms.CharField(
        label=_("What should it be?"),
        max_length=300,
        required=False,
        help_text=_("A date as YYYY-MM-DD; a postal code as 1234 AB."),
    )
    restriction_categories = forms.MultipleChoiceField(
        label=_("Which data should the school stop using? (none chosen: all data)"),
        choices=DataCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    erasure_categories = forms.MultipleChoiceField(
        label=_("Which data should be deleted? (none chosen: everything that may be deleted)"),
        choices=ErasureCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose_codes = forms.MultipleChoiceField(
        label=_("Which use do you object to? (none chosen: all optional use)"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    # The fields that belong to one kind only; the page shows them under that kind.
    KIND_FIELDS = {
        Kind.CORRECTION: ("correction_field", "correction_value"),
        Kind.ERASURE: ("erasure_categories",),
        Kind.RESTRICTION: ("restriction_categories",),
        Kind.OBJECTION: ("purpose_codes",),
    }

    def __init__(self, *args, children=(), purposes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.school_ids = {child.pk: child.school_id for child in children}
        self.fields["student"].choices = [(c.pk, c.display_name) for c in children]
        seen = {}
        for purpose in purposes:
            seen.setdefault(purpose.code, purpose.title)
        self.fields["purpose_codes"].choices = sorted(seen.items())

    def chosen_kind(self) -> str:
        """The kind this form is about: what was submitted, else the initial choice."""
        value = self.data.get("kind") if self.is_bound else self.initial.get("kind")
        return value if value in Kind.values else ""

    def kind_sections(self) -> list[dict]:
        """Per kind: its plain label and line, and its own fields (none for access)."""
        chosen = self.chosen_kind()
        return [
            {
                "value": value,
                "label": label,
                "help": help_text,
                "chosen": value == chosen,
                "fields": [self[name] for name in self.KIND_FIELDS.get(value, ())],
            }
            for value, (label, help_text) in KIND_PLAIN.items()
        ]

    def common_fields(self) -> list:
        """The fields every kind has before the kind's own part (the child, and what a
        subclass adds); the description comes after it."""
        own = {name for names in self.KIND_FIELDS.values() for name in names}
        skip = own | {"kind", "description"}
        return [self[name] for name in self.fields if name not in skip]

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
        # Staff choose the kind on the same page: a visible radio list.
        self.fields["kind"].widget = forms.RadioSelect(choices=Kind.choices)
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
    """Per category asked for: erase, or keep with the reason (a legal obligation, a
    retention period). Nothing is chosen beforehand: whoever assesses chooses each one. A
    category the parent did not ask for is kept, with that as its reason. A reason typed for
    a category chosen to be erased is refused at the field, never dropped."""

    ERASE, KEEP = "erase", "keep"

    def __init__(self, *args, requested=(), **kwargs):
        super().__init__(*args, **kwargs)
        asked = [c for c in ErasureCategory.values if c in set(requested)]
        self.asked = asked or list(ErasureCategory.values)
        labels = dict(ErasureCategory.choices)
        for code in self.asked:
            label = labels[code]
            self.fields[f"choice_{code}"] = forms.ChoiceField(
                label=_("Erase or keep: %(category)s") % {"category": label},
                choices=[
                    (self.ERASE, _("Erase it")),
                    (self.KEEP, _("Keep it (give the reason)")),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose: erase it, or keep it.")},
            )
            self.fields[f"keep_{code}"] = forms.CharField(
                label=_("Why is it kept? (%(category)s)") % {"category": label},
                help_text=_("Only when you keep it. The requester is told this reason."),
                max_length=500,
                required=False,
            )

    def rows(self):
        labels = dict(ErasureCategory.choices)
        return [(labels[code], self[f"choice_{code}"], self[f"keep_{code}"]) for code in self.asked]

    def not_asked(self) -> list[str]:
        labels = dict(ErasureCategory.choices)
        return [str(labels[c]) for c in ErasureCategory.values if c not in self.asked]

    def clean(self):
        data = super().clean()
        for code in self.asked:
            choice = data.get(f"choice_{code}")
            reason = (data.get(f"keep_{code}") or "").strip()
            if choice == self.KEEP and not reason:
                self.add_error(f"keep_{code}", _("Give the reason to keep this, or erase it."))
            elif choice == self.ERASE and reason:
                self.add_error(
                    f"keep_{code}",
                    _(
                        "You chose to erase this, but wrote a reason to keep it. Choose "
                        "'keep it', or clear the reason."
                    ),
                )
        return data

    def erase(self) -> list[str]:
        return [c for c in self.asked if self.cleaned_data.get(f"choice_{c}") == self.ERASE]

    def keep(self) -> dict[str, str]:
        kept = {
            c: self.cleaned_data.get(f"keep_{c}", "").strip()
            for c in self.asked
            if self.cleaned_data.get(f"choice_{c}") == self.KEEP
        }
        for code in ErasureCategory.values:
            if code not in self.asked:
                kept[code] = str(_("Not asked for in this request."))
        return kept


class ErasureDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda value: value == "yes",
        choices=[("yes", _("Approve: erase as assessed")), ("no", _("Reject the request"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Explanation for the requester (required when rejecting)"),
        help_text=_("Sent to the requester with the decision, whichever you choose."),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand: approving erases the data listed under 'Erase' at once, for good. "
            "It cannot be undone."
        ),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("approve") is False and not (data.get("reason") or "").strip():
            self.add_error("reason", _("A rejection needs a reason, which the requester is told."))
        if data.get("approve") is True and not data.get("confirm"):
            self.add_error("confirm", _("Confirm that the data is erased for good, or reject."))
        return data


class ReleaseForm(forms.Form):
    """Releasing an access package sends it out: the consequence is confirmed first."""

    confirm = forms.BooleanField(
        label=_(
            "I have reviewed the package: the guardians with parental authority are told and "
            "can download it. It cannot be called back once downloaded."
        ),
        error_messages={"required": _("Confirm that the package may be sent to the guardians.")},
    )


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
