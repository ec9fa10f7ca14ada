import csv

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from accounts.constants import Function
from students.selectors import function_require

from .constants import Action, DataKind
from .forms import EventFilterForm
from .selectors import (
    audit_schools_for,
    care_reads_per_role_per_week,
    events_filter,
    events_visible_to,
)
from .services import event_record

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
            "audit/event_list.html",
            {"form": form, "page": page, "query": query.urlencode()},
        )


class _Echo:
    def write(self, value):
        return value


class AccessEventExportView(LoginRequiredMixin, View):
    """The filtered events as CSV; the download is itself an audit event."""

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
        writer = csv.writer(_Echo())
        rows = events.values_list(*CSV_COLUMNS).iterator(chunk_size=2000)

        def stream():
            yield writer.writerow(CSV_COLUMNS)
            for row in rows:
                yield writer.writerow(
                    [value.isoformat() if hasattr(value, "isoformat") else value for value in row]
                )

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-events-{stamp}.csv"'
        return response


class CareReadSummaryView(LoginRequiredMixin, View):
    """Reads of care data and religion per role per week (the last 12 weeks)."""

    def get(self, request):
        function_require(
            user=request.user,
            function=Function.VIEW_AUDIT,
            object_type="audit",
            data_kind=DataKind.AUDIT,
        )
        return render(
            request, "audit/care_summary.html", {"rows": care_reads_per_role_per_week(request.user)}
        )
