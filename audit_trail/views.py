from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views import View

from accounts.constants import Function
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel.csvfiles import CsvMode, csv_response
from students.selectors import function_require

from .forms import EventFilterForm
from .readable import ReadableEvent, Reader, events_readable, events_readable_chunks
from .selectors import (
    audit_schools_for,
    care_reads_per_role_per_week,
    events_filter,
    events_visible_to,
)


def _filtered(request):
    schools = list(audit_schools_for(request.user))
    reader = Reader.of(request.user, schools)
    form = EventFilterForm(
        request.GET or None,
        schools=schools,
        pupil_names=reader.sees_pupils,
    )
    events = events_visible_to(request.user)
    if form.is_bound and form.is_valid():
        return reader, form, events_filter(events, user=request.user, **form.cleaned_data)
    return reader, form, events_filter(events)


class AccessEventListView(LoginRequiredMixin, View):
    def get(self, request):
        function_require(
            user=request.user,
            function=Function.VIEW_AUDIT,
            object_type="audit",
            data_kind=DataKind.AUDIT,
        )
        reader, form, events = _filtered(request)
        page = Paginator(events, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "audit_trail/event_list.html",
            {
                "form": form,
                "page": page,
                "rows": events_readable(reader, page.object_list),
                "sees_pupils": reader.sees_pupils,
                "query": query.urlencode(),
            },
        )


# Typed names are not kept in the evidence (a pupil's name would reach the privacy officer's
# trail): the download's event records that a name was filtered on, not which.
NAME_FILTERS = ("staff", "pupil")


def _recorded_query(query) -> str:
    query = query.copy()
    for key in NAME_FILTERS:
        if query.get(key):
            query[key] = "*"
    return query.urlencode()[:64]


# The download's columns: a key (tests, and the order of ``csv_row``) and the heading.
CSV_COLUMNS = [
    ("created_at", gettext_lazy("When")),
    ("actor_name", gettext_lazy("Who")),
    ("actor_id", gettext_lazy("User id")),
    ("role", gettext_lazy("Role")),
    ("action", gettext_lazy("Action")),
    ("data_kind", gettext_lazy("Kind of data")),
    ("special_category", gettext_lazy("Special-category data")),
    ("object", gettext_lazy("Object")),
    ("object_id", gettext_lazy("Object id")),
    ("pupil_name", gettext_lazy("Pupil")),
    ("pupil_number", gettext_lazy("Pupil number")),
    ("school", gettext_lazy("School")),
    ("group", gettext_lazy("Group")),
    ("outcome", gettext_lazy("Outcome")),
    ("request_id", gettext_lazy("Request")),
]


def csv_keys(sees_pupils: bool) -> list[str]:
    """The columns of a reader's download: a pupil's name only for a reader who sees pupils."""
    return [key for key, _label in CSV_COLUMNS if sees_pupils or key != "pupil_name"]


def csv_header(sees_pupils: bool) -> list[str]:
    labels = dict(CSV_COLUMNS)
    return [str(labels[key]) for key in csv_keys(sees_pupils)]


def csv_row(row: ReadableEvent, sees_pupils: bool) -> list:
    e = row.event
    pupil = row.pupil
    values = {
        "created_at": timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        "actor_name": row.actor,
        "actor_id": e.actor_id or "",
        "role": row.roles,
        "action": row.action,
        "data_kind": row.data_kind,
        "special_category": _("yes") if e.special_category else _("no"),
        "object": row.object.label,
        "object_id": e.object_id,
        "pupil_name": (pupil.name or "") if pupil else "",
        "pupil_number": e.student_id or "",
        "school": row.school,
        "group": pupil.group if pupil else "",
        "outcome": row.outcome,
        "request_id": e.request_id,
    }
    return [values[key] for key in csv_keys(sees_pupils)]


class AccessEventExportView(LoginRequiredMixin, View):
    """The filtered events as a spreadsheet file, with the same words as the page (names for
    the director; pupil numbers, schools and groups for the privacy officer); the download is
    itself an audit event. Ids taken from a URL (``object_id``) and request ids are whatever a
    caller sent, so the file is written formula-safe."""

    def get(self, request):
        function_require(
            user=request.user,
            function=Function.VIEW_AUDIT,
            object_type="audit",
            data_kind=DataKind.AUDIT,
        )
        reader, _form, events = _filtered(request)
        event_record(
            user=request.user,
            action=Action.EXPORT,
            object_type="audit_export",
            object_id=_recorded_query(request.GET),
            data_kind=DataKind.AUDIT,
        )
        language = translation.get_language()
        sees = reader.sees_pupils

        def rows():
            # Streamed after the view returned: the words stay in the reader's language.
            with translation.override(language):
                for row in events_readable_chunks(reader, events):
                    yield csv_row(row, sees)

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = pgettext("file name", "audit-events")
        return csv_response(
            rows(),
            mode=CsvMode.SPREADSHEET,
            filename=f"{name}-{stamp}.csv",
            header=csv_header(sees),
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
