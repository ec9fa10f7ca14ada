"""Admissions pages: the education report (onderwijskundig rapport) of a pupil who leaves.

Staff (director and administration of the school): prepare the report, the director marks the
care records the new school needs, confirm and send it, download the document sent. Guardians
with parental authority: their copy of exactly what was sent, and their view on it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.constants import Function
from audit.constants import DataKind
from kernel.editing import nothing_changed
from kernel.prg import refused_form, refused_redirect
from students.selectors import function_require, not_allowed, not_found
from students.services.reads import care_records_open_for, progress_open_for
from suppliers.gate import DisclosureRefusedError, may_release_care

from ..forms_okr import CareMarkForm, ParentsViewForm, ReportForm, SendForm
from ..models import Departure, EducationReport
from ..selectors.okr import (
    care_records_for_marking,
    child_report_for,
    departure_for_report,
    progress_for_report,
    report_of,
)
from ..services import okr as services


def _edit_url(departure: Departure) -> str:
    return reverse("okr-edit", args=[departure.student_id])


def _send_key(departure: Departure) -> str:
    """Where a refused send is kept for the confirmation page (kernel.prg)."""
    return f"okr-send:{departure.pk}"


def _progress(request, departure: Departure) -> tuple[list, bool]:
    """The pupil's results to choose from; their values only for a reader of progress (the
    director), whose look is an access event; the administration sees subject and period."""
    if request.user.has_function(Function.VIEW_PROGRESS):
        _student, records = progress_open_for(user=request.user, student_id=departure.student_id)
        return list(records.order_by("recorded_at", "id")), True
    return list(progress_for_report(student=departure.student)), False


def _care(request, departure: Departure) -> list | None:
    """For the director: the care records that may go (an access event); else None."""
    if not may_release_care(request.user, departure.student.school):
        return None
    _student, records, _reach = care_records_open_for(
        user=request.user, student_id=departure.student_id
    )
    return care_records_for_marking(sorted(records, key=lambda r: (r.created_at, r.pk)))


def _report_initial(report: EducationReport | None) -> dict:
    if report is None:
        return {"summary": "", "progress": []}
    return {
        "summary": report.summary,
        "progress": list(report.progress_records.values_list("pk", flat=True)),
    }


def _care_initial(report: EducationReport | None) -> dict:
    initial: dict = {}
    if report is not None:
        for mark in report.care_marks.all():
            initial[f"mark_{mark.care_record_id}"] = True
            initial[f"reason_{mark.care_record_id}"] = mark.reason
    return initial


def _page(
    request,
    departure: Departure,
    *,
    report_form: ReportForm | None = None,
    care_form: CareMarkForm | None = None,
    status: int = 200,
):
    services.education_report_page_open(user=request.user, departure=departure)
    report = report_of(departure)
    sent = report is not None and report.is_sent
    records, with_results = _progress(request, departure) if not sent else ([], False)
    care = _care(request, departure) if not sent else None
    if not sent and report_form is None:
        report_form = ReportForm(
            initial=_report_initial(report), records=records, with_results=with_results
        )
    if care is not None and care_form is None:
        care_form = CareMarkForm(initial=_care_initial(report), records=care)
    marks = services._sendable_marks(report) if report is not None else []
    refused = _download_refused(request.user, departure) if sent else None
    return render(
        request,
        "admissions/okr/edit.html",
        {
            "departure": departure,
            "student": departure.student,
            "report": report,
            "sent": sent,
            "report_form": report_form,
            "care_form": care_form,
            "director": may_release_care(request.user, departure.student.school),
            "mark_count": len(marks),
            "may_download": sent and refused is None,
            "download_refused": refused,
            "has_destination": bool(departure.destination_name.strip()),
            "copy_held_back": report is not None
            and sent
            and services.education_report_copy_held_back(report),
        },
        status=status,
    )


class ReportEditView(LoginRequiredMixin, View):
    """The report's page; its POST saves the administration's part (summary, results)."""

    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def get(self, request, student_id):
        return _page(request, departure_for_report(user=request.user, student_id=student_id))

    def post(self, request, student_id):
        departure = departure_for_report(user=request.user, student_id=student_id)
        report = report_of(departure)
        records, with_results = _progress(request, departure)
        form = ReportForm(
            request.POST,
            initial=_report_initial(report),
            records=records,
            with_results=with_results,
        )
        if not form.has_changed():
            nothing_changed(request)
            return redirect(_edit_url(departure))
        if form.is_valid():
            try:
                _report, changed = services.education_report_save(
                    user=request.user,
                    departure=departure,
                    summary=form.cleaned_data["summary"],
                    progress_ids=form.cleaned_data["progress"],
                )
            except services.ReportError as exc:
                form.add_error(None, exc.message)
            else:
                if changed:
                    messages.success(request, _("The report was saved."))
                else:
                    nothing_changed(request)
                return redirect(_edit_url(departure))
        return _page(request, departure, report_form=form, status=400)


class CareMarkView(LoginRequiredMixin, View):
    """The director marks the care records the new school needs, each with its reason."""

    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def post(self, request, student_id):
        function_require(
            user=request.user,
            function=Function.DECIDE_WITHHOLDING,
            object_type="education_report",
            object_id=student_id,
            data_kind=DataKind.CARE,
        )
        departure = departure_for_report(user=request.user, student_id=student_id)
        care = _care(request, departure)
        if care is None:
            raise not_allowed(
                user=request.user,
                object_type="education_report",
                object_id=departure.student_id,
                student_id=departure.student_id,
                school_id=departure.student.school_id,
                data_kind=DataKind.CARE,
            )
        report = report_of(departure)
        form = CareMarkForm(request.POST, initial=_care_initial(report), records=care)
        if not form.has_changed():
            nothing_changed(request)
            return redirect(_edit_url(departure))
        if form.is_valid():
            try:
                _report, changed = services.education_report_care_mark(
                    user=request.user, departure=departure, marks=form.marks()
                )
            except services.ReportError as exc:
                form.add_error(None, exc.message)
            else:
                if changed:
                    messages.success(request, _("The care records for the report were saved."))
                else:
                    nothing_changed(request)
                return redirect(_edit_url(departure))
        return _page(request, departure, care_form=form, status=400)


class ReportSendView(LoginRequiredMixin, View):
    """The confirmation of what leaves and to whom, and the sending (once)."""

    starts_work = True  # kernel.prg: a refused send redirects to the confirmation

    def get(self, request, student_id):
        departure = departure_for_report(user=request.user, student_id=student_id)
        services.education_report_page_open(user=request.user, departure=departure)
        report = report_of(departure)
        form = refused_form(request, SendForm, _send_key(departure))
        outgoing = None
        if report is not None and not report.is_sent:
            try:
                outgoing = services.education_report_outgoing(report=report)
            except services.ReportError as exc:
                form.add_error(None, exc.message)
        director = may_release_care(request.user, departure.student.school)
        return render(
            request,
            "admissions/okr/send.html",
            {
                "departure": departure,
                "student": departure.student,
                "report": report,
                "outgoing": outgoing,
                "form": form,
                "director": director,
            },
        )

    def post(self, request, student_id):
        departure = departure_for_report(user=request.user, student_id=student_id)
        page = reverse("okr-send", args=[departure.student_id])
        form = SendForm(request.POST)
        if not form.is_valid():
            return refused_redirect(request, page, key=_send_key(departure), form=form)
        try:
            services.education_report_send(user=request.user, departure=departure)
        except (services.ReportError, DisclosureRefusedError) as exc:
            return refused_redirect(
                request, page, key=_send_key(departure), form=form, errors=[exc.message]
            )
        messages.success(
            request,
            _(
                "The report was sent to the new school; the parents with parental authority "
                "are told that their copy is ready."
            ),
        )
        return redirect(_edit_url(departure))


def _pdf(document: bytes, student_id: int) -> HttpResponse:
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="onderwijskundig-rapport-{student_id}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response


def _download_refused(user, departure: Departure) -> DataKind | None:
    """Why the user may not download the document sent, as the kind of data it carries that
    they do not read: care records (only the director), results (only a reader of progress);
    None when they may."""
    attributes = departure.education_report.attributes if departure.education_report else []
    if "care_records" in attributes and not may_release_care(user, departure.student.school):
        return DataKind.CARE
    if "progress" in attributes and not user.has_function(Function.VIEW_PROGRESS):
        return DataKind.PROGRESS
    return None


class ReportDownloadView(LoginRequiredMixin, View):
    """The exact document sent, for the school's staff. One that carries care records only
    for the director (the administration never reads care data), one that carries results
    only for a reader of progress."""

    def get(self, request, student_id):
        departure = departure_for_report(user=request.user, student_id=student_id)
        report = report_of(departure)
        if report is None or not report.is_sent:
            raise not_found(
                user=request.user,
                object_type="education_report",
                raw_id=student_id,
                student_id=departure.student_id,
                school_id=departure.student.school_id,
            )
        refused = _download_refused(request.user, departure)
        if refused is not None:
            raise not_allowed(
                user=request.user,
                object_type="education_report",
                object_id=departure.student_id,
                student_id=departure.student_id,
                school_id=departure.student.school_id,
                data_kind=refused,
            )
        document = services.education_report_document_open_for(user=request.user, report=report)
        return _pdf(document, departure.student_id)


class ChildReportView(LoginRequiredMixin, View):
    """A guardian's copy of their former child's report, and their view on it."""

    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def _render(self, request, report: EducationReport, form=None, status=200):
        departure = report.departure
        services.education_report_page_open(user=request.user, departure=departure)
        return render(
            request,
            "admissions/okr/parent.html",
            {
                "report": report,
                "departure": departure,
                "student": departure.student,
                "form": form or ParentsViewForm(initial={"text": departure.parents_view}),
                "held_back": services.education_report_copy_held_back(report),
            },
            status=status,
        )

    def get(self, request, student_id):
        return self._render(request, child_report_for(user=request.user, student_id=student_id))

    def post(self, request, student_id):
        report = child_report_for(user=request.user, student_id=student_id)
        form = ParentsViewForm(request.POST, initial={"text": report.departure.parents_view})
        if not form.has_changed():
            nothing_changed(request)
            return redirect(reverse("okr-parent", args=[report.departure.student_id]))
        if form.is_valid():
            try:
                changed = services.parents_view_save(
                    user=request.user, report=report, text=form.cleaned_data["text"]
                )
            except services.ReportError as exc:
                form.add_error(None, exc.message)
            else:
                if changed:
                    messages.success(request, _("Your view was saved; the school can read it."))
                else:
                    nothing_changed(request)
                return redirect(reverse("okr-parent", args=[report.departure.student_id]))
        return self._render(request, report, form=form, status=400)


class ChildReportDownloadView(LoginRequiredMixin, View):
    """The guardians' copy: byte for byte the document that was sent (an access event)."""

    def get(self, request, student_id):
        report = child_report_for(user=request.user, student_id=student_id)
        if services.education_report_copy_held_back(report):
            # A care record in it was withheld from the guardians since it was sent.
            raise not_found(
                user=request.user,
                object_type="education_report",
                raw_id=student_id,
                student_id=report.departure.student_id,
                school_id=report.departure.student.school_id,
            )
        document = services.education_report_copy_open_for(user=request.user, report=report)
        return _pdf(document, report.departure.student_id)


urlpatterns = [
    path(
        "admissions/leaving/<str:student_id>/report/",
        ReportEditView.as_view(),
        name="okr-edit",
    ),
    path(
        "admissions/leaving/<str:student_id>/report/care/",
        CareMarkView.as_view(),
        name="okr-care",
    ),
    path(
        "admissions/leaving/<str:student_id>/report/send/",
        ReportSendView.as_view(),
        name="okr-send",
    ),
    path(
        "admissions/leaving/<str:student_id>/report/document/",
        ReportDownloadView.as_view(),
        name="okr-download",
    ),
    path(
        "admissions/children/<str:student_id>/report/",
        ChildReportView.as_view(),
        name="okr-parent",
    ),
    path(
        "admissions/children/<str:student_id>/report/document/",
        ChildReportDownloadView.as_view(),
        name="okr-parent-download",
    ),
]
