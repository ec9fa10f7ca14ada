"""The proof of withdrawal (bewijs van uitschrijving): a PDF in Dutch for the parents, which
the next school asks for; the document's setup (fonts, footer, dates) is ``admissions/pdf.py``.

It names the school by role, never a staff member by name: the parents' pages show no staff
names but their child's teacher (DESIGN's permission table)."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.constants import Role
from kernel.labels import label
from students.models import Student

from .models import Departure
from .pdf import day, document_start


def _signer(departure: Departure | None) -> str:
    """Who signed for the school, by role."""
    user = departure.recorded_by if departure is not None else None
    if user is not None and user.has_role(Role.DIRECTOR):
        return label("role", Role.DIRECTOR)
    if user is not None and user.has_role(Role.ADMINISTRATION):
        return label("role", Role.ADMINISTRATION)
    return _("The school's administration")


def proof_rows(student: Student, departure: Departure | None) -> list[tuple[str, str]]:
    """What the proof states, as (label, text), in the active language."""
    school = student.school
    name = " ".join(p for p in (student.first_names, student.surname_prefix, student.surname) if p)
    rows = [
        (_("School"), school.name),
        (_("BRIN number"), school.brin),
        (_("Pupil"), name),
        (_("Date of birth"), day(student.date_of_birth)),
        (_("Enrolment date"), day(student.enrolled_on)),
        (_("Leaving date"), day(student.withdrawn_on)),
    ]
    if departure is not None:
        rows.append((_("Reason"), label("leaving_reason", departure.reason)))
        if departure.destination_name or departure.destination_brin:
            school_text = departure.destination_name or "-"
            if departure.destination_brin:
                school_text += f" (BRIN {departure.destination_brin})"
            rows.append((_("New school"), school_text))
        if departure.enrolment_confirmed_on:
            rows.append(
                (
                    _("New school confirmed the enrolment on"),
                    day(departure.enrolment_confirmed_on),
                )
            )
    elif student.withdrawal_destination:
        rows.append((_("Went to"), student.get_withdrawal_destination_display()))
    return rows


def proof_pdf(student: Student, departure: Departure | None) -> bytes:
    """The proof, always in Dutch (the next school's language), whoever downloads it."""
    with translation.override("nl"):
        school = student.school
        title = _("Proof of withdrawal")
        signed_on = (
            timezone.localtime(departure.recorded_at).date()
            if departure is not None
            else student.withdrawn_on
        )
        pdf = document_start(title=title, author=school.name, footer=f"{title} · {school.name}")
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 16)
        pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=10)
        pdf.multi_cell(
            0,
            6,
            _(
                "The school declares that the pupil named below has been withdrawn from the "
                "school on the leaving date below. The new school may ask the parents for this "
                "proof."
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(3)
        with pdf.table(
            col_widths=(35, 65),
            text_align="LEFT",
            first_row_as_headings=False,
            borders_layout="HORIZONTAL_LINES",
            line_height=6,
        ) as table:
            for row_label, text in proof_rows(student, departure):
                row = table.row()
                row.cell(row_label)
                row.cell(text)
        pdf.ln(8)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 7, _("Signed for the school"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=10)
        signed = (
            (_("Date"), day(signed_on)),
            (_("On behalf of"), f"{school.name}, {_signer(departure).lower()}"),
        )
        for name, value in signed:
            pdf.multi_cell(0, 6, f"{name}: {value}", new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
