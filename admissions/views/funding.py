"""Admissions pages: the funding registrations for DUO (director and administration).

The list shows what is due and what was done, each with its clock in words, most urgent
first; a registration is produced through the gate (a POST), its document downloaded by a
signed link bound to the login that asked for it, and marked sent (a POST) once sent to DUO
outside the portal."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from accounts.authentication import SessionOrTokenRequiredMixin
from audit.constants import DataKind
from kernel.prg import HttpResponseSeeOther, refused_redirect
from kernel.signed_links import DownloadLink
from students.selectors import not_found

from ..models import FundingRegistration
from ..selectors.funding import (
    registration_for,
    registrations_done,
    registrations_due,
    registrations_for,
)
from ..services.funding import (
    RegistrationError,
    file_available,
    registration_download_record,
    registration_mark_sent,
    registration_produce,
    registration_reference,
)

# A registration's document is the requester's: the link is bound to their login.
REGISTRATION_LINK = DownloadLink(salt="admissions.funding.download")
DONE_PER_PAGE = 50


def download_url(registration: FundingRegistration, user) -> str | None:
    """A relative link that expires with the document and opens only for ``user``."""
    if not file_available(registration):
        return None
    token = REGISTRATION_LINK.token(object_id=registration.pk, bound_to=user.pk)
    return reverse("registration-download", args=[registration.pk, token])


def clock(registration: FundingRegistration, today: datetime.date) -> tuple[str, str]:
    """The registration's clock in words, and its urgency for the row's look ("overdue",
    "due_soon" within 2 days, or none)."""
    if registration.sent_at is not None:
        return (
            _("sent on %(date)s")
            % {"date": formats.date_format(timezone.localtime(registration.sent_at))},
            "",
        )
    days = (registration.due_on - today).days
    if days < 0:
        return ngettext("%(n)s day late", "%(n)s days late", -days) % {"n": -days}, "overdue"
    if days == 0:
        return _("due today"), "due_soon"
    words = ngettext("due in %(n)s day", "due in %(n)s days", days) % {"n": days}
    return words, "due_soon" if days <= 2 else ""


def _row(registration: FundingRegistration, user, today: datetime.date) -> dict:
    words, look = clock(registration, today)
    return {
        "registration": registration,
        "reference": registration_reference(registration),
        "clock": words,
        "look": look,
        "download_url": download_url(registration, user) if registration.sent_at is None else None,
        "produced": registration.disclosure_id is not None,
        "sent_late": registration.sent_at is not None
        and timezone.localtime(registration.sent_at).date() > registration.due_on,
    }


def _list_url() -> str:
    return reverse("registration-list")


class RegistrationListView(LoginRequiredMixin, View):
    """Due and done, each with its clock; a constant number of queries."""

    def get(self, request):
        qs = registrations_for(user=request.user)
        today = timezone.localdate()
        due = [_row(r, request.user, today) for r in registrations_due(qs)]
        page = Paginator(registrations_done(qs), DONE_PER_PAGE).get_page(request.GET.get("page"))
        done = [_row(r, request.user, today) for r in page.object_list]
        return render(
            request,
            "admissions/funding/list.html",
            {
                "due": due,
                "done": done,
                "page": page,
                "several_schools": len({r["registration"].school_id for r in due + done}) > 1,
            },
        )


class RegistrationProduceView(LoginRequiredMixin, View):
    """Produce the registration through the gate (a disclosure to DUO, recorded)."""

    starts_work = True  # kernel.prg: a refusal redirects to the list too

    def post(self, request, registration_id):
        registration = registration_for(user=request.user, registration_id=registration_id)
        try:
            registration_produce(user=request.user, registration=registration)
        except RegistrationError as exc:
            return refused_redirect(request, _list_url(), errors=[exc.message])
        messages.success(
            request,
            _(
                "The registration %(reference)s was produced and recorded as a disclosure to "
                "DUO. Download it and send it to DUO; then mark it sent."
            )
            % {"reference": registration_reference(registration)},
        )
        return HttpResponseSeeOther(f"{_list_url()}#registration-{registration.pk}")


class RegistrationMarkSentView(LoginRequiredMixin, View):
    """Record that the registration was sent to DUO, now and by whom."""

    starts_work = True  # kernel.prg: a refusal redirects to the list too

    def post(self, request, registration_id):
        registration = registration_for(user=request.user, registration_id=registration_id)
        try:
            registration_mark_sent(user=request.user, registration=registration)
        except RegistrationError as exc:
            return refused_redirect(request, _list_url(), errors=[exc.message])
        messages.success(
            request,
            _("The registration %(reference)s is marked sent.")
            % {"reference": registration_reference(registration)},
        )
        return HttpResponseSeeOther(f"{_list_url()}#registration-{registration.pk}")


class RegistrationDownloadView(SessionOrTokenRequiredMixin, View):
    """The document, for the login the link was made for, until it expires (else 404)."""

    def get(self, request, registration_id, token):
        registration = registration_for(user=request.user, registration_id=registration_id)
        if not file_available(registration):
            raise Http404
        if not REGISTRATION_LINK.opens(
            token,
            object_id=registration.pk,
            bound_to=request.user.pk,
            ready_at=registration.disclosure.created_at if registration.disclosure else None,
            expires_at=registration.file_expires_at,
        ):
            raise not_found(
                user=request.user,
                object_type="funding_registration",
                raw_id=registration_id,
                data_kind=DataKind.BASICS,
                school_id=registration.school_id,
            )
        registration_download_record(user=request.user, registration=registration)
        response = FileResponse(
            registration.file.open("rb"),
            as_attachment=True,
            filename=f"{registration_reference(registration).lower()}.json",
            content_type="application/json",
        )
        response["Cache-Control"] = "no-store"
        return response


urlpatterns: list = [
    path("admissions/registrations/", RegistrationListView.as_view(), name="registration-list"),
    path(
        "admissions/registrations/<str:registration_id>/produce/",
        RegistrationProduceView.as_view(),
        name="registration-produce",
    ),
    path(
        "admissions/registrations/<str:registration_id>/sent/",
        RegistrationMarkSentView.as_view(),
        name="registration-mark-sent",
    ),
    path(
        "admissions/registrations/<str:registration_id>/download/<str:token>/",
        RegistrationDownloadView.as_view(),
        name="registration-download",
    ),
]
