"""The director's page for the next school year: the preview, the plan (kept back, leavers'
destinations, teachers per group), and apply now or schedule for 1 August."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from kernel.editing import nothing_changed
from kernel.prg import refused_errors, refused_redirect

from ..constants import WithdrawalDestination
from ..exceptions import StudentError
from ..models import RolloverPlan
from ..selectors.staff import teachers_of
from .selectors import rollover_school_for, rollover_schools_for
from .services import (
    plan_save,
    plan_unchanged,
    rollover_apply,
    rollover_preview,
    rollover_schedule,
)


def _page(request, school, *, errors=None, status=200):
    preview = None
    try:
        preview = rollover_preview(school=school)
    except StudentError as exc:
        # A refused apply or schedule may give the reason the preview gives: say it once.
        errors = [*(e for e in errors or [] if e != exc.message), exc.message]
    teachers = list(teachers_of(rollover_schools_for(request.user).filter(pk=school.pk)))
    return render(
        request,
        "students/rollover.html",
        {
            "school": school,
            "schools": rollover_schools_for(request.user),
            "preview": preview,
            "teachers": teachers,
            "destinations": WithdrawalDestination.choices,
            "errors": errors or [],
            "applied": preview is not None and preview.applied,
            "scheduled": preview is not None
            and preview.plan is not None
            and preview.plan.status == RolloverPlan.Status.SCHEDULED,
        },
        status=status,
    )


class RolloverView(LoginRequiredMixin, View):
    def get(self, request):
        school = rollover_school_for(user=request.user, school_id=request.GET.get("school"))
        return _page(request, school, errors=refused_errors(request, _refused_key(school)))


def _back(school):
    return redirect(f"{reverse('rollover')}?school={school.pk}")


def _refused_key(school) -> str:
    """Where a refused apply or schedule is kept for the rollover page (kernel.prg)."""
    return f"rollover:{school.pk}"


def _refused(request, school, error):
    """Back to the rollover page, which shows why once: a refresh sends nothing again."""
    url = f"{reverse('rollover')}?school={school.pk}"
    return refused_redirect(request, url, key=_refused_key(school), errors=[error])


class RolloverPlanView(LoginRequiredMixin, View):
    """Save who stays back, where the leavers go and which teachers take which group (the
    form is on the rollover page)."""

    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def post(self, request, school_id):
        school = rollover_school_for(user=request.user, school_id=school_id)
        try:
            preview = rollover_preview(school=school)
        except StudentError as exc:
            return _page(request, school, errors=[exc.message], status=400)
        pupil_ids = {m.student.pk for m in preview.moves}
        kept = [int(v) for v in request.POST.getlist("keep_back") if v.isdigit()]
        destinations = {
            m.student.pk: request.POST.get(f"destination_{m.student.pk}", m.destination)
            for m in preview.moves
            if m.action == "leave" or m.year_from >= 8
        }
        teacher_ids = {t.pk for t in teachers_of(rollover_schools_for(request.user))}
        teachers = {}
        for index, group in enumerate(preview.groups):
            chosen = [int(v) for v in request.POST.getlist(f"teachers_{index}") if v.isdigit()]
            teachers[group.name] = [t for t in chosen if t in teacher_ids]
        errors = []
        if set(kept) - pupil_ids:
            errors.append(_("Choose pupils of this school only."))
        if any(v not in WithdrawalDestination.values for v in destinations.values()):
            errors.append(_("Choose where each leaver goes."))
        if errors:
            return _page(request, school, errors=errors, status=400)
        choices = {"kept_back": kept, "destinations": destinations, "teachers": teachers}
        if plan_unchanged(school=school, **choices):
            nothing_changed(request)
            return _back(school)
        try:
            plan_save(user=request.user, school=school, **choices)
        except StudentError as exc:
            return _page(request, school, errors=[exc.message], status=400)
        messages.success(request, _("The plan was saved; the preview shows it."))
        return _back(school)


class RolloverApplyView(LoginRequiredMixin, View):
    starts_work = True  # the new school year (kernel.prg)

    def post(self, request, school_id):
        school = rollover_school_for(user=request.user, school_id=school_id)
        try:
            _plan, done = rollover_apply(user=request.user, school=school)
        except StudentError as exc:
            return _refused(request, school, exc.message)
        if done:
            messages.success(request, _("The new school year was applied."))
        else:
            messages.info(request, _("This school year had already been applied: nothing changed."))
        return _back(school)


class RolloverScheduleView(LoginRequiredMixin, View):
    starts_work = True  # the new school year on 1 August (kernel.prg)

    def post(self, request, school_id):
        school = rollover_school_for(user=request.user, school_id=school_id)
        try:
            rollover_schedule(user=request.user, school=school)
        except StudentError as exc:
            return _refused(request, school, exc.message)
        messages.success(request, _("Scheduled: the new school year is applied on 1 August."))
        return _back(school)
