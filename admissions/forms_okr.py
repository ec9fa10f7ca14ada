"""The forms of the education report: the administration's part (summary, results), the
director's care records with their reasons, the confirmation, and the parents' view."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from students.models import CareRecord, ProgressRecord

SUMMARY_MAX = 10000
VIEW_MAX = 4000


class ReportForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary for the new school"),
        required=False,
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What the new school needs to continue the pupil's education: how the pupil "
            "learns, their development, and what works in class."
        ),
    )
    progress = forms.TypedMultipleChoiceField(
        label=_("Results that go with the report"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, records: list[ProgressRecord], with_results: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["progress"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101 - declared above
        field.choices = [
            (
                record.pk,
                f"{record.get_subject_display()}, {record.period}"
                + (f": {record.result}" if with_results else ""),
            )
            for record in records
        ]
        if not records:
            field.help_text = _("No results are recorded for this pupil.")


class CareMarkForm(forms.Form):
    """Per care record that may go: whether it goes, and why the new school needs it."""

    def __init__(self, *args, records: list[CareRecord], **kwargs):
        super().__init__(*args, **kwargs)
        self.records = records
        for record in records:
            self.fields[f"mark_{record.pk}"] = forms.BooleanField(
                label=_("Necessary for the support at the new school"), required=False
            )
            self.fields[f"reason_{record.pk}"] = forms.CharField(
                label=_("Why the new school needs it"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        """Per record: the record and its two fields, for the template."""
        return [
            (record, self[f"mark_{record.pk}"], self[f"reason_{record.pk}"])
            for record in self.records
        ]

    def clean(self):
        data = super().clean() or {}
        for record in self.records:
            reason = (data.get(f"reason_{record.pk}") or "").strip()
            if data.get(f"mark_{record.pk}") and not reason:
                self.add_error(
                    f"reason_{record.pk}",
                    _("Give the reason the new school needs this for the pupil's support."),
                )
        return data

    def marks(self) -> dict[int, str]:
        return {
            record.pk: self.cleaned_data[f"reason_{record.pk}"].strip()
            for record in self.records
            if self.cleaned_data.get(f"mark_{record.pk}")
        }


class SendForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked what leaves the school and send the report to the new school."),
        error_messages={"required": _("Confirm that you have checked what leaves the school.")},
    )


class ParentsViewForm(forms.Form):
    text = forms.CharField(
        label=_("Your view on the report"),
        required=False,
        max_length=VIEW_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The school keeps your view with the report and can pass it on to the new school."
        ),
    )
