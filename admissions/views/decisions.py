"""Admissions pages: the school's inbox of applications, one application, and the decisions
on it (extend, refuse, withdrawn, enrol), each a page that says what will happen, with
post/redirect/get (kernel.prg): a refused decision goes back to its page with the reason and
what was typed; a decision goes on to the application."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.constants import Function
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel.prg import HttpResponseSeeOther, refused_form, refused_redirect
from students.exceptions import EnrolmentError
from students.forms import EnrolmentForm
from students.selectors.enrolment import groups_for_enrol

from ..constants import EXTENSION_PERIOD, OPEN_STATUSES, ApplicationStatus
from ..document_decisions import refusal_letter_pdf
from ..forms_decisions import ExtendForm, RefuseForm, WithdrawForm, enrolment_initial
from ..selectors.decisions import (
    DECIDE,
    HANDLE,
    application_for_step,
    applications_decided_for,
    applications_open_for,
    clock_for,
    guardians_of,
    may,
    timeline_of,
)
from ..services.decisions import (
    DecisionError,
    application_answers_read,
    application_enrol,
    application_extend,
    application_open_for,
    application_refuse,
    application_withdraw,
)


def _detail(application) -> str:
    return reverse("application-detail", args=[application.pk])


@method_decorator(never_cache, name="dispatch")
class ApplicationInboxView(LoginRequiredMixin, View):
    """The open applications, most urgent first, each with its clock; and the decisions of
    the last year (``?tab=decided``, for those who handle applications: 403 for the care
    coordinator)."""

    def get(self, request):
        decided_tab = request.GET.get("tab") == "decided"
        today = timezone.localdate()
        if decided_tab:
            rows = [(a, None) for a in applications_decided_for(user=request.user, today=today)]
        else:
            rows = [(a, clock_for(a, today)) for a in applications_open_for(user=request.user)]
        schools = {application.school_id for application, _clock in rows}
        return render(
            request,
            "admissions/decisions/inbox.html",
            {
                "rows": rows,
                "decided_tab": decided_tab,
                "several_schools": len(schools) > 1,
                # The decisions (with reasons and notes): for those who handle applications.
                "shows_decided": request.user.has_function(Function.HANDLE_APPLICATIONS),
            },
        )


@method_decorator(never_cache, name="dispatch")
class ApplicationDetailView(LoginRequiredMixin, View):
    """The child and the guardians, the clock, the timeline and the decisions this user may
    take. The sealed answers only for the director and the care coordinator (audited).

    Who reads the sealed answers without handling the school's applications (the care
    coordinator, who advises) sees only what that needs: the reference, the child's name and
    date of birth, the desired start date, the clock and the sealed answers; never the
    guardians, their contact data, the timeline, the reasons and notes or the decisions."""

    def get(self, request, application_id):
        user = request.user
        application = application_open_for(user=user, application_id=application_id)
        handles = may(user, application, HANDLE, Function.HANDLE_APPLICATIONS)
        answers = application_answers_read(user=user, application=application)
        if not handles:
            return render(
                request,
                "admissions/decisions/detail_advice.html",
                {"application": application, "clock": clock_for(application), "answers": answers},
            )
        is_open = application.status in OPEN_STATUSES
        can_decide = is_open and may(user, application, DECIDE, Function.DECIDE_APPLICATIONS)
        return render(
            request,
            "admissions/decisions/detail.html",
            {
                "application": application,
                "guardians": guardians_of(application),
                "timeline": timeline_of(application),
                "clock": clock_for(application),
                "answers": answers,
                "can_decide": can_decide,
                "can_extend": can_decide and application.extended_on is None,
                "can_withdraw": is_open,
            },
        )


class _DecisionView(LoginRequiredMixin, View):
    """One decision: GET the page that says what will happen, with its form; POST it."""

    starts_work = True  # e-mails the applicant (kernel.prg)
    url_name = ""
    function = Function.DECIDE_APPLICATIONS
    codename = DECIDE
    form_class: type = ExtendForm
    template = ""
    done = gettext_lazy("Saved.")

    def _application(self, request, application_id):
        return application_for_step(
            user=request.user,
            application_id=application_id,
            function=self.function,
            codename=self.codename,
        )

    def _key(self, application) -> str:
        return f"{self.__class__.__name__}:{application.pk}"

    def _page(self, application) -> str:
        return reverse(self.url_name, args=[application.pk])

    def context(self, application) -> dict:
        return {}

    @method_decorator(never_cache)
    def get(self, request, application_id):
        application = self._application(request, application_id)
        form = refused_form(request, self.form_class, self._key(application))
        return render(
            request,
            self.template,
            {
                "application": application,
                "form": form,
                "is_open": application.status in OPEN_STATUSES,
                "clock": clock_for(application),
                **self.context(application),
            },
        )

    def post(self, request, application_id):
        application = self._application(request, application_id)
        form = self.form_class(request.POST)
        page = self._page(application)
        if not form.is_valid():
            return refused_redirect(request, page, key=self._key(application), form=form)
        try:
            self.decide(request.user, application, form.cleaned_data)
        except DecisionError as error:
            _errors_place(form, error)
            return refused_redirect(request, page, key=self._key(application), form=form)
        messages.success(request, str(self.done))
        return HttpResponseSeeOther(_detail(application))

    def decide(self, user, application, data: dict) -> None:
        raise NotImplementedError  # each decision's view says what it does


def _errors_place(form, error: DecisionError) -> None:
    """The service's reasons at their fields; a reason without a field at the top."""
    placed = False
    for field, reasons in error.field_errors.items():
        if field in form.fields:
            for reason in reasons:
                form.add_error(field, reason)
            placed = True
    if not placed:
        form.add_error(None, str(error.message))


class ApplicationExtendView(_DecisionView):
    url_name = "application-extend"
    form_class = ExtendForm
    template = "admissions/decisions/extend.html"
    done = gettext_lazy("The decision period is extended by 4 weeks; the parents are told.")

    def context(self, application) -> dict:
        clock = clock_for(application)
        return {"new_due_on": clock.due_on + EXTENSION_PERIOD if clock else None}

    def decide(self, user, application, data):
        application_extend(user=user, application=application, reason=data["reason"])


class ApplicationRefuseView(_DecisionView):
    url_name = "application-refuse"
    form_class = RefuseForm
    template = "admissions/decisions/refuse.html"
    done = gettext_lazy("The application is refused; the parents are told and get the letter.")

    def decide(self, user, application, data):
        application_refuse(
            user=user,
            application=application,
            reason=data["reason"],
            referral_school=data["referral_school"],
        )


class ApplicationWithdrawView(_DecisionView):
    url_name = "application-withdraw"
    function = Function.HANDLE_APPLICATIONS
    codename = HANDLE
    form_class = WithdrawForm
    template = "admissions/decisions/withdraw.html"
    done = gettext_lazy("The withdrawal is recorded; the application is closed.")

    def decide(self, user, application, data):
        application_withdraw(user=user, application=application, note=data["note"])


@method_decorator(never_cache, name="dispatch")
class ApplicationEnrolView(LoginRequiredMixin, View):
    """Enrol from the application: the enrolment form of ``students`` filled in from it,
    asking what enrolment adds; the one enrolment service creates the pupil, the guardians
    and their invitations."""

    starts_work = True  # sends the guardians' invitations and e-mails the applicant

    def _application(self, request, application_id):
        return application_for_step(
            user=request.user,
            application_id=application_id,
            function=Function.DECIDE_APPLICATIONS,
            codename=DECIDE,
        )

    def _form(self, application, data=None):
        groups = groups_for_enrol(school=application.school, today=timezone.localdate())
        if data is not None:
            return EnrolmentForm(data, groups=groups)
        return EnrolmentForm(groups=groups, initial=enrolment_initial(application))

    def get(self, request, application_id):
        application = self._application(request, application_id)
        form = refused_form(
            request, lambda data=None: self._form(application, data), _enrol_key(application)
        )
        return render(
            request,
            "admissions/decisions/enrol.html",
            {
                "application": application,
                "form": form,
                "is_open": application.status in OPEN_STATUSES,
                "clock": clock_for(application),
            },
        )

    def post(self, request, application_id):
        application = self._application(request, application_id)
        form = self._form(application, request.POST)
        page = reverse("application-enrol", args=[application.pk])
        if not form.is_valid():
            return refused_redirect(request, page, key=_enrol_key(application), form=form)
        data = form.cleaned_data
        try:
            student = application_enrol(
                user=request.user,
                application=application,
                group=data["group"],
                start_date=data["start_date"],
                pupil=form.pupil_details(),
                guardians=form.guardian_details(),
                request_base=f"{request.scheme}://{request.get_host()}",
            )
        except EnrolmentError as error:
            form.enrolment_refused(error)
            return refused_redirect(request, page, key=_enrol_key(application), form=form)
        except DecisionError as error:
            form.add_error(None, str(error.message))
            return refused_redirect(request, page, key=_enrol_key(application), form=form)
        messages.success(
            request,
            _("%(name)s is enrolled in %(group)s from %(date)s; the application is closed.")
            % {
                "name": student.display_name,
                "group": data["group"].name,
                "date": date_format(data["start_date"], "DATE_FORMAT"),
            },
        )
        return HttpResponseSeeOther(_detail(application))


def _enrol_key(application) -> str:
    return f"application-enrol:{application.pk}"


class RefusalLetterView(LoginRequiredMixin, View):
    """The refusal letter (PDF) of a refused application, for those who handle the school's
    applications (403 for the care coordinator: it carries the reason and the guardians)."""

    def get(self, request, application_id):
        application = application_for_step(
            user=request.user,
            application_id=application_id,
            function=Function.HANDLE_APPLICATIONS,
            codename=HANDLE,
        )
        if application.status != ApplicationStatus.REFUSED:
            raise Http404
        event_record(
            user=request.user,
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
        return response


urlpatterns = [
    path("admissions/", ApplicationInboxView.as_view(), name="application-inbox"),
    path(
        "admissions/<int:application_id>/",
        ApplicationDetailView.as_view(),
        name="application-detail",
    ),
    path(
        "admissions/<int:application_id>/extend/",
        ApplicationExtendView.as_view(),
        name="application-extend",
    ),
    path(
        "admissions/<int:application_id>/refuse/",
        ApplicationRefuseView.as_view(),
        name="application-refuse",
    ),
    path(
        "admissions/<int:application_id>/withdraw/",
        ApplicationWithdrawView.as_view(),
        name="application-withdraw",
    ),
    path(
        "admissions/<int:application_id>/enrol/",
        ApplicationEnrolView.as_view(),
        name="application-enrol",
    ),
    path(
        "admissions/<int:application_id>/refusal-letter/",
        RefusalLetterView.as_view(),
        name="application-refusal-letter",
    ),
]
