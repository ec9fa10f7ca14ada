import copy
from typing import cast

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from kernel.widgets import IsoDateInput

from .constants import CareKind, CareSource, CareVisibility, ReligionStatus, Sex, Subject
from .exceptions import EnrolmentError
from .models import Group
from .services.enrolment import GuardianDetails, PupilDetails


class StudentSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None)
    former = forms.BooleanField(label=_("Show former pupils"), required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("All groups"))] + [
            (g.pk, f"{g.name} ({g.school.name})") for g in groups
        ]


class ProgressForm(forms.Form):
    subject = forms.ChoiceField(label=_("Subject"), choices=Subject.choices)
    period = forms.CharField(
        label=_("Period"), max_length=50, help_text=_("For example 'Midden groep 5' or 'Report 1'.")
    )
    result = forms.CharField(
        label=_("Result"), max_length=20, help_text=_("A grade (7.5) or a level (A-E, I-V).")
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CareRecordForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CareKind.choices)
    content = forms.CharField(
        label=_("Content"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    justification = forms.CharField(
        label=_("Justification"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why is this needed for the pupil's guidance? Required."),
    )
    source = forms.ChoiceField(label=_("Source"), choices=CareSource.choices)
    review_date = forms.DateField(
        label=_("Review date"),
        widget=IsoDateInput(),
        help_text=_("When to check whether this is still needed."),
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=CareVisibility.choices)
    expected_updated_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def clean_justification(self):
        value = self.cleaned_data["justification"].strip()
        if not value:
            raise forms.ValidationError(_("Say why this is needed for the pupil's guidance."))
        return value

    def clean_review_date(self):
        value = self.cleaned_data["review_date"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The review date cannot be in the past."))
        return value


class CareRecordCreateForm(CareRecordForm):
    withhold_reason = forms.CharField(
        label=_("Withhold from guardians: reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only for signals under the Meldcode where informing a guardian would "
            "endanger the child. The director decides; until then guardians do not "
            "see the record."
        ),
    )


class WithholdForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withholding from guardians"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )


class ReligionForm(forms.Form):
    """The religion entry, in the parent's voice for a parent and from the paper form for
    staff. A religion is recorded only with a parent's explicit consent: while none holds the
    form asks for it (``consent``; staff also name the parent who signed, ``guardian``)."""

    status = forms.ChoiceField(required=False, widget=forms.RadioSelect)
    religion = forms.CharField(max_length=100, required=False)
    consent = forms.BooleanField(required=False)
    guardian = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, *args, for_guardian: bool, consent_needed: bool, guardians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.for_guardian = for_guardian
        self.consent_needed = consent_needed
        status = cast(forms.ChoiceField, self.fields["status"])
        religion = self.fields["religion"]
        if for_guardian:
            status.label = _("What do you want to tell the school?")
            status.choices = [
                (ReligionStatus.STATED, _("I state my child's religion or belief")),
                (ReligionStatus.DECLINED, _("I prefer not to say")),
                ("", _("Nothing: remove what the school recorded")),
            ]
            religion.label = _("Your child's religion or belief")
            religion.help_text = _("In your own words, for example 'Islam' or 'Humanist'.")
        else:
            status.label = _("What the parent answered")
            status.choices = [
                (ReligionStatus.STATED, _("The parent stated a religion or belief")),
                (ReligionStatus.DECLINED, _("The parent chose not to state it")),
                ("", _("Nothing recorded (remove the entry)")),
            ]
            religion.label = _("Religion or belief")
        if not consent_needed:
            del self.fields["consent"]
            del self.fields["guardian"]
            return
        consent = self.fields["consent"]
        if for_guardian:
            consent.label = _(
                "I give the school my explicit consent to record my child's religion or "
                "belief. I can withdraw this consent at any time; the school then deletes it."
            )
            del self.fields["guardian"]
        else:
            consent.label = _(
                "The parent gave explicit consent on the signed paper form to record the "
                "religion or belief"
            )
            guardian = cast(forms.ChoiceField, self.fields["guardian"])
            guardian.label = _("Parent who signed the form")
            guardian.choices = [("", _("Choose a parent"))] + [
                (g.pk, g.display_name) for g in guardians
            ]

    def clean(self):
        data = super().clean()
        stated = data.get("status") == ReligionStatus.STATED
        if stated and not data.get("religion", "").strip():
            self.add_error(
                "religion", _("Fill in the religion or belief, or choose not to state it.")
            )
        if stated and self.consent_needed and not data.get("consent"):
            self.add_error(
                "consent",
                _("Tick this box to give your consent, or choose not to say.")
                if self.for_guardian
                else _(
                    "Without the parent's written consent the school may not record a "
                    "religion or belief."
                ),
            )
        if stated and self.consent_needed and not self.for_guardian and not data.get("guardian"):
            self.add_error("guardian", _("Choose the parent who signed the form."))
        return data


class ReligionWithdrawForm(forms.Form):
    """A parent withdraws the consent (staff: from a letter or form, naming the parent)."""

    guardian = forms.TypedChoiceField(
        label=_("Parent who withdrew the consent"), coerce=int, empty_value=None
    )

    def __init__(self, *args, for_guardian: bool, guardians=(), **kwargs):
        super().__init__(*args, **kwargs)
        if for_guardian:
            del self.fields["guardian"]
        else:
            cast(forms.ChoiceField, self.fields["guardian"]).choices = [
                ("", _("Choose a parent"))
            ] + [(g.pk, g.display_name) for g in guardians]


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
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        elif ends and ends < timezone.localdate():
            self.add_error("ends_on", _("The last day cannot be in the past."))
        return data


class AuthorityChangeForm(forms.Form):
    """Recording a change of parental authority: the decision it rests on, and an explicit
    confirmation of what changes at once (students.views.pupils.GuardianAuthorityView)."""

    has_authority = forms.TypedChoiceField(
        choices=[("0", "0"), ("1", "1")],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
    decided_on = forms.DateField(
        label=_("Date of the court decision"),
        widget=IsoDateInput(),
        help_text=_("Or the date of the extract from the authority register (gezagsregister)."),
    )
    reference = forms.CharField(
        label=_("Reference of the decision"),
        max_length=100,
        help_text=_("For example the case number (zaaknummer) on the decision."),
    )
    confirm = forms.BooleanField(
        label=_("I have seen the decision, and understand what changes at once (above)."),
        error_messages={"required": _("Confirm that you have seen the decision.")},
    )

    def clean_decided_on(self):
        day = self.cleaned_data["decided_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The decision's date cannot be in the future."))
        return day


class DeactivateConfirmForm(forms.Form):
    """Ending a staff account is confirmed with what happens (students.views.staff)."""

    confirm = forms.BooleanField(
        label=_("I understand: this account is ended at once (above)."),
        error_messages={"required": _("Confirm that the account is to be ended.")},
    )


# -- Enrolment (students.views.enrolment) ------------------------------------------------------

ENROL_GUARDIAN_SLOTS = 3
# A guardian slot counts as filled when any of these has a value; slot 1 is always filled.
_GUARDIAN_FILLED_BY = ("first_name", "surname_prefix", "surname", "email", "phone", "address")
_YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class EnrolmentGuardianForm(forms.Form):
    """One parent or guardian on the enrolment form; each field says why the school asks it.
    Its fields appear on ``EnrolmentForm`` once per slot, as ``g<slot>_<name>``."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        help_text=_("To address the parent in letters and in the portal."),
    )
    surname_prefix = forms.CharField(
        label=_("Surname prefix"),
        max_length=30,
        required=False,
        help_text=_("For example “van der”; leave empty when there is none."),
    )
    surname = forms.CharField(
        label=_("Surname"),
        max_length=150,
        help_text=_("To address the parent, and to recognise a parent the school already knows."),
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_("For the invitation to the parent portal and the school's messages."),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        help_text=_("So the school can reach the parent in an emergency."),
    )
    address = forms.CharField(
        label=_("Address, if other than the child's"),
        max_length=300,
        required=False,
        help_text=_("For letters, when the parent lives elsewhere."),
    )
    has_authority = forms.ChoiceField(
        label=_("Has parental authority"),
        choices=_YES_NO,
        initial="yes",
        widget=forms.RadioSelect,
        help_text=_("Decides what the parent may see and decide for the child in the portal."),
    )
    authority_decided_on = forms.DateField(
        label=_("Date of the court decision"),
        required=False,
        widget=IsoDateInput(),
        help_text=_("Only without authority: the decision the school relies on."),
    )
    authority_reference = forms.CharField(
        label=_("Reference of the decision"),
        max_length=100,
        required=False,
        help_text=_("Only without authority: for example the case number (zaaknummer)."),
    )
    invite = forms.BooleanField(
        label=_("Invite to the parent portal"),
        required=False,
        initial=True,
        help_text=_("An email with a personal link; it never contains the child's data."),
    )


class EnrolmentForm(forms.Form):
    """Enrolling a pupil from a paper application: the pupil and one to three guardians, in one
    form so that a refused form keeps everything typed (kernel.prg). Each field's help text is
    the one line that says why the school needs it (DOMAIN, "Pupil administration")."""

    group: "forms.ModelChoiceField[Group]" = forms.ModelChoiceField(
        label=_("Group"),
        queryset=Group.objects.none(),  # the school's groups, set in __init__
        help_text=_("The group the pupil starts in; teachers see the pupils of their groups."),
    )
    start_date = forms.DateField(
        label=_("First school day"),
        widget=IsoDateInput(),
        help_text=_("The enrolment date, reported to DUO for the school's funding."),
    )
    year_group = forms.TypedChoiceField(
        label=_("Year group"),
        choices=[("", "—"), *((str(n), str(n)) for n in range(1, 9))],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Only for a combination group: which year group the pupil is in."),
    )
    first_names = forms.CharField(
        label=_("First names (all, as in the passport)"),
        max_length=200,
        help_text=_("As registered, for the funding registration with DUO."),
    )
    given_name = forms.CharField(
        label=_("Name the child goes by"),
        max_length=100,
        help_text=_("The name teachers and the portal use."),
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
        help_text=_("Decides the year group and when compulsory education starts."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=Sex.choices,
        widget=forms.RadioSelect,
        help_text=_("Asked by DUO for the funding registration."),
    )
    bsn = forms.CharField(
        label=_("BSN or education number"),
        max_length=9,
        help_text=_(
            "Required for the funding registration with DUO; only the director and the "
            "administration see it."
        ),
    )
    street = forms.CharField(
        label=_("Street"), max_length=200, required=False, help_text=_("For letters and DUO.")
    )
    house_number = forms.CharField(
        label=_("House number"), max_length=20, required=False, help_text=_("With any addition.")
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=7,
        required=False,
        help_text=_("Also tells which municipality's attendance officer is responsible."),
    )
    city = forms.CharField(
        label=_("City"), max_length=100, required=False, help_text=_("For letters and DUO.")
    )
    previous_school = forms.CharField(
        label=_("Previous school or day care"),
        max_length=200,
        required=False,
        help_text=_("So the school can ask for the handover (the education report)."),
    )
    born_abroad = forms.BooleanField(
        label=_("Born abroad"),
        required=False,
        help_text=_("For a child born abroad the school may receive newcomer funding."),
    )
    arrived_in_netherlands_on = forms.DateField(
        label=_("Date of arrival in the Netherlands"),
        required=False,
        widget=IsoDateInput(),
        help_text=_("Only for a child born abroad: decides the newcomer funding."),
    )

    PUPIL_SECTIONS = (
        (_("Group and start"), ("group", "start_date", "year_group")),
        (
            _("The pupil"),
            (
                "first_names",
                "given_name",
                "surname_prefix",
                "surname",
                "date_of_birth",
                "sex",
                "bsn",
            ),
        ),
        (_("Address"), ("street", "house_number", "postal_code", "city")),
        (_("Before this school"), ("previous_school", "born_abroad", "arrived_in_netherlands_on")),
    )

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        group_field = cast(forms.ModelChoiceField, self.fields["group"])
        group_field.queryset = groups
        group_field.label_from_instance = lambda group: (
            f"{group.name} ({group.school_year}-{group.school_year + 1})"
        )
        for slot in range(1, ENROL_GUARDIAN_SLOTS + 1):
            for name, field in EnrolmentGuardianForm.base_fields.items():
                field_copy = copy.deepcopy(field)
                if slot > 1:
                    field_copy.required = False  # checked in clean() when the slot is filled
                self.fields[self.guardian_name(slot, name)] = field_copy

    @staticmethod
    def guardian_name(slot: int, name: str) -> str:
        return f"g{slot}_{name}"

    def sections(self):
        """The pupil's fieldsets, then one per guardian slot: (legend, bound fields)."""
        for legend, names in self.PUPIL_SECTIONS:
            yield legend, [self[name] for name in names]
        for slot in range(1, ENROL_GUARDIAN_SLOTS + 1):
            legend = _("Parent or guardian %(number)s") % {"number": slot}
            if slot > 1:
                legend = _("Parent or guardian %(number)s (if any)") % {"number": slot}
            yield (
                legend,
                [
                    self[self.guardian_name(slot, name)]
                    for name in EnrolmentGuardianForm.base_fields
                ],
            )

    def filled_slots(self) -> list[int]:
        data = self.cleaned_data
        return [
            slot
            for slot in range(1, ENROL_GUARDIAN_SLOTS + 1)
            if slot == 1
            or any(data.get(self.guardian_name(slot, name)) for name in _GUARDIAN_FILLED_BY)
        ]

    def clean(self):
        data = super().clean()
        for slot in self.filled_slots():
            for name in ("first_name", "surname"):
                field = self.guardian_name(slot, name)
                if not data.get(field) and field not in self.errors:
                    self.add_error(field, _("This field is required."))
        return data

    # The service's field names (students.services.enrolment) that the form names the same way.
    PUPIL_FIELDS = (
        "first_names",
        "given_name",
        "surname_prefix",
        "surname",
        "date_of_birth",
        "sex",
        "bsn",
        "street",
        "house_number",
        "postal_code",
        "city",
        "previous_school",
        "born_abroad",
        "arrived_in_netherlands_on",
        "year_group",
    )

    def pupil_details(self) -> PupilDetails:
        """The valid form's pupil, as ``pupil_enrol`` takes it."""
        data = self.cleaned_data
        return PupilDetails(
            **{name: data.get(name) or _enrol_empty(name) for name in self.PUPIL_FIELDS}
        )

    def guardian_details(self) -> list[GuardianDetails]:
        """The valid form's filled guardian slots, as ``pupil_enrol`` takes them."""
        data = self.cleaned_data
        return [
            GuardianDetails(
                **{
                    name: data.get(self.guardian_name(slot, name)) or _enrol_empty(name)
                    for name in EnrolmentGuardianForm.base_fields
                    if name not in ("has_authority", "invite")
                },
                has_authority=data.get(self.guardian_name(slot, "has_authority")) != "no",
                invite=bool(data.get(self.guardian_name(slot, "invite"))),
            )
            for slot in self.filled_slots()
        ]

    def enrolment_refused(self, error: EnrolmentError) -> None:
        """Put each of the service's reasons at its field (``guardians.<i>.<name>`` at that
        guardian's slot); a reason without a field of the form at the top."""
        slots = self.filled_slots()
        for field, reasons in error.field_errors.items():
            target: str | None = field
            if field.startswith("guardians."):
                parts = field.split(".")
                target = (
                    self.guardian_name(slots[int(parts[1])], parts[2]) if len(parts) == 3 else None
                )
            for reason in reasons:
                self.add_error(target if target in self.fields else None, reason)


def _enrol_empty(name: str):
    """What an empty optional field means to the enrolment service."""
    if name in ("year_group", "arrived_in_netherlands_on", "authority_decided_on"):
        return None
    if name == "born_abroad":
        return False
    return ""
