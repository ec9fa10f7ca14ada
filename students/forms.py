from django import forms
from django.utils.translation import gettext_lazy as _


class StudentSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None)
    former = forms.BooleanField(label=_("Show former pupils"), required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("All groups"))] + [
            (g.pk, f"{g.name} ({g.school.name})") for g in groups
        ]
