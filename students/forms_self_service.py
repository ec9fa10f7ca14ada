"""The forms a parent keeps their own data current with, and the school's decision on a move
(``students/views/self_service.py``). Validation is here, server-side; each error at its field."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.services import email_normalise
from kernel.widgets import IsoDateInput

from .forms_editing import EmergencyContactRows
from .models import Guardian
from .services.emergency import EmergencyContactDetails
from .services.self_service import CHOOSE_CHILDREN, EMAIL_TAKEN, own_contact_email_taken
from .validators import validate_phone

POSTAL_CODE = re.compile(r"^\s*([1-9][0-9]{3})\s*([A-Za-z]{2})\s*$")
HOUSE_NUMBER = re.compile(r"^[1-9][0-9]{0,4}(\s*[-/]?\s*[A-Za-z0-9]{1,6})?$")
# A move may be reported a while after it happened, or ahead of it; not years either way.
MOVE_PAST_DAYS = 366
MOVE_FUTURE_DAYS = 183


def postal_code_normalise(value: str) -> str:
    """A Dutch postal code as "1234 AB" (four digits, the first not 0; two letters), or a
    ``ValidationError``."""
    match = POSTAL_CODE.match(value or "")
    if match is None:
        raise ValidationError(
            _("Enter a Dutch postal code: four digits and two letters, for example 1234 AB."),
            code="postal_code",
        )
    return f"{match[1]} {match[2].upper()}"


class OwnContactForm(forms.Form):
    """A parent's own phone number and contact e-mail address."""

    phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        validators=[validate_phone],
        help_text=_("The number the school calls you on, for example 06 12345678."),
        error_messages={"required": _("Enter the phone number the school can reach you on.")},
    )
    email = forms.EmailField(
        label=_("Contact e-mail address"),
        max_length=254,
        help_text=_(
            "Where the school sends its messages to you. This is not the address you log in "
            "with: that one stays as it is."
        ),
        error_messages={"required": _("Enter the e-mail address the school can write to.")},
    )

    def __init__(self, *args, guardian: Guardian | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.guardian = guardian

    def clean_phone(self) -> str:
        return " ".join(self.cleaned_data["phone"].split())

    def clean_email(self) -> str:
        email = email_normalise(self.cleaned_data["email"])
        guardian = self.guardian
        if (
            guardian is not None
            and email != email_normalise(guardian.email)
            and own_contact_email_taken(guardian=guardian, email=email)
        ):
            raise ValidationError(EMAIL_TAKEN, code="taken")
        return email


class EmergencyContactsForm(EmergencyContactRows):
    """The parents' form: the same rows as the school's (``EmergencyContactRows``), filled in
    with the child's contacts, shown as one row each."""

    def __init__(self, *args, contacts: Sequence[EmergencyContactDetails] = (), **kwargs):
        kwargs["initial"] = {**(kwargs.get("initial") or {}), **self.initial_for(contacts)}
        super().__init__(*args, **kwargs)

    def rows(self) -> list[dict]:
        """The bound fields per row, for the page."""
        return [
            {
                "number": index,
                "name": self[f"name_{index}"],
                "relation": self[f"relation_{index}"],
                "phone": self[f"phone_{index}"],
            }
            for index in range(1, self.ROWS + 1)
        ]


class AddressChangeForm(forms.Form):
    """A parent's report of a move: the new address, the date, the children who move too."""

    street = forms.CharField(
        label=_("Street"),
        max_length=200,
        error_messages={"required": _("Enter the street.")},
    )
    house_number = forms.CharField(
        label=_("House number"),
        max_length=20,
        help_text=_("With an addition if there is one, for example 12 or 12-A."),
        error_messages={"required": _("Enter the house number.")},
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=10,
        help_text=_("For example 1234 AB."),
        error_messages={"required": _("Enter the postal code.")},
    )
    city = forms.CharField(
        label=_("Town or city"),
        max_length=100,
        error_messages={"required": _("Enter the town or city.")},
    )
    moves_on = forms.DateField(
        label=_("Date of the move"),
        widget=IsoDateInput,
        error_messages={
            "required": _("Enter the date of the move."),
            "invalid": _("Enter the date of the move as a date."),
        },
    )
    students = forms.TypedMultipleChoiceField(
        label=_("Which of your children move with you?"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave a child unticked if they keep living at their current address."),
    )

    def __init__(self, *args, children=(), current_address: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.children = list(children)
        self.current_address = current_address
        field = cast(forms.TypedMultipleChoiceField, self.fields["students"])
        field.choices = [(c.pk, c.display_name) for c in self.children]
        # A move reaches a school through a child who moves: one at least (a parent with no
        # child at the school is not offered this form, see MyAddressView).
        field.required = bool(self.children)
        field.error_messages["required"] = CHOOSE_CHILDREN

    def clean_street(self) -> str:
        return " ".join(self.cleaned_data["street"].split())

    def clean_city(self) -> str:
        return " ".join(self.cleaned_data["city"].split())

    def clean_house_number(self) -> str:
        value = " ".join(self.cleaned_data["house_number"].split())
        if not HOUSE_NUMBER.match(value):
            raise ValidationError(
                _("Enter a house number that starts with a number, for example 12 or 12-A."),
                code="house_number",
            )
        return value

    def clean_postal_code(self) -> str:
        return postal_code_normalise(self.cleaned_data["postal_code"])

    def clean_moves_on(self) -> datetime.date:
        day = self.cleaned_data["moves_on"]
        today = timezone.localdate()
        if day < today - datetime.timedelta(days=MOVE_PAST_DAYS):
            raise ValidationError(
                _("A move of more than a year ago: please contact the school's administration."),
                code="too_early",
            )
        if day > today + datetime.timedelta(days=MOVE_FUTURE_DAYS):
            raise ValidationError(
                _("Report a move at most six months ahead."),
                code="too_late",
            )
        return day

    def clean(self):
        from .models.address_changes import address_line

        data = super().clean()
        parts = [data.get(name) for name in ("street", "house_number", "postal_code", "city")]
        if all(parts) and self.current_address:
            new = address_line(*parts)
            if " ".join(new.casefold().split()) == " ".join(
                self.current_address.casefold().split()
            ):
                self.add_error("street", _("This is the address the school has already."))
        return data

    def chosen_students(self):
        chosen = set(self.cleaned_data.get("students") or ())
        return [child for child in self.children if child.pk in chosen]


class AddressDecisionForm(forms.Form):
    """The school's decision on a reported move: take it over, or not with a reason."""

    CONFIRM, REJECT = "confirm", "reject"
    decision = forms.ChoiceField(
        label=_("What do you do with the new address?"),
        choices=[
            (CONFIRM, _("Take the new address over")),
            (REJECT, _("Do not take it over")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to take the new address over.")},
    )
    reason = forms.CharField(
        label=_("Reason, when you do not take it over"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The parent reads it on their page (not in the e-mail). For example: the postal "
            "code does not match the street."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason, for the parent."))
        return data
