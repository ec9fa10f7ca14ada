from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import View

from accounts.constants import Function
from students.selectors import function_require

from .forms import EventFilterForm
from .selectors import events_filter, events_visible_to


class AccessEventListView(LoginRequiredMixin, View):
    def get(self, request):
        function_require(user=request.user, function=Function.VIEW_AUDIT, object_type="audit")
        form = EventFilterForm(request.GET or None)
        events = events_visible_to(request.user)
        if form.is_valid():
            events = events_filter(events, **form.cleaned_data)
        else:
            events = events_filter(events)
        page = Paginator(events, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "audit/event_list.html",
            {"form": form, "page": page, "query": query.urlencode()},
        )
