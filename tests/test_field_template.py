"""The shared field template ties a field's error message to its control (or group of
controls), so a screen reader reads the message with the field."""

from __future__ import annotations

from django.template.loader import render_to_string
from lxml import html

from privacy_requests.forms import ErasureDecideForm


def _render(form, name: str):
    return html.fragment_fromstring(
        render_to_string("includes/field.html", {"field": form[name]}), create_parent="div"
    )


def test_error_is_tied_to_the_group_when_a_choice_is_missing():
    form = ErasureDecideForm(data={})
    assert not form.is_valid()
    fragment = _render(form, "approve")

    fieldset = fragment.find(".//fieldset")
    assert fieldset is not None
    assert fieldset.find("legend").text_content().strip()
    error = fragment.find(".//p[@class='field-error']")
    assert fieldset.get("aria-describedby") == error.get("id")
    radios = fieldset.findall(".//input[@type='radio']")
    assert len(radios) == 2
    assert all(radio.get("aria-invalid") == "true" for radio in radios)
    # Each radio is named by its own label; no label points at nothing.
    assert all(label.get("for") for label in fragment.iter("label"))


def test_single_control_points_at_its_error_when_the_form_is_invalid():
    form = ErasureDecideForm(data={"approve": "no"})
    assert not form.is_valid()  # rejecting needs an explanation
    fragment = _render(form, "reason")

    assert fragment.find(".//fieldset") is None
    control = fragment.find(".//textarea")
    error = fragment.find(".//p[@class='field-error']")
    assert error is not None
    assert error.get("id") in control.get("aria-describedby").split()
    assert control.get("aria-invalid") == "true"
    assert fragment.find(".//label").get("for") == control.get("id")


def test_no_error_reference_when_the_field_is_valid():
    form = ErasureDecideForm(data={"approve": "yes", "confirm": "on"})
    assert form.is_valid()
    fragment = _render(form, "approve")

    assert fragment.find(".//fieldset").get("aria-describedby") is None
    assert fragment.find(".//p[@class='field-error']") is None
