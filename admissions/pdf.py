"""The one setup of the admissions' documents (the refusal letter, the proof of withdrawal, the
education report): fpdf2 with the DejaVu fonts of the access package, so every name prints,
read from its folder by path (admissions may not import its sibling ``privacy_requests``), A4,
a footer with the page number, and dates as a reader writes them."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.utils.formats import date_format
from fpdf import FPDF

FONTS = Path(settings.BASE_DIR) / "privacy_requests" / "fonts"


class _Document(FPDF):
    footer_text = ""

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 6, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")


def document_start(*, title: str, author: str, footer: str) -> FPDF:
    """A new A4 document with the fonts, its title and author, and the footer on every page;
    the caller adds the first page."""
    pdf = _Document(format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("Samen Een portal")
    pdf.footer_text = footer
    pdf.set_auto_page_break(auto=True, margin=18)
    return pdf


def day(value: datetime.date | None) -> str:
    """A date in the active language's words ("5 december 2026"), or "-"."""
    return date_format(value, "DATE_FORMAT") if value else "-"
