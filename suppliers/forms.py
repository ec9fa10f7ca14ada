from django import forms
from django.utils.translation import gettext_lazy as _

from .attributes import CATALOGUE, ORDINARY_CODES
from .constants import AgreementModel, Basis, ExportFormat


class DisclosureFilterForm(forms.Form):
    recipient = forms.CharField(label=_("Recipient"), required=False, max_length=100)
    basis = forms.ChoiceField(
        label=_("Basis"), required=False, choices=[("", _("All")), *Basis.choices]
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ExportForm(forms.Form):
    target = forms.ChoiceField(label=_("To"))
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)

    def __init__(self, *args, agreements=(), recipients=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for agreement in agreements:
            for product in agreement.products.all():
                choices.append(
                    (
                        f"a{agreement.pk}:p{product.pk}",
                        f"{agreement.supplier.name}: {product.name} "
                        f"({agreement.get_model_display()})",
                    )
                )
        for recipient in recipients:
            choices.append(
                (f"r{recipient.pk}", f"{recipient.name} ({recipient.get_kind_display()})")
            )
        self.fields["target"].choices = choices

    def target_ids(self) -> dict:
        value = self.cleaned_data["target"]
        if value.startswith("r"):
            return {"recipient_id": value[1:]}
        agreement, product = value.split(":")
        return {"agreement_id": agreement[1:], "product_id": product[1:]}


class SupplierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    privacy_contact = forms.CharField(label=_("Privacy contact"), max_length=200, required=False)
    covenant_participant = forms.BooleanField(
        label=_("Takes part in the Privacy Covenant"), required=False
    )


class ProductForm(forms.Form):
    """A product with its privacybijsluiter; an attribute is included when a reason is given.
    Special-category attributes are not offered (and the database refuses them)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    purposes = forms.CharField(label=_("Purposes"), widget=forms.Textarea(attrs={"rows": 2}))
    never_used_for = forms.CharField(
        label=_("Never used for"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    retention = forms.CharField(label=_("Retention"), max_length=300)
    storage_location = forms.CharField(label=_("Storage location"), max_length=200)
    outside_eea = forms.BooleanField(
        label=_("Data stored or processed outside the EEA"), required=False
    )
    sub_processors = forms.CharField(
        label=_("Sub-processors (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    breach_notice_hours = forms.IntegerField(
        label=_("Breach notice within (hours)"), min_value=1, max_value=720, initial=24
    )
    groups = forms.TypedMultipleChoiceField(label=_("Groups using it"), coerce=int, required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = [(g.pk, f"{g.name} ({g.school.name})") for g in groups]
        for code in ORDINARY_CODES:
            self.fields[f"reason_{code}"] = forms.CharField(
                label=_("Why %(attribute)s is needed") % {"attribute": CATALOGUE[code].label},
                required=False,
                max_length=300,
            )

    def attribute_reasons(self) -> dict[str, str]:
        return {
            code: self.cleaned_data[f"reason_{code}"].strip()
            for code in ORDINARY_CODES
            if self.cleaned_data.get(f"reason_{code}", "").strip()
        }


class AgreementForm(forms.Form):
    model = forms.ChoiceField(label=_("Model"), choices=AgreementModel.choices)
    signed_on = forms.DateField(
        label=_("Signed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    signed_by = forms.CharField(label=_("Signed by"), max_length=200, required=False)
    valid_from = forms.DateField(
        label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    terminated_on = forms.DateField(
        label=_("Terminated on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    products = forms.TypedMultipleChoiceField(label=_("Products"), coerce=int, required=False)
    attributes = forms.MultipleChoiceField(
        label=_("Agreed attributes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(code, CATALOGUE[code].label) for code in ORDINARY_CODES],
    )
    document = forms.FileField(label=_("Signed document (PDF)"), required=False)

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = [(p.pk, p.name) for p in products]

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("'Valid until' cannot be before 'valid from'."))
        document = data.get("document")
        if document and not document.name.lower().endswith(".pdf"):
            self.add_error("document", _("Upload the signed agreement as a PDF."))
        return data


class EdexmlUploadForm(forms.Form):
    file = forms.FileField(label=_("EDEXML file from your current system"))
