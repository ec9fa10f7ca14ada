"""The processing register as a PDF (fpdf2 with the DejaVu fonts shipped beside the access
package's)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from privacy_requests.document import FONTS


def _labels() -> dict[str, str]:
    return {
        "basis": _("Basis"),
        "description": _("Description"),
        "categories": _("Categories of data"),
        "people": _("Categories of people"),
        "recipients": _("Recipients"),
        "outside_eea": _("Transfers outside the EEA"),
        "retention": _("Retention"),
    }


def register_pdf(data: dict) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    title = _("Register of processing activities")
    pdf.set_title(title)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=9)
    generated_on = _("Generated on")
    generated = date_format(
        timezone.localtime(parse_datetime(data["generated_at"])), "DATETIME_FORMAT"
    )
    pdf.multi_cell(
        0,
        5,
        f"{', '.join(data['controller'])} · {generated_on} {generated}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    labels = _labels()
    for activity in data["activities"]:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 6, activity["purpose"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=9)
        with pdf.table(
            col_widths=(30, 70),
            text_align="LEFT",
            first_row_as_headings=False,
            borders_layout="HORIZONTAL_LINES",
            line_height=5,
        ) as table:
            for key, label in labels.items():
                if key not in activity:
                    continue
                value = activity[key]
                text = "; ".join(value) if isinstance(value, list) else str(value or "")
                row = table.row()
                row.cell(label)
                row.cell(text or "-")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, _("Security measures"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=9)
    pdf.multi_cell(
        0, 5, data["security_measures"] or _("Not yet described."), new_x="LMARGIN", new_y="NEXT"
    )
    return bytes(pdf.output())
