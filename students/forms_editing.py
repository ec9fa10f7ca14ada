"""The school's edit forms of a pupil's and a guardian's data and the pupil's emergency
contacts (students.views.editing). Each carries ``version``, the version of the values it
showed (``services.editing.record_version``), so a save over someone else's change since is
refused and keeps what was typed. The rules are the service's; a form checks only the shape."""

from __future__ import annotations

import copy

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .forms import EnrolmentForm, EnrolmentGuardianForm
from .services.editing import GUARDIAN_FIELDS, PUPIL_FIELDS
from .services.emergency import MAX_EMERGENCY_CONTACTS, EmergencyContactDetails
from .validators import validate_phone


class _Versioned(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def apply_errors(self, field_errors) -> None:
        """Put a service's reasons (``EditError.field_errors``) at their fields."""
        for name, reasons in field_errors.items():
            for reason in reasons:
                self.add_error(name if name in self.fields else None, reason)


class StudentEditForm(_Versioned):
    """The pupil's details as at enrolment. The BSN is never filled in: empty keeps it."""

    SECTIONS = (
        (
            _("The pupil"),
            ("first_names", "given_name", "surname_prefix", "surname", "date_of_birth", "sex"),
        ),
        (_("BSN or education number"), ("bsn",)),
        (_("Address"), ("street", "house_number", "postal_code", "city")),
        (_("Before this school"), ("previous_school", "born_abroad", "arrived_in_netherlands_on")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in PUPIL_FIELDS:
            if name == "bsn":
                continue
            self.fields[name] = copy.deepcopy(EnrolmentForm.base_fields[name])
        self.fields["bsn"] = forms.CharField(
            label=_("New BSN or education number"),
            max_length=9,
            required=False,
            help_text=_(
                "Unchanged unless you type a new one. Only the director and the "
                "administration see it."
            ),
            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        )
        self.fields["postal_code"].help_text = _(
            "For example 1234 AB. Also tells which municipality's attendance officer is "
            "responsible."
        )
        self.order_fields([*PUPIL_FIELDS, "version"])

    def sections(self):
        for legend, names in self.SECTIONS:
            yield legend, [self[name] for name in names]

    def changes(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in PUPIL_FIELDS}


class GuardianEditForm(_Versioned):
    """A guardian's details. Turning the confidential flag off asks for a confirmation of what
    then happens (``confirm_disclose``)."""

    language = forms.ChoiceField(
        label=_("Language for letters and email"),
        choices=settings.LANGUAGES,
        help_text=_("The school writes to this parent in this language."),
    )
    contact_confidential = forms.BooleanField(
        label=_("Contact data confidential"),
        required=False,
        help_text=_(
            "When ticked, the other parents and guardians of the children never see this "
            "parent's email address, phone number and address, nor any change to them; the "
            "school still does. Use it when a parent's safety asks for it."
        ),
    )
    confirm_disclose = forms.BooleanField(
        label=_(
            "I understand: when I remove the tick, the other parents and guardians of the "
            "children see this parent's email address, phone number and address at once."
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "surname_prefix", "surname", "email", "phone", "address"):
            self.fields[name] = copy.deepcopy(EnrolmentGuardianForm.base_fields[name])
        self.fields["address"].label = _("Address")
        self.fields["address"].help_text = _(
            "For letters; street, house number, postal code and city."
        )
        self.fields["email"].help_text = _(
            "For the school's messages. A parent with a portal account keeps logging in with "
            "the address they have now: changing it here does not change their login."
        )
        self.order_fields([*GUARDIAN_FIELDS, "confirm_disclose", "version"])

    @property
    def was_confidential(self) -> bool:
        return bool(self.initial.get("contact_confidential"))

    def clean(self):
        data = super().clean()
        turned_off = self.was_confidential and not data.get("contact_confidential")
        if turned_off and not data.get("confirm_disclose"):
            self.add_error(
                "confirm_disclose",
                _(
                    "Confirm that the other parents may see this parent's contact data, "
                    "or keep the tick."
                ),
            )
        return data

    def changes(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in GUARDIAN_FIELDS}


class EmergencyContactRows(forms.Form):
    """Up to four people the school calls when the parents cannot be reached, a row each
    (name, relation, phone) in order; an empty row is no contact. The school's form and the
    parents' form are this one."""

    ROWS = MAX_EMERGENCY_CONTACTS
    PARTS = ("name", "relation", "phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, self.ROWS + 1):
            self.fields[f"name_{row}"] = forms.CharField(
                label=_("Name"), max_length=150, required=False
            )
            self.fields[f"relation_{row}"] = forms.CharField(
                label=_("Relation to the child"),
                max_length=100,
                required=False,
                help_text=_("For example grandmother, neighbour, aunt.") if row == 1 else "",
            )
            self.fields[f"phone_{row}"] = forms.CharField(
                label=_("Phone number"), max_length=30, required=False
            )

    @classmethod
    def initial_for(cls, contacts) -> dict:
        initial = {}
        for row, contact in enumerate(list(contacts)[: cls.ROWS], start=1):
            initial.update(
                {
                    f"name_{row}": contact.name,
                    f"relation_{row}": contact.relation,
                    f"phone_{row}": contact.phone,
                }
            )
        return initial

    def clean(self):
        data = super().clean()
        for row in range(1, self.ROWS + 1):
            name, relation, phone = (
                (data.get(f"{part}_{row}") or "").strip() for part in self.PARTS
            )
            if not (name or relation or phone):
                continue
            if not name:
                self.add_error(f"name_{row}", _("Enter the name of this contact."))
            if not phone:
                self.add_error(f"phone_{row}", _("Enter the phone number of this contact."))
            else:
                try:
                    validate_phone(phone)
                except ValidationError as error:
                    self.add_error(f"phone_{row}", error)
        return data

    def contacts(self) -> list[EmergencyContactDetails]:
        data = self.cleaned_data
        found = []
        for row in range(1, self.ROWS + 1):
            name, relation, phone = (
                (data.get(f"{part}_{row}") or "").strip() for part in self.PARTS
            )
            if name or phone:
                found.append(
                    EmergencyContactDetails(
                        name=name, phone=" ".join(phone.split()), relation=relation
                    )
                )
        return found


class EmergencyContactsForm(_Versioned, EmergencyContactRows):
    """The school's form: the rows, and the version the page was opened at."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(
            [
                *(f"{part}_{row}" for row in range(1, self.ROWS + 1) for part in self.PARTS),
                "version",
            ]
        )

    def rows(self):
        for row in range(1, self.ROWS + 1):
            yield row, [self[f"{part}_{row}"] for part in self.PARTS]
