"""Pages of the breach register, the processing register and the privacy officer's overview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.constants import Function
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel.editing import nothing_changed
from students.exceptions import StudentError
from students.selectors import function_require

from . import services
from .constants import PupilSource
from .forms import (
    AccountPupilsForm,
    BreachForm,
    DecisionForm,
    DisclosurePupilsForm,
    FollowUpForm,
    MeasuresForm,
)
from .models import SecurityMeasures
from .register import processing_register
from .selectors import (
    board_ids_for_breaches,
    breach_get_for,
    breach_schools_for,
    breaches_visible_to,
    disclosure_for_breach,
    pupils_of,
    pupils_of_disclosure,
    pupils_viewed_by_email,
    register_schools_for,
)


def _breach_form(request, data=None):
    return BreachForm(
        data,
        schools=breach_schools_for(request.user),
        board_wide=bool(board_ids_for_breaches(request.user)),
    )


class BreachListView(LoginRequiredMixin, View):
    def get(self, request, form=None, status=200):
        breaches = breaches_visible_to(request.user)
        return render(
            request,
            "registers/breaches.html",
            {
                "breaches": breaches[:200],
                "form": form or _breach_form(request),
                "now": timezone.now(),
            },
            status=status,
        )

    def post(self, request):
        breaches_visible_to(request.user)  # 403 without the function
        form = _breach_form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            schools = breach_schools_for(request.user)
            school = schools.filter(pk=data["school"]).first() if data["school"] else None
            board_ids = board_ids_for_breaches(request.user)
            board_id = school.board_id if school else (board_ids[0] if board_ids else None)
            if board_id is None or (data["school"] and school is None):
                form.add_error("school", _("Choose one of your schools."))
            else:
                try:
                    breach = services.breach_record(
                        user=request.user,
                        board_id=board_id,
                        school=school,
                        occurred_at=data["occurred_at"],
                        aware_at=data["aware_at"],
                        description=data["description"],
                        categories=data["categories"],
                    )
                except StudentError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, _("The breach is recorded; the clock is running."))
                    return redirect("breach-detail", breach.pk)
        return self.get(request, form=form, status=400)


def _decision_initial(breach) -> dict:
    """The recorded decision, which its form shows and compares a submitted form with."""
    return {
        "risk": breach.risk,
        "notify_authority": {True: "yes", False: "no"}.get(breach.notify_authority),
        "reason": breach.decision_reason,
    }


def _follow_up_initial(breach) -> dict:
    return {
        "authority_notified_on": breach.authority_notified_on,
        "authority_reference": breach.authority_reference,
        "people_informed": {True: "yes", False: "no"}.get(breach.people_informed, ""),
        "informed_how": breach.informed_how,
        "measures": breach.measures,
    }


def _detail(request, breach, forms_in=None, status=200):
    forms = {
        "decision": DecisionForm(initial=_decision_initial(breach)),
        "follow_up": FollowUpForm(initial=_follow_up_initial(breach)),
        "disclosure": DisclosurePupilsForm(),
        "account": AccountPupilsForm(),
    }
    forms.update(forms_in or {})
    return render(
        request,
        "registers/breach.html",
        {
            "breach": breach,
            "forms": forms,
            "pupils": pupils_of(breach).order_by("school__name", "surname", "id")[:500],
            "show_names": request.user.has_function(Function.VIEW_PUPILS),
            "steps": breach.steps.select_related("actor"),
            "now": timezone.now(),
        },
        status=status,
    )


class BreachDetailView(LoginRequiredMixin, View):
    def get(self, request, breach_id):
        breach = breach_get_for(user=request.user, breach_id=breach_id)
        event_record(
            user=request.user,
            action=Action.VIEW,
            object_type="breach",
            object_id=breach.pk,
            school_id=breach.school_id,
            data_kind=DataKind.AUDIT,
        )
        return _detail(request, breach)


class BreachActionView(LoginRequiredMixin, View):
    """POST one step: decide, follow-up, close, pupils from a disclosure or an account. The
    decision and the follow-up edit the breach's record: sent back unchanged, they write no
    step on its timeline."""

    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def post(self, request, breach_id, action):
        breach = breach_get_for(user=request.user, breach_id=breach_id)
        form = None
        edit = {
            "decide": (DecisionForm, _decision_initial),
            "follow-up": (FollowUpForm, _follow_up_initial),
        }
        if action in edit:
            form_class, initial = edit[action]
            form = form_class(request.POST, initial=initial(breach))
            # The first decision is no edit: an empty form gets its errors below.
            recorded = action != "decide" or breach.decided_at is not None
            if recorded and not form.has_changed():
                nothing_changed(request)
                return redirect("breach-detail", breach.pk)
        try:
            if action == "decide":
                if form.is_valid():
                    services.breach_decide(
                        user=request.user,
                        breach=breach,
                        risk=form.cleaned_data["risk"],
                        notify_authority=form.cleaned_data["notify_authority"],
                        reason=form.cleaned_data["reason"],
                    )
            elif action == "follow-up":
                if form.is_valid():
                    services.breach_update(user=request.user, breach=breach, **form.cleaned_data)
            elif action == "close":
                services.breach_close(user=request.user, breach=breach)
            elif action == "pupils-disclosure":
                form = DisclosurePupilsForm(request.POST)
                if form.is_valid():
                    disclosure = disclosure_for_breach(
                        user=request.user,
                        breach=breach,
                        disclosure_id=form.cleaned_data["disclosure"],
                    )
                    added = services.breach_pupils_add(
                        user=request.user,
                        breach=breach,
                        student_ids=pupils_of_disclosure(disclosure),
                        source=PupilSource.DISCLOSURE,
                        note=f"disclosure {disclosure.pk}",
                    )
                    messages.success(request, _("%(n)s pupil(s) added.") % {"n": added})
            elif action == "pupils-account":
                form = AccountPupilsForm(request.POST)
                if form.is_valid():
                    # One answer for every address: whether it has an account is never told,
                    # also not to staff. An unknown address adds no pupils.
                    email = form.cleaned_data["account"].strip().lower()
                    added = services.breach_pupils_add(
                        user=request.user,
                        breach=breach,
                        student_ids=pupils_viewed_by_email(
                            breach=breach,
                            email=email,
                            since=form.cleaned_data["since"],
                            until=form.cleaned_data["until"],
                        ),
                        source=PupilSource.ACCOUNT_VIEWS,
                        note=f"account {email}",
                    )
                    messages.success(request, _("%(n)s pupil(s) added.") % {"n": added})
            else:
                return HttpResponse(status=404)
        except StudentError as exc:
            if form is not None:
                form.add_error(None, exc.message)
            else:
                messages.error(request, exc.message)
                return redirect("breach-detail", breach.pk)
        if form is not None and form.errors:
            key = {
                "decide": "decision",
                "follow-up": "follow_up",
                "pupils-disclosure": "disclosure",
                "pupils-account": "account",
            }[action]
            return _detail(request, breach, forms_in={key: form}, status=400)
        return redirect("breach-detail", breach.pk)


class BreachNoticesView(LoginRequiredMixin, View):
    """Draft letters to the guardians, per pupil, in Dutch and English."""

    def get(self, request, breach_id):
        breach = breach_get_for(user=request.user, breach_id=breach_id)
        pupils = list(pupils_of(breach).order_by("surname", "id")[:500])
        show_names = request.user.has_function(Function.VIEW_PUPILS)
        event_record(
            user=request.user,
            action=Action.VIEW,
            object_type="breach_notices",
            object_id=breach.pk,
            school_id=breach.school_id,
            data_kind=DataKind.BASICS,
        )
        return render(
            request,
            "registers/notices.html",
            {
                "breach": breach,
                "show_names": show_names,
                "drafts": [
                    (p, services.notice_drafts(breach, p, with_name=show_names)) for p in pupils
                ],
            },
        )


class ProcessingRegisterView(LoginRequiredMixin, View):
    def get(self, request):
        data = processing_register(schools=register_schools_for(request.user))
        fmt = request.GET.get("format")
        if fmt == "json":
            return JsonResponse(data)
        if fmt == "pdf":
            from .document import register_pdf

            response = HttpResponse(register_pdf(data), content_type="application/pdf")
            response["Content-Disposition"] = 'attachment; filename="verwerkingsregister.pdf"'
            return response
        return render(
            request,
            "registers/processing.html",
            {
                "data": data,
                "can_edit": request.user.has_function(Function.VIEW_PRIVACY_OVERVIEW),
                "form": MeasuresForm(initial={"text": data["security_measures"]}),
            },
        )


class SecurityMeasuresView(LoginRequiredMixin, View):
    """The privacy officer keeps the security measures text current (the form is on the
    processing register's page)."""

    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def post(self, request):
        function_require(
            user=request.user, function=Function.VIEW_PRIVACY_OVERVIEW, object_type="measures"
        )
        board_ids = board_ids_for_breaches(request.user)
        form = MeasuresForm(request.POST)
        if form.is_valid() and board_ids:
            text = form.cleaned_data["text"]
            kept = dict(
                SecurityMeasures.objects.filter(board_id__in=board_ids).values_list(
                    "board_id", "text"
                )
            )
            changed = [board_id for board_id in board_ids if kept.get(board_id) != text]
            if not changed:
                nothing_changed(request)
                return redirect("processing-register")
            for board_id in changed:
                SecurityMeasures.objects.update_or_create(
                    board_id=board_id,
                    defaults={
                        "text": text,
                        "updated_by": request.user,
                        "updated_at": timezone.now(),
                    },
                )
            messages.success(request, _("The security measures were saved."))
        else:
            messages.error(request, _("Describe the security measures."))
        return redirect("processing-register")


class PrivacyOverviewView(LoginRequiredMixin, View):
    def get(self, request):
        from .overview import overview_for

        return render(request, "registers/overview.html", overview_for(request.user))
