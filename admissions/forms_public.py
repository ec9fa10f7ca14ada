"""The forms of the online application (admissions.views.public). Each field's help text is the
one line that says why the school asks it (DOMAIN, "Pupil administration"); the rules are the
service's (admissions.services.applications), the forms only read what was typed."""

from __future__ import annotations

import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from kernel.widgets import IsoDateInput
from students.forms import EnrolmentGuardianForm

GUARDIAN_SLOTS = 2
# A guardian's fields on the application: the enrolment's, as they are enrolled from it,
# without the invitation (that is the school's step at enrolment).
GUARDIAN_FIELDS = tuple(name for name in EnrolmentGuardianForm.base_fields if name != "invite")
# A slot counts as filled when any of these has a value; slot 1 is always filled.
_FILLED_BY = ("first_name", "surname_prefix", "surname", "email", "phone", "address")
# Where the application's words differ from the enrolment's (no child's address is asked here).
_GUARDIAN_TEXTS = {
    "email": (
        _("Email address"),
        _("So the school can reach this parent; at enrolment it invites them to the portal."),
    ),
    "address": (
        _("Address"),
        _("Street, house number, postal code and city: where the child lives with this parent."),
    ),
}


def _guardian_field(name: str, slot: int) -> forms.Field:
    field = copy.deepcopy(EnrolmentGuardianForm.base_fields[name])
    if name in _GUARDIAN_TEXTS:
        field.label, field.help_text = _GUARDIAN_TEXTS[name]
    if slot > 1:
        field.required = False  # checked by the service when the slot is filled
    if name == "address" and slot == 1:
        field.required = True
    return field


class ApplicationForm(forms.Form):
    """The child, one or two parents, the applicant's address and two optional answers."""

    first_names = forms.CharField(
        label=_("First names (all, as in the passport)"),
        max_length=200,
        help_text=_("As registered, so the school enrols the right child."),
    )
    given_name = forms.CharField(
        label=_("Name the child goes by"),
        max_length=100,
        help_text=_("The name the school will use."),
    )
    surname_prefix = forms.CharField(
        label=_("Surname prefix"),
        max_length=30,
        required=False,
        help_text=_("For example “van der”; leave empty when there is none."),
    )
    surname = forms.CharField(label=_("Surname"), max_length=150, help_text=_("As registered."))
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=IsoDateInput(),
        error_messages={"required": _("Enter the date of birth.")},
        help_text=_("You can apply from the age of 3; it tells the group your child starts in."),
    )
    desired_start_date = forms.DateField(
        label=_("Desired start date"),
        widget=IsoDateInput(),
        error_messages={
            "required": _("Enter the date on which you would like your child to start.")
        },
        help_text=_(
            "From the 4th birthday. Apply at least 10 weeks before, so the school can decide "
            "in time."
        ),
    )
    current_school = forms.CharField(
        label=_("Current school or day care"),
        max_length=200,
        required=False,
        help_text=_(
            "So the school can ask about your child's development (with your consent). Leave "
            "empty when your child goes to neither."
        ),
    )
    born_abroad = forms.BooleanField(
        label=_("My child was born abroad"),
        required=False,
        help_text=_("For a child born abroad the school may receive extra funding."),
    )
    arrived_in_netherlands_on = forms.DateField(
        label=_("Date of arrival in the Netherlands"),
        required=False,
        widget=IsoDateInput(),
        help_text=_("Only for a child born abroad: it decides the extra funding."),
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_(
            "We send the link to confirm your application here, and every message about it. "
            "The application counts once you have confirmed."
        ),
    )
    support_needs = forms.CharField(
        label=_("Support your child needs (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For example a medical condition, a disability or extra help with learning. It helps "
            "the school see whether it can offer what your child needs; if it cannot, it must "
            "help find a school that can."
        ),
    )
    religion = forms.CharField(
        label=_("Religion or belief (optional)"),
        required=False,
        max_length=200,
        help_text=_(
            "Only if you want the school to take it into account, for example religious holidays."
        ),
    )

    CHILD_SECTIONS = (
        (
            _("Your child"),
            ("first_names", "given_name", "surname_prefix", "surname", "date_of_birth"),
        ),
        (_("Starting school"), ("desired_start_date", "current_school")),
        (_("Born abroad?"), ("born_abroad", "arrived_in_netherlands_on")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for slot in range(1, GUARDIAN_SLOTS + 1):
            for name in GUARDIAN_FIELDS:
                self.fields[self.guardian_name(slot, name)] = _guardian_field(name, slot)

    @staticmethod
    def guardian_name(slot: int, name: str) -> str:
        return f"g{slot}_{name}"

    def child_sections(self):
        for legend, names in self.CHILD_SECTIONS:
            yield legend, [self[name] for name in names]

    def guardian_sections(self):
        for slot in range(1, GUARDIAN_SLOTS + 1):
            legend = (
                _("Parent or guardian %(number)s") % {"number": slot}
                if slot == 1
                else _("Parent or guardian %(number)s (if any)") % {"number": slot}
            )
            yield legend, [self[self.guardian_name(slot, name)] for name in GUARDIAN_FIELDS]

    def error_links(self) -> list[tuple[str, str]]:
        """The fields the person must correct, in the page's order, as (id, words) for the
        list at the top of a refused form (a long form on a phone: the list jumps there)."""
        links = []
        for legend, fields in (*self.child_sections(), *self.guardian_sections()):
            for field in fields:
                if field.errors:
                    words = str(field.label)
                    if field.name.startswith("g"):
                        words = f"{legend}: {words}"
                    links.append((field.id_for_label, words))
        for name in ("email", "support_needs", "religion"):
            if self[name].errors:
                links.append((self[name].id_for_label, str(self[name].label)))
        return links

    def filled_slots(self) -> list[int]:
        data = self.cleaned_data
        return [
            slot
            for slot in range(1, GUARDIAN_SLOTS + 1)
            if slot == 1 or any(data.get(self.guardian_name(slot, name)) for name in _FILLED_BY)
        ]


class FollowRequestForm(forms.Form):
    """A fresh link to follow an application: its reference and the address it was sent from."""

    reference = forms.CharField(
        label=_("Reference"),
        max_length=20,
        help_text=_("In the email confirming your application, for example 2026-K7Q9XP."),
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("The address you applied with: the link is sent there."),
    )
