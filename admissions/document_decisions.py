"""The refusal letter (PDF, in Dutch): the decision on an application for a place, with the
reason and, when the school cannot offer the support the child needs, the school that can. At
a public school (``School.is_public``) the refusal is a formal decision (Awb) and the letter
carries the objection clause: bezwaar within 6 weeks, to the school board.

The document's setup (fonts, footer, dates) is ``admissions/pdf.py``.
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from .constants import ApplicationStatus
from .models import Application
from .pdf import day, document_start

LETTER_LANGUAGE = "nl"
#: The objection period of the Awb (art. 6:7), from the day after the letter is sent.
OBJECTION_WEEKS = 6


def refusal_letter_pdf(application: Application) -> bytes:
    """The refusal letter of a refused application, in Dutch."""
    if application.status != ApplicationStatus.REFUSED:
        raise ValueError("only a refused application has a refusal letter")
    with translation.override(LETTER_LANGUAGE):
        return _letter(application)


def _paragraph(pdf: FPDF, text: str, *, bold: bool = False, size: int = 10) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _letter(application: Application) -> bytes:
    school = application.school
    guardians = list(application.guardians.order_by("position", "pk"))
    title = _("Decision on your application %(reference)s") % {"reference": application.reference}
    pdf = document_start(
        title=title, author=school.name, footer=f"{school.name} · {application.reference}"
    )
    pdf.set_margins(22, 20, 22)
    pdf.add_page()
    _paragraph(pdf, school.name, bold=True, size=14)
    _paragraph(pdf, school.board.name, size=9)
    pdf.ln(4)
    addressees = ", ".join(str(g) for g in guardians) or _("The parents or guardians")
    _paragraph(pdf, addressees)
    _paragraph(pdf, _("Date: %(date)s") % {"date": day(application.decided_on)})
    _paragraph(pdf, _("Reference: %(reference)s") % {"reference": application.reference})
    pdf.ln(2)
    _paragraph(pdf, title, bold=True, size=12)
    _paragraph(pdf, _("Dear parents or guardians,"))
    _paragraph(
        pdf,
        _(
            "On %(submitted)s you applied for a place at %(school)s for %(child)s, born on "
            "%(born)s, from %(start)s. We have considered your application carefully."
        )
        % {
            "submitted": day(timezone.localtime(application.submitted_at).date()),
            "school": school.name,
            "child": application.child_name,
            "born": day(application.date_of_birth),
            "start": day(application.desired_start_date),
        },
    )
    _paragraph(pdf, _("Decision"), bold=True, size=11)
    _paragraph(
        pdf,
        _("We have decided not to admit %(child)s to %(school)s.")
        % {"child": application.given_name, "school": school.name},
    )
    _paragraph(pdf, _("Reason"), bold=True, size=11)
    _paragraph(pdf, application.refusal_reason)
    if application.referral_school:
        _paragraph(pdf, _("A school that can offer a place"), bold=True, size=11)
        _paragraph(
            pdf,
            _(
                "Our school cannot offer the support your child needs. Under the duty of care "
                "we have looked for a school that can: %(school)s. That school expects your "
                "application."
            )
            % {"school": application.referral_school},
        )
    if school.is_public:
        _paragraph(pdf, _("Objection"), bold=True, size=11)
        _paragraph(
            pdf,
            _(
                "This is a decision under the General Administrative Law Act (Awb). If you do "
                "not agree with it, you may object within %(weeks)s weeks of the day after "
                "the date of this letter. Send your signed objection to the competent "
                "authority of the school: %(board)s, for the attention of the board. State "
                "your name and address, the date, this decision (reference %(reference)s) "
                "and why you object."
            )
            % {
                "weeks": OBJECTION_WEEKS,
                "board": school.board.name,
                "reference": application.reference,
            },
        )
    else:
        _paragraph(
            pdf,
            _(
                "If you do not agree with this decision, please contact the school's director "
                "to discuss it."
            ),
        )
    pdf.ln(4)
    _paragraph(pdf, _("Kind regards,"))
    signer = str(application.decided_by) if application.decided_by else ""
    _paragraph(pdf, signer or _("The director"))
    _paragraph(pdf, _("Director, %(school)s") % {"school": school.name}, size=9)
    return bytes(pdf.output())
