"""Admissions pages: the online application, public (no account needed).

A parent chooses the school, fills in the form and confirms their e-mail address with the link
sent to it; only then does the application count (admissions.services.applications). They
follow it with the signed link of every e-mail (admissions.follow), or ask for a fresh one with
the reference and their address. A logged-in parent applies the same way (for a younger
sibling, say): the pages do not depend on who is logged in.

Post/redirect/get (kernel.prg): a refused form goes back with everything typed and each reason
at its field. Limits per e-mail address and per network address answer 429 and keep nothing.
Tokens are looked up by their hash; a link in a mail scanner only GETs, and a GET never
confirms.
"""

from __future__ import annotations

import datetime
import math

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.services import email_normalise
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel import throttling
from kernel.crypto import SealedDataError, lookup_hash, seal, unseal
from kernel.net import client_ip
from kernel.prg import HttpResponseSeeOther, refused_errors, refused_form, refused_redirect
from students.services.enrolment import GuardianDetails

from ..constants import (
    CONFIRMATION_HOURS,
    DECISION_PERIOD,
    EXTENSION_PERIOD,
    ApplicationStatus,
)
from ..document_decisions import refusal_letter_pdf
from ..follow import follow_path
from ..forms_public import GUARDIAN_FIELDS, ApplicationForm, FollowRequestForm
from ..selectors.public import (
    application_followed,
    school_for_application,
    schools_for_application,
    timeline_for_parents,
)
from ..services.applications import (
    ApplicationDetails,
    ApplicationError,
    ChildDetails,
    ConfirmationError,
    application_confirm,
    application_errors,
    application_for_confirmation,
    application_submit,
    follow_link_send,
)

# Limits per clock hour (kernel.throttling). Applications: counted when a valid one is about
# to be sent, so a parent who corrects the form is never held up. A family or a school's front
# desk shares one network address, hence the higher ceiling there.
APPLY_PER_EMAIL_PER_HOUR = 5
APPLY_PER_ADDRESS_PER_HOUR = 30
# Follow links: every request counts (each may send a mail).
FOLLOW_PER_EMAIL_PER_HOUR = 5
FOLLOW_PER_ADDRESS_PER_HOUR = 30
_HOUR = 3600

_SENT = "admissions:sent"
_CONFIRMED = "admissions:confirmed"


def _site(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _limits(kind: str, request: HttpRequest, email: str) -> list[tuple[str, int]]:
    per_email, per_address = {
        "apply": (APPLY_PER_EMAIL_PER_HOUR, APPLY_PER_ADDRESS_PER_HOUR),
        "follow": (FOLLOW_PER_EMAIL_PER_HOUR, FOLLOW_PER_ADDRESS_PER_HOUR),
    }[kind]
    limits = [(f"admissions:{kind}:address:{client_ip(request)}", per_address)]
    email = email_normalise(email)
    if email:
        # Keyed-hashed: no address in the cache.
        limits.append((f"admissions:{kind}:email:{lookup_hash(email)}", per_email))
    return limits


def _limited_page(request: HttpRequest, wait: int, *, kind: str) -> HttpResponse:
    minutes = max(1, math.ceil(wait / 60))
    return render(
        request,
        "admissions/public/limited.html",
        {
            "kind": kind,
            "wait": ngettext(
                "Please wait %(minutes)s minute, then try again.",
                "Please wait %(minutes)s minutes, then try again.",
                minutes,
            )
            % {"minutes": minutes},
        },
        status=429,
    )


def _stash(request: HttpRequest, key: str, content: str) -> None:
    request.session[key] = seal(content)


def _unstash(request: HttpRequest, key: str) -> str:
    value = request.session.get(key)
    if not value:
        return ""
    try:
        return unseal(value)
    except SealedDataError:
        return ""


@method_decorator(never_cache, name="dispatch")
class ApplicationStartView(View):
    """The schools one may apply to; with one school, straight to its form."""

    def get(self, request):
        schools = list(schools_for_application())
        if len(schools) == 1:
            return redirect("application-form", school_id=schools[0].pk)
        return render(request, "admissions/public/start.html", {"schools": schools})


def _form_key(school) -> str:
    return f"application-form:{school.pk}"


def _empty(name: str):
    if name in ("date_of_birth", "desired_start_date", "arrived_in_netherlands_on"):
        return None
    if name == "authority_decided_on":
        return None
    if name == "born_abroad":
        return False
    return ""


def _details(form: ApplicationForm) -> tuple[ApplicationDetails, list[int]]:
    """What the form read, as the service takes it (a value the form could not read is
    empty: the service then names it too, or the form's own error stands)."""
    data = form.cleaned_data
    slots = form.filled_slots()
    child = ChildDetails(
        **{
            name: data.get(name) or _empty(name)
            for name in ChildDetails.__dataclass_fields__  # the form names them the same way
        }
    )
    guardians = [
        GuardianDetails(
            **{
                name: data.get(form.guardian_name(slot, name)) or _empty(name)
                for name in GUARDIAN_FIELDS
                if name != "has_authority"
            },
            has_authority=data.get(form.guardian_name(slot, "has_authority")) != "no",
            invite=False,
        )
        for slot in slots
    ]
    details = ApplicationDetails(
        child=child,
        guardians=guardians,
        email=data.get("email") or "",
        support_needs=data.get("support_needs") or "",
        religion=data.get("religion") or "",
    )
    return details, slots


def _errors_place(form: ApplicationForm, errors: dict, slots: list[int]) -> None:
    """Put the service's reasons at the form's fields; a field the form already refused keeps
    its own reason (the service then only says it is missing)."""
    for field, reasons in errors.items():
        target: str | None = field
        if field.startswith("guardians."):
            parts = field.split(".")
            target = form.guardian_name(slots[int(parts[1])], parts[2]) if len(parts) == 3 else None
        if target is not None and target not in form.fields:
            target = None
        if target is not None and target in form.errors:
            continue
        for reason in reasons:
            form.add_error(target, reason)


@method_decorator(never_cache, name="dispatch")
class ApplicationFormView(View):
    """GET: the form of one school. POST: send the application (unconfirmed) and e-mail the
    link that confirms it, or back to the form with the reasons."""

    starts_work = True  # sends the confirmation e-mail (kernel.prg)

    def get(self, request, school_id: int):
        school = school_for_application(school_id)
        form = refused_form(request, ApplicationForm, _form_key(school))
        return render(
            request,
            "admissions/public/form.html",
            {
                "form": form,
                "school": school,
                "several_schools": schools_for_application().count() > 1,
                "hours": CONFIRMATION_HOURS,
            },
        )

    def post(self, request, school_id: int):
        school = school_for_application(school_id)
        limits = _limits("apply", request, request.POST.get("email", ""))
        page = reverse("application-form", args=[school.pk])
        form = ApplicationForm(request.POST)
        form.is_valid()
        details, slots = _details(form)
        errors = application_errors(details)
        if form.errors or errors:
            _errors_place(form, errors, slots)
            return refused_redirect(request, page, key=_form_key(school), form=form)
        # Counted before sending, atomically (the cache's increment): parallel requests cannot
        # all pass a check made before any of them counted. A form refused above never counts.
        for key, limit in limits:
            wait = throttling.hit(key, limit=limit, seconds=_HOUR)
            if wait:
                return _limited_page(request, wait, kind="apply")
        try:
            application = application_submit(
                school=school, details=details, site_url=_site(request)
            )
        except ApplicationError as error:
            _errors_place(form, error.field_errors, slots)
            if not error.field_errors:
                form.add_error(None, str(error.message))
            return refused_redirect(request, page, key=_form_key(school), form=form)
        _stash(request, _SENT, f"{school.name}\n{application.email}")
        return HttpResponseSeeOther(reverse("application-sent"))


@method_decorator(never_cache, name="dispatch")
class ApplicationSentView(View):
    """After sending: check your e-mail (and the address it went to, to spot a typo)."""

    def get(self, request):
        school, _sep, email = _unstash(request, _SENT).partition("\n")
        return render(
            request,
            "admissions/public/sent.html",
            {"school_name": school, "email": email, "hours": CONFIRMATION_HOURS},
        )


@method_decorator(never_cache, name="dispatch")
class ApplicationConfirmView(View):
    """GET: a button that confirms (a mail scanner that opens the link confirms nothing).
    POST: confirm, then the confirmed page. A link expired or used says what to do."""

    starts_work = True  # sends the e-mail with the follow link (kernel.prg)

    def get(self, request, token: str):
        # A refused POST (the link was used or expired meanwhile) comes back here: the page
        # below says why by itself, so the kept reason is only dropped.
        refused_errors(request, _confirm_key(token))
        try:
            application = application_for_confirmation(token)
        except ConfirmationError as error:
            return render(
                request,
                "admissions/public/confirm_failed.html",
                {"expired": error.expired, "message": error.message, "hours": CONFIRMATION_HOURS},
            )
        return render(request, "admissions/public/confirm.html", {"school": application.school})

    def post(self, request, token: str):
        try:
            application = application_confirm(token=token, site_url=_site(request))
        except ConfirmationError as error:
            return refused_redirect(
                request,
                reverse("application-confirm", args=[token]),
                key=_confirm_key(token),
                errors=[str(error.message)],
            )
        _stash(
            request,
            _CONFIRMED,
            "\n".join(
                (
                    application.reference,
                    application.school.name,
                    application.decision_due_on.isoformat() if application.decision_due_on else "",
                    follow_path(application),
                )
            ),
        )
        return HttpResponseSeeOther(reverse("application-confirmed"))


def _confirm_key(token: str) -> str:
    return f"application-confirm:{lookup_hash(token)}"


@method_decorator(never_cache, name="dispatch")
class ApplicationConfirmedView(View):
    """The application counts: its reference and what happens next."""

    def get(self, request):
        reference, school, due, follow = [*_unstash(request, _CONFIRMED).split("\n"), "", "", ""][
            :4
        ]
        return render(
            request,
            "admissions/public/confirmed.html",
            {
                "reference": reference,
                "school_name": school,
                "decision_due_on": _date_or_none(due),
                "follow": follow,
                "weeks": DECISION_PERIOD.days // 7,
                "extension_weeks": EXTENSION_PERIOD.days // 7,
            },
        )


def _date_or_none(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


@method_decorator(never_cache, name="dispatch")
class ApplicationFollowView(View):
    """The parents' page of one application (the signed link of every e-mail): the school,
    the reference, the status, when the school decides and the steps so far. Never the answers
    about support or religion."""

    def get(self, request, token: str):
        application = application_followed(token)
        if application is None:
            return render(request, "admissions/public/follow_failed.html", status=404)
        return render(
            request,
            "admissions/public/follow.html",
            {
                "application": application,
                "token": token,
                "timeline": timeline_for_parents(application),
                "open": application.status
                in (ApplicationStatus.RECEIVED, ApplicationStatus.EXTENDED),
                "overdue": application.decision_due_on is not None
                and application.decision_due_on < timezone.localdate(),
                "weeks": DECISION_PERIOD.days // 7,
                "extension_weeks": EXTENSION_PERIOD.days // 7,
            },
        )


@method_decorator(never_cache, name="dispatch")
class ApplicationFollowLetterView(View):
    """The refusal letter (PDF) for the parents, with the follow link: the school's formal
    decision (at a public school with the objection clause). Only for a refused application;
    every download is on the record (no account: ``user=None``)."""

    def get(self, request, token: str):
        application = application_followed(token)
        if application is None or application.status != ApplicationStatus.REFUSED:
            raise Http404
        event_record(
            user=None,
            action=Action.EXPORT,
            object_type="application_letter",
            object_id=application.pk,
            school_id=application.school_id,
            data_kind=DataKind.BASICS,
        )
        response = HttpResponse(refusal_letter_pdf(application), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="besluit-aanmelding-{application.reference}.pdf"'
        )
        response["Cache-Control"] = "no-store"
        return response


_FOLLOW_KEY = "application-follow-request"


@method_decorator(never_cache, name="dispatch")
class ApplicationFollowRequestView(View):
    """A fresh follow link by e-mail for a reference and the address it was sent from. The
    page answers the same whether or not they match."""

    starts_work = True  # sends the link (kernel.prg)

    def get(self, request):
        form = refused_form(request, FollowRequestForm, _FOLLOW_KEY)
        return render(request, "admissions/public/follow_request.html", {"form": form})

    def post(self, request):
        page = reverse("application-follow-request")
        form = FollowRequestForm(request.POST)
        if not form.is_valid():
            return refused_redirect(request, page, key=_FOLLOW_KEY, form=form)
        for key, limit in _limits("follow", request, form.cleaned_data["email"]):
            wait = throttling.hit(key, limit=limit, seconds=_HOUR)
            if wait:
                return _limited_page(request, wait, kind="follow")
        follow_link_send(
            reference=form.cleaned_data["reference"],
            email=form.cleaned_data["email"],
            site_url=_site(request),
        )
        messages.info(
            request,
            _(
                "If an application with this reference was sent from this email address, we "
                "have sent a new link to follow it there. No email within a few minutes? Check "
                "the reference and your spam folder, or contact the school."
            ),
        )
        return HttpResponseSeeOther(page)


urlpatterns = [
    path("admissions/apply/", ApplicationStartView.as_view(), name="application-start"),
    path(
        "admissions/apply/<int:school_id>/",
        ApplicationFormView.as_view(),
        name="application-form",
    ),
    path("admissions/apply/sent/", ApplicationSentView.as_view(), name="application-sent"),
    path(
        "admissions/apply/confirm/<str:token>/",
        ApplicationConfirmView.as_view(),
        name="application-confirm",
    ),
    path(
        "admissions/apply/confirmed/",
        ApplicationConfirmedView.as_view(),
        name="application-confirmed",
    ),
    path(
        "admissions/follow/",
        ApplicationFollowRequestView.as_view(),
        name="application-follow-request",
    ),
    path(
        "admissions/follow/<str:token>/",
        ApplicationFollowView.as_view(),
        name="application-follow",
    ),
    path(
        "admissions/follow/<str:token>/refusal-letter/",
        ApplicationFollowLetterView.as_view(),
        name="application-follow-letter",
    ),
]
