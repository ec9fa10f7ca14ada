from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views import View

from accounts.constants import Function
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel.csvfiles import CsvMode, csv_response
from students.selectors import function_require

from .forms import EventFilterForm
from .selectors import (
    audit_schools_for,
    care_reads_per_role_per_week,
    events_filter,
    events_visible_to,
)

CSV_COLUMNS = [
    "created_at",
    "actor_id",
    "role",
    "action",
    "data_kind",
    "special_category",
    "object_type",
    "object_id",
    "student_id",
    "school_id",
    "outcome",
    "request_id",
]


def _filtered(request):
    form = EventFilterForm(request.GET or None, schools=audit_schools_for(request.user))
    events = events_visible_to(request.user)
    if form.is_bound and form.is_valid():
        return form, events_filter(events, **form.cleaned_data)
    return form, events_filter(events)


class AccessEventListView(LoginRequiredMixin, View):
    def get(self, request):
        function_require(
            user=request.user,
            function=Function.VIEW_AUDIT,
            object_type="audit",
            data_kind=DataKind.AUDIT,
        )
        form, events = _filtered(request)
        page = Paginator(events, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "audit_trail/event_list.html",
            {"form": form, "page": page, "query": query.urlencode()},
        )


class AccessEventExportView(LoginRequiredMixin, View):
    """The filtered events as a spreadsheet file; the download is itself an audit event. Ids
    taken from a URL (``object_id``) and request ids are whatever a caller sent, so the file is
    written formula-safe."""

    def get(self, request):
        function_require(
            user=request.user,
            function=Function.VIEW_AUDIT,
            object_type="audit",
            data_kind=DataKind.AUDIT,
        )
        _form, events = _filtered(request)
        event_record(
            user=request.user,
            action=Action.EXPORT,
            object_type="audit_export",
            object_id=request.GET.urlencode()[:64],
            data_kind=DataKind.AUDIT,
        )
        rows = events.values_list(*CSV_COLUMNS).iterator(chunk_size=2000)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = pgettext("file name", "audit-events")
        return csv_response(
            rows, mode=CsvMode.SPREADSHEET, filename=f"{name}-{stamp}.csv", header=CSV_COLUMNS
        )


class CareReadSummaryView(LoginRequiredMixin, View):
    """Reads of care data and religion per role per week (the last 12 weeks)."""

    def get(self, request):
        function_require(
            user=request.user,
            function=Function.VIEW_AUDIT,
            object_type="audit",
            data_kind=DataKind.AUDIT,
        )
        rows = care_reads_per_role_per_week(request.user)
        return render(request, "audit_trail/care_summary.html", {"rows": rows})
