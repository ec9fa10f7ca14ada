"""The education report (onderwijskundig rapport, OKR) of a pupil who leaves for another
school: the administration prepares it, the director marks the care records the new school
needs for the pupil's support (each with a reason), and it goes once through the gate on its
legal ground. The exact document sent is kept sealed; the guardians with authority get a copy
of it and may add their view. docs/domain.md, "The education report"."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel.exceptions import DomainError
from students.attributes import ordered
from students.constants import WITHHELD_STATUSES
from students.models import Board, CareRecord, ProgressRecord
from suppliers.constants import CARE_EXCEPTION, LegalGround, RecipientKind
from suppliers.gate import (
    CareRelease,
    DisclosureRefusedError,
    LegalRequest,
    disclose,
    disclosure_plan,
    may_release_care,
    plan_progress_records,
    released_care_records,
)
from suppliers.models import Recipient

from ..constants import ReportStatus
from ..documents_okr import ReportCare, ReportContent, ReportProgress, report_pdf
from ..models import Departure, EducationReport, EducationReportCareRecord

# The board's recipient through which every education report leaves; the attributes it may
# carry (the report's basics and progress; care records only by the named exception).
NEXT_SCHOOL_RECIPIENT = {
    "name": "Volgende school (onderwijskundig rapport)",
    "legal_basis": (
        "Wet op het primair onderwijs, art. 42: het onderwijskundig rapport gaat naar de "
        "school waar de leerling wordt ingeschreven, met een afschrift aan de ouders."
    ),
    "attributes": [
        "first_name",
        "last_name",
        "date_of_birth",
        "year_group",
        "school_brin",
        "enrolled_on",
        "withdrawn_on",
        "progress",
    ],
}
# What the document shows of the gate's row; the disclosure records no more than this.
REPORT_ATTRIBUTES = frozenset(NEXT_SCHOOL_RECIPIENT["attributes"])


class ReportError(DomainError):
    """The report cannot be saved or sent as asked (already sent, no new school, ...)."""


def next_school_recipient_ensure(*, board: Board) -> Recipient:
    """The board's next-school recipient, created when it has none (school_provision and
    migration 0002 seed it; this keeps a board set up otherwise working too)."""
    recipient = (
        Recipient.objects.filter(board=board, kind=RecipientKind.NEXT_SCHOOL).order_by("pk").first()
    )
    if recipient is None:
        recipient = Recipient.objects.create(
            board=board, kind=RecipientKind.NEXT_SCHOOL, **NEXT_SCHOOL_RECIPIENT
        )
    return recipient


def _lines(text: str) -> str:
    """Typed text as stored: line breaks as a browser may send them (CR LF) count as one."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _locked(departure: Departure) -> EducationReport:
    """The report row of this leaving, locked (created as a draft on the first write)."""
    report, _created = EducationReport.objects.get_or_create(departure=departure)
    return EducationReport.objects.select_for_update().get(pk=report.pk)


def _refuse_sent(report: EducationReport) -> None:
    if report.is_sent:
        raise ReportError(_("The report has been sent; it can no longer be changed."))


def _event(*, user, report: EducationReport, action: Action, data_kind: DataKind) -> None:
    student = report.departure.student
    event_record(  # the pupil's id: one report per leaving, and its page is the pupil's
        user=user,
        action=action,
        object_type="education_report",
        object_id=student.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=data_kind,
    )


@transaction.atomic
def education_report_save(
    *, user: User, departure: Departure, summary: str, progress_ids: Iterable[int]
) -> tuple[EducationReport, bool]:
    """Save the administration's part: the summary and which progress goes with it. Saved
    unchanged, nothing is written (the answer says whether anything changed)."""
    report = _locked(departure)
    _refuse_sent(report)
    summary = _lines(summary)
    wanted = set(
        ProgressRecord.objects.filter(
            student_id=departure.student_id, pk__in=list(progress_ids)
        ).values_list("pk", flat=True)
    )
    current = set(report.progress_records.values_list("pk", flat=True))
    if summary == report.summary and wanted == current:
        return report, False
    report.summary = summary
    report.prepared_at = timezone.now()
    report.prepared_by = user
    report.save(update_fields=["summary", "prepared_at", "prepared_by"])
    report.progress_records.set(sorted(wanted))
    _event(user=user, report=report, action=Action.UPDATE, data_kind=DataKind.PROGRESS)
    return report, True


@transaction.atomic
def education_report_care_mark(
    *, user: User, departure: Departure, marks: Mapping[int, str]
) -> tuple[EducationReport, bool]:
    """The director's choice of care records (id -> reason) that the new school needs for the
    pupil's support. Replaces the earlier choice; a withheld record or one without a reason is
    refused; saved unchanged, nothing is written."""
    school = departure.student.school
    if not may_release_care(user, school):
        raise ReportError(_("Only the director can mark care records for the education report."))
    report = _locked(departure)
    _refuse_sent(report)
    marks = {int(pk): _lines(reason) for pk, reason in marks.items()}
    if any(not reason for reason in marks.values()):
        raise ReportError(
            _("Give for each care record why the new school needs it for the pupil's support.")
        )
    records = CareRecord.objects.filter(student_id=departure.student_id, pk__in=list(marks))
    if records.count() != len(marks):
        raise ReportError(_("A care record in the list is not of this pupil."))
    if records.filter(withhold_status__in=WITHHELD_STATUSES).exists():
        raise ReportError(_("A care record withheld from the guardians never leaves the school."))
    current = {mark.care_record_id: mark for mark in report.care_marks.all()}
    if {pk: mark.reason for pk, mark in current.items()} == marks:
        return report, False
    for pk, mark in current.items():
        if pk not in marks:
            mark.delete()
    for pk, reason in marks.items():
        existing = current.get(pk)
        if existing is None:
            EducationReportCareRecord.objects.create(
                report=report, care_record_id=pk, reason=reason, marked_by=user
            )
        elif existing.reason != reason:
            existing.reason, existing.marked_by, existing.marked_at = reason, user, timezone.now()
            existing.save(update_fields=["reason", "marked_by", "marked_at"])
    _event(user=user, report=report, action=Action.UPDATE, data_kind=DataKind.CARE)
    return report, True


@dataclass(frozen=True)
class Outgoing:
    """What would leave now, for the confirmation: the new school, the pupil's attributes,
    how many results and which care records (withheld ones already left out)."""

    destination: str
    attributes: list[str]
    progress_count: int
    care_marks: list[EducationReportCareRecord]
    summary: str


def _sendable_marks(report: EducationReport) -> list[EducationReportCareRecord]:
    """The marks whose record may go: a record withheld since it was marked never does."""
    return list(
        report.care_marks.exclude(care_record__withhold_status__in=WITHHELD_STATUSES)
        .select_related("care_record", "marked_by")
        .order_by("care_record__created_at", "care_record_id")
    )


def _destination(departure: Departure) -> str:
    if not departure.destination_name.strip():
        raise ReportError(
            _(
                "The leaving names no new school: the report goes only to the school where the "
                "pupil is enrolled."
            )
        )
    brin = f" ({departure.destination_brin})" if departure.destination_brin else ""
    return f"{departure.destination_name}{brin}"


def education_report_outgoing(*, report: EducationReport) -> Outgoing:
    """For the confirmation page: what leaves and to whom (no write, no care content)."""
    progress_count = report.progress_records.count()
    attributes = ordered(REPORT_ATTRIBUTES - ({"progress"} if not progress_count else set()))
    return Outgoing(
        destination=_destination(report.departure),
        attributes=attributes,
        progress_count=progress_count,
        care_marks=_sendable_marks(report),
        summary=report.summary,
    )


def _legal(report: EducationReport, marks: list[EducationReportCareRecord]) -> LegalRequest:
    departure = report.departure
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Education report for the new school %(school)s.") % {
            "school": _destination(departure)
        }
        if marks:
            reason += " " + _(
                "With %(count)s care record(s) the director marked necessary for the support "
                "the pupil needs there, each with its reason."
            ) % {"count": len(marks)}
    return LegalRequest(
        ground=LegalGround.EDUCATION_REPORT,
        reference=f"OKR-{departure.student_id}-{departure.left_on:%Y%m%d}",
        reason=reason,
        student_ids=(departure.student_id,),
        care_records=tuple(
            CareRelease(
                record_id=mark.care_record_id, reason=mark.reason, decided_by_id=mark.marked_by_id
            )
            for mark in marks
        ),
    )


@transaction.atomic
def education_report_send(*, user: User, departure: Departure) -> EducationReport:
    """Send the report once, through the gate: check the ground and the care records, draw
    the PDF from what the gate gives, record the disclosure with its checksum, keep the exact
    document sealed, and tell the guardians with authority (after the commit). A second send
    is refused (the row is locked, so two people sending at once send once)."""
    from ..tasks_okr import education_report_notify_task

    departure = (
        Departure.objects.select_for_update().select_related("student__school").get(pk=departure.pk)
    )
    report = _locked(departure)
    report.departure = departure
    _refuse_sent(report)
    student = departure.student
    school = student.school
    destination = _destination(departure)
    marks = _sendable_marks(report)
    progress_ids = list(report.progress_records.values_list("pk", flat=True))
    recipient = next_school_recipient_ensure(board=school.board)
    plan = disclosure_plan(school=school, recipient=recipient, legal=_legal(report, marks))
    wanted = set(REPORT_ATTRIBUTES) - ({"progress"} if not progress_ids else set())
    plan.attributes = [code for code in plan.attributes if code in wanted or code == "care_records"]
    plan.recipient_label = f"{recipient.name}: {destination}"
    run = disclose(actor=user, plan=plan)
    rows = list(run.rows())
    if len(rows) != 1:
        raise ReportError(_("The report could not be drawn up for this pupil."))
    progress = plan_progress_records(plan, student, progress_ids) if progress_ids else []
    care = released_care_records(plan, student) if marks else []
    sent_at = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        content = ReportContent(
            school_name=school.name,
            school_brin=school.brin,
            destination_name=departure.destination_name,
            destination_brin=departure.destination_brin,
            ground=str(LegalGround.EDUCATION_REPORT.label),
            sent_at=timezone.localtime(sent_at),
            row=rows[0],
            left_on=departure.left_on,
            summary=report.summary,
            progress=[
                ReportProgress(p.get_subject_display(), p.period, p.result, p.note)
                for p in progress
            ],
            care=[ReportCare(r.get_kind_display(), r.content, reason) for r, reason in care],
            care_exception=str(CARE_EXCEPTION),
        )
    document = report_pdf(content)
    disclosure = run.record(checksum=hashlib.sha256(document).hexdigest())
    report.document.save(f"okr-{report.pk}.pdf", ContentFile(document), save=False)
    report.status = ReportStatus.SENT
    report.sent_at = sent_at
    report.sent_by = user
    report.save(update_fields=["document", "status", "sent_at", "sent_by"])
    departure.education_report = disclosure
    departure.save(update_fields=["education_report"])
    _event(
        user=user,
        report=report,
        action=Action.EXPORT,
        data_kind=DataKind.CARE if care else DataKind.PROGRESS,
    )
    transaction.on_commit(partial(education_report_notify_task.delay, report.pk))
    return report


def education_report_notify(*, report_id: int) -> int:
    """Tell the guardians with authority that the report was sent, and where their copy is
    (the e-mail names no child data beyond "your child's report")."""
    from suppliers.services import guardians_copy_notify

    report = EducationReport.objects.select_related("departure").get(pk=report_id)
    disclosure_id = report.departure.education_report_id
    if disclosure_id is None:
        return 0
    path = reverse("okr-parent", args=[report.departure.student_id])
    return guardians_copy_notify(disclosure_id=disclosure_id, copy_url=f"{settings.SITE_URL}{path}")


def education_report_page_open(*, user: User, departure: Departure) -> None:
    """Opening the report's page (staff) or the copy's page (guardian) is an access event."""
    student = departure.student
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="education_report",
        object_id=student.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=DataKind.BASICS,
    )


def _document_bytes(report: EducationReport) -> bytes:
    with report.document.open("rb") as handle:
        return handle.read()


def education_report_document_open_for(*, user: User, report: EducationReport) -> bytes:
    """The exact document sent, for the school's director or administration; each download
    is an access event (special-category when it carries care records)."""
    if not report.is_sent:
        raise ReportError(_("The report has not been sent yet."))
    disclosure = report.departure.education_report
    carries_care = disclosure is not None and "care_records" in disclosure.attributes
    _event(
        user=user,
        report=report,
        action=Action.EXPORT,
        data_kind=DataKind.CARE if carries_care else DataKind.PROGRESS,
    )
    return _document_bytes(report)


def education_report_copy_held_back(report: EducationReport) -> bool:
    """Whether the guardians' copy is held back: a care record marked for the report was
    withheld from the guardians since (a withheld record appears nowhere a guardian looks,
    and the document sent carries it)."""
    return report.care_marks.filter(care_record__withhold_status__in=WITHHELD_STATUSES).exists()


def education_report_copy_open_for(*, user: User, report: EducationReport) -> bytes:
    """The guardians' copy: byte for byte the document that was sent; an access event.
    Refused while the copy is held back (``education_report_copy_held_back``)."""
    if education_report_copy_held_back(report):
        raise ReportError(_("The copy of the report is not available."))
    return education_report_document_open_for(user=user, report=report)


@transaction.atomic
def parents_view_save(*, user: User, report: EducationReport, text: str) -> bool:
    """A guardian's view on the report, which the school sees on its report page. Saved
    unchanged, nothing is written; returns whether it changed."""
    departure = Departure.objects.select_for_update().get(pk=report.departure_id)
    locked = EducationReport.objects.select_for_update().get(pk=report.pk)
    if not locked.is_sent:
        raise ReportError(_("The report has not been sent yet."))
    text = _lines(text)
    if text == _lines(departure.parents_view):
        return False
    departure.parents_view = text
    departure.save(update_fields=["parents_view"])
    locked.parents_view_at = timezone.now()
    locked.parents_view_by = user
    locked.save(update_fields=["parents_view_at", "parents_view_by"])
    locked.departure = departure
    _event(user=user, report=locked, action=Action.UPDATE, data_kind=DataKind.BASICS)
    return True


__all__ = [
    "DisclosureRefusedError",
    "ReportError",
    "education_report_care_mark",
    "education_report_copy_held_back",
    "education_report_copy_open_for",
    "education_report_document_open_for",
    "education_report_notify",
    "education_report_outgoing",
    "education_report_page_open",
    "education_report_save",
    "education_report_send",
    "next_school_recipient_ensure",
    "parents_view_save",
]
