"""Admissions pages: leaving (uitschrijving).

The administration or the director records a pupil's leaving in two steps: the form, then a
confirmation that says what will happen; the leaving itself is one service
(``admissions.services.leaving.pupil_leave``). After it: the leaving's page with the notice to
the attendance officer and the proof of withdrawal, which the parents with parental authority
download from their former child's page too.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.constants import Function
from kernel.editing import nothing_changed
from kernel.prg import refused_form, refused_redirect
from kernel.widgets import IsoDateInput
from students.models import Student
from students.selectors import not_found

from ..constants import FUNDING_REGISTRATION_PERIOD, LeavingReason
from ..models import Departure
from ..selectors.leaving import former_child_for_proof
from ..services.leaving import (
    DESTINATION_NAME_MAX,
    TO_ANOTHER_SCHOOL,
    LeavingError,
    attendance_notice_mark_sent,
    departure_destination_set,
    leaving_check,
    leaving_open_for,
    leaving_proof_download,
    pupil_leave,
)


class LeavingForm(forms.Form):
    left_on = forms.DateField(
        label=gettext_lazy("Leaving date"),
        widget=IsoDateInput(),
        help_text=gettext_lazy("The pupil's last day at the school (today or earlier)."),
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        choices=[("", "—"), *LeavingReason.choices],
        help_text=gettext_lazy("Registered with DUO, and it decides who must be told."),
    )
    destination_name = forms.CharField(
        label=gettext_lazy("New school"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Name and place of the school the pupil goes to, when known."),
    )
    destination_brin = forms.CharField(
        label=gettext_lazy("BRIN number of the new school"),
        max_length=10,
        required=False,
        help_text=gettext_lazy(
            "Two digits and two letters (e.g. 12AB); required for a pupil of "
            "compulsory-education age who goes to another school."
        ),
    )
    enrolment_confirmed_on = forms.DateField(
        label=gettext_lazy("New school confirmed the enrolment on"),
        widget=IsoDateInput(),
        required=False,
        help_text=gettext_lazy(
            "A pupil of compulsory-education age leaves for another school only once that "
            "school has confirmed the enrolment."
        ),
    )

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "left_on": data["left_on"],
            "reason": data["reason"],
            "destination_brin": data.get("destination_brin", ""),
            "destination_name": data.get("destination_name", ""),
            "enrolment_confirmed_on": data.get("enrolment_confirmed_on"),
        }


class DestinationForm(forms.Form):
    """The new school of a leaving that names none yet (the rollover's or an import's)."""

    destination_name = forms.CharField(
        label=gettext_lazy("New school"),
        max_length=DESTINATION_NAME_MAX,
        error_messages={"required": gettext_lazy("Give the name of the new school.")},
        help_text=gettext_lazy("Name and place of the school where the pupil is enrolled now."),
    )
    destination_brin = forms.CharField(
        label=gettext_lazy("BRIN number of the new school"),
        max_length=10,
        required=False,
        help_text=gettext_lazy("Two digits and two letters (e.g. 12AB), when known."),
    )


def _destination_initial(departure: Departure) -> dict:
    return {
        "destination_name": departure.destination_name,
        "destination_brin": departure.destination_brin,
    }


def _destination_key(student: Student) -> str:
    return f"leaving-destination:{student.pk}"


def _errors_to_form(form: forms.Form, error: LeavingError) -> None:
    for field, reasons in error.field_errors.items():
        for reason in reasons:
            form.add_error(field if field in form.fields else None, str(reason))
    if not error.field_errors:
        form.add_error(None, str(error.message))


def _key(student: Student) -> str:
    return f"leaving:{student.pk}"


def _form_page(request, student, form, status=200):
    return render(
        request, "admissions/leaving/form.html", {"student": student, "form": form}, status=status
    )


def _none_here(request, student: Student) -> Http404:
    """404 for a page of a leaving that does not exist (yet); the attempt is an event."""
    return not_found(
        user=request.user,
        object_type="departure",
        raw_id=student.pk,
        student_id=student.pk,
        school_id=student.school_id,
    )


def _already_left(student: Student):
    """A pupil who left is not left again: their leaving's page instead."""
    return redirect("leaving-detail", student.pk)


class LeavingRecordView(LoginRequiredMixin, View):
    """Step 1: the form; its POST checks what was typed (nothing is written) and shows the
    confirmation, or the form again with each refusal at its field."""

    def get(self, request, student_id):
        student, _departure = leaving_open_for(user=request.user, student_id=student_id)
        if student.withdrawn_on is not None:
            return _already_left(student)
        form = refused_form(request, LeavingForm, _key(student))
        return _form_page(request, student, form)

    def post(self, request, student_id):
        student, _departure = leaving_open_for(user=request.user, student_id=student_id)
        if student.withdrawn_on is not None:
            return _already_left(student)
        form = LeavingForm(request.POST)
        if request.POST.get("action") == "edit":  # back from the confirmation: as typed
            form = LeavingForm(initial=request.POST.dict())
            return _form_page(request, student, form)
        if not form.is_valid():
            return _form_page(request, student, form, status=400)
        try:
            values = leaving_check(student=student, **form.service_values())
        except LeavingError as exc:
            _errors_to_form(form, exc)
            return _form_page(request, student, form, status=400)
        return render(
            request,
            "admissions/leaving/confirm.html",
            {
                "student": student,
                "form": form,
                "values": values,
                "reason_label": LeavingReason(values["reason"]).label,
                "to_another_school": values["reason"] in TO_ANOTHER_SCHOOL,
                "registration_days": FUNDING_REGISTRATION_PERIOD.days,
            },
        )


class LeavingConfirmView(LoginRequiredMixin, View):
    """Step 2: the confirmed leaving. It starts work (the DUO registration, the notice to the
    attendance officer), so it answers with a redirect whatever the outcome (kernel.prg)."""

    starts_work = True

    def post(self, request, student_id):
        student, _departure = leaving_open_for(user=request.user, student_id=student_id)
        if student.withdrawn_on is not None:
            messages.info(request, _("This pupil has already left the school."))
            return _already_left(student)
        form = LeavingForm(request.POST)
        back = reverse("leaving-record", args=[student.pk])
        if not form.is_valid():
            return refused_redirect(request, back, key=_key(student), form=form)
        try:
            pupil_leave(actor=request.user, student=student, **form.service_values())
        except LeavingError as exc:
            _errors_to_form(form, exc)
            return refused_redirect(request, back, key=_key(student), form=form)
        messages.success(
            request,
            _("%(name)s has been withdrawn from the school.") % {"name": student.display_name},
        )
        return redirect("leaving-detail", student.pk)


class LeavingDetailView(LoginRequiredMixin, View):
    """What was recorded, the notice to the attendance officer (with its button to mark it
    sent) and the proof of withdrawal."""

    def get(self, request, student_id):
        student, departure = leaving_open_for(user=request.user, student_id=student_id)
        if student.withdrawn_on is None:
            raise _none_here(request, student)
        destination_form = (
            refused_form(
                request,
                DestinationForm,
                _destination_key(student),
                initial=_destination_initial(departure),
            )
            if departure is not None
            else None
        )
        return render(
            request,
            "admissions/leaving/detail.html",
            {
                "student": student,
                "departure": departure,
                "destination_form": destination_form,
                # The education report's page (admissions.views.okr) checks this again.
                "report_link": departure is not None
                and request.user.has_function(Function.HANDLE_APPLICATIONS),
            },
        )


class LeavingNoticeSentView(LoginRequiredMixin, View):
    """The administration sent the notice to the attendance officer (outside the portal)."""

    def post(self, request, student_id):
        student, departure = leaving_open_for(user=request.user, student_id=student_id)
        if departure is None or departure.attendance_notice_id is None:
            raise _none_here(request, student)
        if departure.attendance_notice_sent_at is None:
            attendance_notice_mark_sent(actor=request.user, departure=departure)
            messages.success(request, _("The notice is marked as sent."))
        return redirect("leaving-detail", student.pk)


class LeavingDestinationView(LoginRequiredMixin, View):
    """Names the new school of a leaving until its education report was sent; a refusal goes
    back to the leaving's page with the reason at the field and what was typed (kernel.prg)."""

    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def post(self, request, student_id):
        student, departure = leaving_open_for(user=request.user, student_id=student_id)
        if departure is None:
            raise _none_here(request, student)
        back = reverse("leaving-detail", args=[student.pk])
        form = DestinationForm(request.POST, initial=_destination_initial(departure))
        if not form.has_changed():
            nothing_changed(request)
            return redirect(back)
        if not form.is_valid():
            return refused_redirect(request, back, key=_destination_key(student), form=form)
        try:
            _departure, changed = departure_destination_set(
                actor=request.user,
                departure=departure,
                name=form.cleaned_data["destination_name"],
                brin=form.cleaned_data["destination_brin"],
            )
        except LeavingError as exc:
            _errors_to_form(form, exc)
            return refused_redirect(request, back, key=_destination_key(student), form=form)
        if changed:
            messages.success(request, _("The new school was saved."))
        else:
            nothing_changed(request)
        return redirect(back)


def _pdf(student: Student, body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    filename = f"bewijs-van-uitschrijving-{student.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class LeavingProofView(LoginRequiredMixin, View):
    """The school's copy of the proof of withdrawal."""

    def get(self, request, student_id):
        student, _departure = leaving_open_for(user=request.user, student_id=student_id)
        if student.withdrawn_on is None:
            raise _none_here(request, student)
        return _pdf(student, leaving_proof_download(user=request.user, student=student))


class LeavingProofParentView(LoginRequiredMixin, View):
    """A parent with parental authority downloads the proof for their former child."""

    def get(self, request, student_id):
        student = former_child_for_proof(user=request.user, student_id=student_id)
        return _pdf(student, leaving_proof_download(user=request.user, student=student))


urlpatterns = [
    path(
        "admissions/leaving/<str:student_id>/",
        LeavingRecordView.as_view(),
        name="leaving-record",
    ),
    path(
        "admissions/leaving/<str:student_id>/confirm/",
        LeavingConfirmView.as_view(),
        name="leaving-confirm",
    ),
    path(
        "admissions/leaving/<str:student_id>/done/",
        LeavingDetailView.as_view(),
        name="leaving-detail",
    ),
    path(
        "admissions/leaving/<str:student_id>/notice-sent/",
        LeavingNoticeSentView.as_view(),
        name="leaving-notice-sent",
    ),
    path(
        "admissions/leaving/<str:student_id>/destination/",
        LeavingDestinationView.as_view(),
        name="leaving-destination",
    ),
    path(
        "admissions/leaving/<str:student_id>/proof-of-withdrawal/",
        LeavingProofView.as_view(),
        name="leaving-proof",
    ),
    path(
        "admissions/children/<str:student_id>/proof-of-withdrawal/",
        LeavingProofParentView.as_view(),
        name="leaving-proof-parent",
    ),
]
