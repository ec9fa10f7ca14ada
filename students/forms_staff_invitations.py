"""The forms of staff invitations: the director's invitation on the staff page, and the
colleague's acceptance (name and password twice) behind the link."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role

from .forms import InvitationAcceptForm
from .models.staff_invitations import INVITABLE_ROLES

ROLE_HELP = {
    Role.TEACHER: _("Teacher: sees the pupils of her groups, records progress."),
    Role.ADMINISTRATION: _("Administration: enrols pupils, keeps their data and consent current."),
    Role.CARE_COORDINATOR: _("Care coordinator: the care of the school's pupils."),
}


class StaffInviteForm(forms.Form):
    """Name, address, roles and (for a teacher) groups; the choices are those of the
    director's schools, and the service checks them again."""

    school = forms.TypedChoiceField(label=_("School"), coerce=int)
    full_name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        widget=forms.CheckboxSelectMultiple,
        choices=[(role.value, ROLE_HELP[role]) for role in INVITABLE_ROLES],
        error_messages={"required": _("Choose at least one role.")},
    )
    groups = forms.TypedMultipleChoiceField(
        label=_("Groups (for a teacher)"),
        widget=forms.CheckboxSelectMultiple,
        coerce=int,
        required=False,
        help_text=_("The groups of this school year and the next that the teacher will teach."),
    )

    def __init__(self, *args, schools=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        schools = list(schools)
        school = cast(forms.TypedChoiceField, self.fields["school"])
        school.choices = [(s.pk, s.name) for s in schools]
        if len(schools) == 1:
            school.initial = schools[0].pk
            school.widget = forms.HiddenInput()
        several = len(schools) > 1
        cast(forms.TypedMultipleChoiceField, self.fields["groups"]).choices = [
            (
                g.pk,
                f"{g.name} ({g.school_year_label})" + (f", {g.school.name}" if several else ""),
            )
            for g in groups
        ]


class StaffInvitationAcceptForm(InvitationAcceptForm):
    """The guardian's acceptance form with the colleague's name first (the director's spelling
    filled in, to correct)."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    field_order = ["name", "password1", "password2"]

    def clean(self):
        # The password must not resemble the name as typed (validate_password's check).
        self.full_name = self.cleaned_data.get("name") or self.full_name
        return super().clean()
