"""The director's retention page (preview, rules, holds, runs) and the privacy officer's
read-only view of it; a run's report with its tombstone lines."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.constants import Function
from students.exceptions import StudentError

from . import services
from .constants import Category
from .forms import HoldForm, RuleForm, RunForm
from .selectors import (
    hold_for_lift,
    holds_of,
    retention_school_for,
    retention_schools_for,
    rule_for_manage,
    run_get_for,
    runs_for,
    school_for_manage,
    student_for_hold,
    tombstones_of_run,
)


def _page(request, *, school_id=None, rule_forms=None, run_form=None, status=200):
    user = request.user
    school = retention_school_for(user=user, school_id=school_id or request.GET.get("school"))
    manage = user.has_function(Function.MANAGE_RETENTION)
    if manage and any(rule.pk is None for rule in services.rules_for(school=school)):
        # A school set up before retention existed: its director gets the default rules
        # (not enabled) so that they can be edited.
        services.rules_seed(school=school)
    data = services.preview(school=school)
    forms_by_rule = rule_forms or {}
    rows = [
        {
            "item": item,
            "form": forms_by_rule.get(item.rule.pk) or RuleForm(rule=item.rule),
        }
        for item in data.rules
    ]
    enabled = [item.rule.category for item in data.rules if item.rule.enabled]
    return render(
        request,
        "retention/index.html",
        {
            "school": school,
            "schools": retention_schools_for(user),
            "preview": data,
            "rows": rows,
            "manage": manage,
            "run_form": run_form or RunForm(initial={"categories": enabled}),
            "holds": holds_of(school=school)[:100],
            "runs": runs_for(school=school)[:20],
        },
        status=status,
    )


class RetentionView(LoginRequiredMixin, View):
    def get(self, request):
        return _page(request)


class RuleEditView(LoginRequiredMixin, View):
    def post(self, request, rule_id):
        rule = rule_for_manage(user=request.user, rule_id=rule_id)
        form = RuleForm(request.POST, rule=rule)
        if form.is_valid():
            try:
                services.rule_update(user=request.user, rule=rule, **form.cleaned_data)
            except StudentError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The rule was saved; the change is recorded."))
                return redirect(f"{reverse('retention')}?school={rule.school_id}")
        return _page(request, school_id=rule.school_id, rule_forms={rule.pk: form}, status=400)


class RunStartView(LoginRequiredMixin, View):
    """Run chosen rules now, as a background job (the report appears under the runs)."""

    def post(self, request, school_id):
        from .tasks import retention_run_task

        school = school_for_manage(user=request.user, school_id=school_id)
        form = RunForm(request.POST)
        if not form.is_valid():
            return _page(request, school_id=school.pk, run_form=form, status=400)
        transaction.on_commit(
            partial(
                retention_run_task.delay,
                school.pk,
                request.user.pk,
                form.cleaned_data["categories"],
            )
        )
        messages.success(request, _("The run has started; its report appears below."))
        return redirect(f"{reverse('retention')}?school={school.pk}")


class RunDetailView(LoginRequiredMixin, View):
    def get(self, request, run_id):
        run = run_get_for(user=request.user, run_id=run_id)
        labels = dict(Category.choices)
        rows = [
            {
                "label": labels.get(category, category),
                "pupils": run.counts.get(category, {}).get("pupils"),
                "events": run.counts.get(category, {}).get("events"),
            }
            for category in run.categories
        ]
        return render(
            request,
            "retention/run.html",
            {
                "run": run,
                "rows": rows,
                "records": tombstones_of_run(run).select_related("rule")[:2000],
            },
        )


class HoldCreateView(LoginRequiredMixin, View):
    template_name = "retention/hold_form.html"

    def get(self, request, student_id):
        student = student_for_hold(user=request.user, student_id=student_id)
        return render(request, self.template_name, {"student": student, "form": HoldForm()})

    def post(self, request, student_id):
        student = student_for_hold(user=request.user, student_id=student_id)
        form = HoldForm(request.POST)
        if form.is_valid():
            try:
                services.hold_place(user=request.user, student=student, **form.cleaned_data)
            except StudentError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The legal hold is in force."))
                return redirect(f"{reverse('retention')}?school={student.school_id}")
        return render(request, self.template_name, {"student": student, "form": form}, status=400)


class HoldLiftView(LoginRequiredMixin, View):
    def post(self, request, hold_id):
        hold = hold_for_lift(user=request.user, hold_id=hold_id)
        try:
            services.hold_lift(user=request.user, hold=hold)
        except StudentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The legal hold was lifted."))
        return redirect(f"{reverse('retention')}?school={hold.student.school_id}")
