"""The project's date, time and number inputs: their HTML value is ISO in every language.

A browser's ``<input type="date">`` only reads ``yyyy-mm-dd`` (``type="time"`` ``hh:mm``,
``type="datetime-local"`` ``yyyy-mm-ddThh:mm``, ``type="number"`` a plain ``7.5``); any other
value it shows as empty and sends back empty. Django's own widgets render the active
language's first input format (Dutch: ``dd-mm-yyyy``), so an edit form saved unchanged in
Dutch wiped every date on it. The value a person sees is still shown in their language by the
browser; only the markup is fixed. Reading works in every language too: Django adds the ISO
formats to each language's input formats (``django.utils.formats.ISO_INPUT_FORMATS``).

Every form of the project uses these (``tests/test_edit_forms_unchanged.py`` checks it).
"""

from __future__ import annotations

import decimal

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_DATE)


class IsoTimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_TIME)


class IsoDateTimeInput(forms.DateTimeInput):
    """A ``datetime-local`` input; the value is the local time of the active time zone, as
    ``DateTimeField`` reads it back."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_DATETIME)


class IsoNumberInput(forms.NumberInput):
    """A number input that never localises its value: ``7.5``, never ``7,5`` or ``1.234``,
    even on a field with ``localize=True``."""

    def format_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, decimal.Decimal):
            return format(value, "f")
        if isinstance(value, float):
            return repr(value)
        return str(value)


ISO_WIDGETS = (IsoDateInput, IsoTimeInput, IsoDateTimeInput, IsoNumberInput)
# The Django widgets whose rendered value a browser's date, time or number input must read.
TYPED_WIDGETS = (forms.DateInput, forms.TimeInput, forms.DateTimeInput, forms.NumberInput)


def iso_formfield(model_field, **kwargs):
    """A ``formfield_callback`` for ModelForms: model date, time and number fields get the
    project's inputs instead of Django's localised defaults."""
    field = model_field.formfield(**kwargs)
    if field is None or not isinstance(field.widget, TYPED_WIDGETS):
        return field
    if isinstance(field, forms.DateTimeField):
        widget = IsoDateTimeInput
    elif isinstance(field, forms.DateField):
        widget = IsoDateInput
    elif isinstance(field, forms.TimeField):
        widget = IsoTimeInput
    else:
        widget = IsoNumberInput
    old = field.widget
    field.widget = widget(attrs={**old.attrs})
    field.widget.is_required = old.is_required
    return field
