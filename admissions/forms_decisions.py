"""The forms of the decisions on an application. The enrolment is the enrolment form of
``students`` (``EnrolmentForm``), filled in from the application."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from students.forms import ENROL_GUARDIAN_SLOTS, EnrolmentForm

from .models import Application


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the school needs more time"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Required. The parents read it on their follow page; their e-mail says only "
            "that the school needs more time."
        ),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the refusal"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required. It is in the refusal letter the parents receive."),
    )
    referral_school = forms.CharField(
        label=_("School that can offer the support needed"),
        max_length=200,
        required=False,
        help_text=_(
            "When the school cannot offer the support the child needs, the duty of care asks "
            "it to find a school that can: name it here, it is in the letter."
        ),
    )


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("How the parents withdrew the application"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required. For example: by phone on 12 March, mother; or their e-mail."),
    )


# "Lindelaan 12a, 3512 AB Utrecht": an address as the application form asks it in one line.
_ADDRESS = re.compile(
    r"^\s*(?P<street>.+?)\s+(?P<house_number>\d+\S*)\s*,\s*"
    r"(?P<postal_code>\d{4}\s?[A-Za-z]{2})\s+(?P<city>\S.*?)\s*$"
)


def _address_parts(address: str) -> dict[str, str] | None:
    """Street, house number, postal code and city of a Dutch address in one line, or None
    when it does not read as one (then the page asks for them)."""
    match = _ADDRESS.match(address or "")
    if match is None:
        return None
    parts = match.groupdict()
    postal = parts["postal_code"].replace(" ", "").upper()
    parts["postal_code"] = f"{postal[:4]} {postal[4:]}"
    return parts


def enrolment_initial(application: Application) -> dict:
    """The enrolment form filled in from the application: the child, the start date, the
    current school, born abroad and arrival, and up to three guardians with their authority
    and court decision. What enrolment adds (BSN, sex, address, group) is asked on the page."""
    initial: dict = {
        "start_date": application.desired_start_date,
        "first_names": application.first_names,
        "given_name": application.given_name,
        "surname_prefix": application.surname_prefix,
        "surname": application.surname,
        "date_of_birth": application.date_of_birth,
        "previous_school": application.current_school,
        "born_abroad": application.born_abroad,
        "arrived_in_netherlands_on": application.arrived_in_netherlands_on,
    }
    guardians = list(application.guardians.order_by("position", "pk"))[:ENROL_GUARDIAN_SLOTS]
    # The child lives at the first guardian's address unless the school hears otherwise: it
    # fills the child's address, and a guardian at that same address needs none of their own
    # (the enrolment form asks a guardian's address only "if different from the child's").
    home = guardians[0].address.strip() if guardians else ""
    parts = _address_parts(home)
    if parts is not None:
        initial.update(parts)
    for slot, guardian in enumerate(guardians, start=1):
        values = {
            "first_name": guardian.first_name,
            "surname_prefix": guardian.surname_prefix,
            "surname": guardian.surname,
            "email": guardian.email,
            "phone": guardian.phone,
            "address": ""
            if parts is not None and guardian.address.strip() == home
            else guardian.address,
            "has_authority": "yes" if guardian.has_authority else "no",
            "authority_decided_on": guardian.authority_decided_on,
            "authority_reference": guardian.authority_reference,
            "invite": True,
        }
        for name, value in values.items():
            initial[EnrolmentForm.guardian_name(slot, name)] = value
    return initial
