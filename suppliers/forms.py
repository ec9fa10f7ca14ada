from django import forms
from django.utils.translation import gettext_lazy as _

from kernel.widgets import IsoDateInput, IsoNumberInput
from students.attributes import CATALOGUE, ORDINARY_CODES

from .constants import LEGAL_GROUND_RULES, AgreementModel, Basis, ExportFormat, LegalGround


class DisclosureFilterForm(forms.Form):
    recipient = forms.CharField(label=_("Recipient"), required=False, max_length=100)
    basis = forms.ChoiceField(
        label=_("Basis"), required=False, choices=[("", _("All")), *Basis.choices]
    )
    since = forms.DateField(label=_("From"), required=False, widget=IsoDateInput())
    until = forms.DateField(label=_("Until"), required=False, widget=IsoDateInput())


class ExportForm(forms.Form):
    target = forms.ChoiceField(label=_("To"))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportFormat.choices,
        help_text=_(
            "Choose the format the recipient's system asks for. The file is for that system, "
            "not for opening in a spreadsheet program."
        ),
    )

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


def _recipient_label(recipient) -> str:
    """The name with its kind in words, once (DUO is often simply called "DUO (BRON)")."""
    kind = str(recipient.get_kind_display())
    return recipient.name if kind.startswith(recipient.name) else f"{recipient.name} ({kind})"


class LegalDisclosureForm(forms.Form):
    """A disclosure the law requires: to a recipient the law names, on a legal ground that
    allows it, for named pupils, with the reference of the request or report and a reason.
    Only the director gets the choice to withhold a Meldcode report or a prosecutor's demand
    from the guardians, with a reason."""

    recipient = forms.TypedChoiceField(label=_("To"), coerce=int, empty_value=None)
    ground = forms.ChoiceField(label=_("Legal ground"))
    pupils = forms.TypedMultipleChoiceField(
        label=_("Pupils"),
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_(
            "One pupil, or several: hold Ctrl (Cmd on a Mac) to choose more. The whole school "
            "is never sent: the law asks for these data per pupil."
        ),
    )
    reference = forms.CharField(
        label=_("Reference of the request or report"),
        max_length=100,
        help_text=_(
            "For example the attendance officer's case number, DUO's message number or the "
            "number of the prosecutor's demand."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why these data must be sent. Do not write the pupil's name here: the disclosure "
            "register shows this reason."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(ExportFormat.CSV, "CSV"), (ExportFormat.JSON, "JSON")],
        help_text=_(
            "Choose the format the recipient's system asks for. The file is for that system, "
            "not for opening in a spreadsheet program."
        ),
    )
    withhold = forms.BooleanField(
        label=_("Withhold from the guardians"),
        required=False,
        help_text=_(
            "Only for a report to Veilig Thuis or a demand of the public prosecutor, when telling "
            "the guardians would put the child or the investigation at risk. The guardians then "
            "see this disclosure nowhere, not in their access package either."
        ),
    )
    withhold_reason = forms.CharField(
        label=_("Why it is withheld from the guardians"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, recipients=(), pupils=(), can_withhold=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.recipients = {r.pk: r for r in recipients}
        self.fields["recipient"].choices = [
            ("", _("Choose the recipient")),
            *((r.pk, _recipient_label(r)) for r in recipients),
        ]
        self.fields["ground"].choices = [
            ("", _("Choose the legal ground")),
            *((ground, LegalGround(ground).label) for ground in LEGAL_GROUND_RULES),
        ]
        groups: dict[str, list] = {}
        left = str(_("Left the school"))
        for pupil in pupils:
            name = left if pupil.withdrawn_on else (pupil.group.name if pupil.group else "-")
            groups.setdefault(name, []).append((pupil.pk, pupil.display_name))
        self.fields["pupils"].choices = list(groups.items())
        if not can_withhold:
            del self.fields["withhold"]
            del self.fields["withhold_reason"]

    def clean(self):
        data = super().clean()
        recipient = self.recipients.get(data.get("recipient"))
        ground = data.get("ground")
        rule = LEGAL_GROUND_RULES.get(ground)
        if recipient is not None and rule is not None and recipient.kind not in rule.recipients:
            self.add_error(
                "ground",
                _("This legal ground does not allow sending data to %(recipient)s.")
                % {"recipient": recipient.name},
            )
        if data.get("withhold"):
            if rule is not None and not rule.withholdable:
                self.add_error(
                    "withhold",
                    _(
                        "Only a report to Veilig Thuis or a demand in a criminal investigation "
                        "can be withheld from guardians."
                    ),
                )
            if not data.get("withhold_reason", "").strip():
                self.add_error(
                    "withhold_reason",
                    _("Give the reason for withholding this disclosure from the guardians."),
                )
        elif "withhold_reason" in data:
            data["withhold_reason"] = ""
        return data

    def withheld_reason(self) -> str:
        if not self.cleaned_data.get("withhold"):
            return ""
        return self.cleaned_data.get("withhold_reason", "")


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
        label=_("Breach notice within (hours)"),
        min_value=1,
        max_value=720,
        initial=24,
        widget=IsoNumberInput,
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
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=IsoDateInput())
    signed_by = forms.CharField(label=_("Signed by"), max_length=200, required=False)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=IsoDateInput())
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=IsoDateInput())
    terminated_on = forms.DateField(label=_("Terminated on"), required=False, widget=IsoDateInput())
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
