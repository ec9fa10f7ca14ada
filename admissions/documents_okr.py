"""The education report (onderwijskundig rapport) as a PDF, in Dutch: the document that goes
to the new school and of which the guardians get a copy. In the house style of the access
package (privacy_requests/document.py: fpdf2 with the DejaVu fonts, so every name prints).

It is drawn only from what the gate gave (``services/okr.py: education_report_send``): the
pupil's attributes of the plan, the chosen progress, the school's summary and the care records
the director marked, each with its reason."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from fpdf import FPDF

from .pdf import day, document_start


@dataclass(frozen=True)
class ReportCare:
    kind: str
    content: str
    reason: str


@dataclass(frozen=True)
class ReportProgress:
    subject: str
    period: str
    result: str
    note: str


@dataclass(frozen=True)
class ReportContent:
    """Everything the document shows; the attributes as the gate's row has them."""

    school_name: str
    school_brin: str
    destination_name: str
    destination_brin: str
    ground: str
    sent_at: datetime.datetime
    row: dict[str, str]
    left_on: datetime.date
    summary: str
    progress: list[ReportProgress] = field(default_factory=list)
    care: list[ReportCare] = field(default_factory=list)
    care_exception: str = ""


def _date(value: str | datetime.date | None) -> str:
    return day(parse_date(value) if isinstance(value, str) else value)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=9)


def _table(pdf: FPDF, rows: list[tuple[str, str]], widths=(35, 65)) -> None:
    with pdf.table(
        col_widths=widths,
        text_align="LEFT",
        first_row_as_headings=False,
        borders_layout="HORIZONTAL_LINES",
        line_height=5,
    ) as table:
        for label, text in rows:
            row = table.row()
            row.cell(label)
            row.cell(text or "-")


def _text(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")


def report_pdf(content: ReportContent) -> bytes:
    """The report in Dutch, whatever language the sender reads the portal in."""
    with translation.override(settings.LANGUAGE_CODE):
        return _render(content)


def _render(content: ReportContent) -> bytes:
    title = _("Education report (onderwijskundig rapport)")
    pdf = document_start(title=title, author=content.school_name, footer=title)
    # A fixed creation date: the document is the evidence of what left, and its checksum is
    # recorded; nothing in it should depend on the moment it was drawn but the date sent.
    pdf.set_creation_date(content.sent_at)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=9)
    row = content.row
    _text(pdf, f"{content.school_name} · {_('Sent on')} {_date(content.sent_at.date())}")

    _heading(pdf, _("Schools"))
    _table(
        pdf,
        [
            (_("From (the previous school)"), f"{content.school_name} ({content.school_brin})"),
            (
                _("To (the new school)"),
                content.destination_name
                + (f" ({content.destination_brin})" if content.destination_brin else ""),
            ),
            (_("Legal ground"), content.ground),
        ],
    )

    _heading(pdf, _("The pupil"))
    name = " ".join(part for part in (row.get("first_name"), row.get("last_name")) if part)
    _table(
        pdf,
        [
            (_("Name"), name),
            (_("Date of birth"), _date(row.get("date_of_birth"))),
            (_("Year group"), row.get("year_group", "")),
            (_("Enrolment date"), _date(row.get("enrolled_on"))),
            (_("Leaving date"), _date(row.get("withdrawn_on") or content.left_on)),
        ],
    )

    _heading(pdf, _("Learning and development"))
    _text(pdf, content.summary or _("Nothing recorded."))

    _heading(pdf, _("Progress and results"))
    if content.progress:
        _table(
            pdf,
            [
                (
                    f"{item.subject}, {item.period}",
                    item.result + (f" · {item.note}" if item.note else ""),
                )
                for item in content.progress
            ],
        )
    else:
        _text(pdf, _("No results are part of this report."))

    if content.care:
        _heading(pdf, _("Care data for the support at the new school"))
        _text(pdf, content.care_exception)
        for item in content.care:
            pdf.ln(2)
            _table(
                pdf,
                [
                    (_("Kind"), item.kind),
                    (_("Content"), item.content),
                    (_("Why the new school needs it"), item.reason),
                ],
            )

    pdf.ln(4)
    pdf.set_font("DejaVu", size=8)
    _text(
        pdf,
        _(
            "The parents received a copy of this report and may add their view; the new "
            "school can ask the previous school for it."
        ),
    )
    return bytes(pdf.output())
