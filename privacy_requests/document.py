"""The readable forms of an access package: labels for its fields, a PDF (fpdf2, with the
vendored DejaVu fonts so every name prints) and the context for the HTML template."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from .package import SECTION_KEYS, section_titles

FONTS = Path(__file__).resolve().parent / "fonts"


def field_labels() -> dict[str, str]:
    return {
        "id": _("Number in the portal"),
        "first_names": _("First names"),
        "given_name": _("Name they go by"),
        "surname_prefix": _("Surname prefix"),
        "surname": _("Surname"),
        "date_of_birth": _("Date of birth"),
        "sex": _("Sex"),
        "address": _("Address"),
        "street": _("Street"),
        "house_number": _("House number"),
        "postal_code": _("Postal code"),
        "city": _("City"),
        "bsn": _("BSN or education number"),
        "school": _("School"),
        "name": _("Name"),
        "brin": _("BRIN code"),
        "group": _("Group"),
        "year_group": _("Year group"),
        "enrolled_on": _("Enrolment date"),
        "previous_school": _("Previous school or day care"),
        "born_abroad": _("Born abroad"),
        "arrived_in_netherlands_on": _("Arrived in the Netherlands on"),
        "withdrawn_on": _("Withdrawal date"),
        "withdrawal_destination": _("Went to"),
        "teachers": _("Teachers"),
        "processing_limits": _("Restrictions and objections in force"),
        "kind": _("Kind"),
        "since": _("Since"),
        "categories": _("Data categories"),
        "purposes": _("Purposes"),
        "parental_authority": _("Parental authority"),
        "contact_confidential": _("Contact data confidential"),
        "email": _("Email address"),
        "phone": _("Phone number"),
        "school_year": _("School year"),
        "from": _("From"),
        "until": _("Until"),
        "subject": _("Subject"),
        "period": _("Period"),
        "result": _("Result"),
        "note": _("Note"),
        "recorded_at": _("Recorded on"),
        "content": _("Content"),
        "source": _("Source"),
        "review_date": _("Review date"),
        "changed_at": _("Changed on"),
        "status": _("Status"),
        "religion": _("Religion or belief"),
        "purpose": _("Purpose"),
        "title": _("Title"),
        "text_version": _("Text version"),
        "text": _("Text"),
        "decision": _("Decision"),
        "guardian": _("Guardian"),
        "channel": _("How"),
        "recipient": _("Recipient"),
        "basis": _("Basis"),
        "ground": _("Legal ground"),
        "data": _("Data"),
        "date": _("Date"),
        "role": _("Role"),
        "special_category": _("Special category"),
        "description": _("Description"),
        "category": _("Category"),
        "agreement": _("Agreement"),
        "retention": _("Retention"),
        "storage_location": _("Storage location"),
        "outside_eea": _("Outside the EEA"),
        "right": _("Right"),
        "authority": _("Authority"),
        "url": _("Website"),
        # The history of the data (package._changes).
        "what": _("Whose data"),
        "changed": _("What changed"),
        "by": _("By"),
    }


# The package data carries ISO dates (machine-readable); people read them in their language.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")


def _shown_date(value: str) -> str | None:
    try:
        if ISO_DATE.fullmatch(value) and (day := parse_date(value)):
            return date_format(day, "DATE_FORMAT")
        if ISO_DATETIME.fullmatch(value) and (moment := parse_datetime(value)):
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "DATETIME_FORMAT")
    except ValueError:  # shaped like a date but none (a value someone typed)
        pass
    return None


def display(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and (shown := _shown_date(value)):
        return shown
    if isinstance(value, list):
        return ", ".join(display(v) for v in value) or "-"
    if isinstance(value, dict):
        labels = field_labels()
        return "; ".join(f"{labels.get(k, k)}: {display(v)}" for k, v in value.items() if v)
    return str(value)


# Keys of the package JSON that hold a code for programs; the readable forms show the words
# next to it instead (a consent decision's purpose code: its "title").
MACHINE_KEYS = {"consents": frozenset({"purpose"})}


def readable_sections(data: dict) -> list[dict]:
    """Per section: a title and either rows of (label, text) or items of such rows."""
    labels = field_labels()
    titles = section_titles()
    sections = []
    for key in SECTION_KEYS:
        value = data.get(key)
        section: dict[str, object] = {"key": key, "title": titles[key], "rows": [], "items": []}
        if isinstance(value, dict):
            section["rows"] = [(labels.get(k, k), display(v)) for k, v in value.items()]
        elif isinstance(value, list):
            hidden = MACHINE_KEYS.get(key, frozenset())
            section["items"] = [
                [(labels.get(k, k), display(v)) for k, v in item.items() if k not in hidden]
                for item in value
            ]
        sections.append(section)
    return sections


class _Pdf(FPDF):
    footer_text = ""

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 6, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")


def package_pdf(data: dict, *, title: str, school_name: str) -> bytes:
    pdf = _Pdf(format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_author(school_name)
    pdf.set_creator("Samen Een portal")
    pdf.footer_text = title
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=9)
    generated_on = _("Generated on")
    generated = date_format(timezone.localtime(), "DATETIME_FORMAT")
    pdf.multi_cell(
        0, 5, f"{school_name} · {generated_on} {generated}", new_x="LMARGIN", new_y="NEXT"
    )
    for section in readable_sections(data):
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 7, section["title"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=9)
        if not section["rows"] and not section["items"]:
            pdf.multi_cell(0, 5, _("Nothing recorded."), new_x="LMARGIN", new_y="NEXT")
        if section["rows"]:
            _table(pdf, section["rows"])
        for item in section["items"]:
            _table(pdf, item)
            pdf.ln(2)
    return bytes(pdf.output())


def _table(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    with pdf.table(
        col_widths=(35, 65),
        text_align="LEFT",
        first_row_as_headings=False,
        borders_layout="HORIZONTAL_LINES",
        line_height=5,
    ) as table:
        for label, text in rows:
            row = table.row()
            row.cell(label)
            row.cell(text)
