"""The director's retention page (preview, rules within their floor and ceiling, holds, runs,
the changes of the rules) and the privacy officer's read-only view of it; the board's log
policy, which only the privacy officer sets; a run's report with its tombstone lines."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.constants import Function
from kernel.editing import nothing_changed
from kernel.prg import refused_form, refused_redirect
from students.exceptions import StudentError

from . import services
from .constants import Category, RuleAction
from .forms import HoldForm, LogPolicyForm, RuleForm, RunForm
from .selectors import (
    hold_for_lift,
    holds_of,
    log_policy_board_for,
    log_policy_boards_of,
    log_policy_changes_of,
    log_policy_of,
    retention_school_for,
    retention_schools_for,
    rule_changes_of,
    rule_for_manage,
    run_get_for,
    runs_for,
    school_for_manage,
    student_for_hold,
    tombstones_of_run,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _rule_in_words(values: dict) -> str:
    """A rule's values as a change shows them: "24 months, anonymise, in the nightly job"."""
    # Looked up with what the change holds, which may lack the action.
    actions: dict[str | None, StrOrPromise] = dict(RuleAction.choices)
    nightly = _("in the nightly job") if values.get("enabled") else _("not in the nightly job")
    return _("%(months)s months, %(action)s, %(nightly)s") % {
        "months": values.get("period_months"),
        "action": str(actions.get(values.get("action"), values.get("action"))).lower(),
        "nightly": nightly,
    }


def _add_error(form, exc: StudentError) -> None:
    """A refused value next to its field when the form shows that field, else on top."""
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, exc.message)


def _page(request, *, school_id=None, rule_forms=None, status=200):
    user = request.user
    school = retention_school_for(user=user, school_id=school_id or request.GET.get("school"))
    manage = user.has_function(Function.MANAGE_RETENTION)
    # Reads only. A school whose rules are not all saved (one set up before retention existed,
    # or provisioned without them) shows the defaults; its director sets them up with a POST
    # (RulesSetUpView) before they can be edited.
    data = services.preview(school=school)
    set_up_needed = any(item.rule.pk is None for item in data.rules)
    forms_by_rule = rule_forms or {}
    rows = [
        {
            "item": item,
            "form": forms_by_rule.get(item.rule.pk) or RuleForm(rule=item.rule),
        }
        for item in data.rules
    ]
    enabled = [item.rule.category for item in data.rules if item.rule.enabled]
    labels = dict(Category.choices)
    changes = [
        {
            "change": change,
            "label": labels.get(change.rule.category, change.rule.category),
            "before": _rule_in_words(change.before),
            "after": _rule_in_words(change.after),
        }
        for change in rule_changes_of(school=school)[:20]
    ]
    return render(
        request,
        "retention/index.html",
        {
            "school": school,
            "schools": retention_schools_for(user),
            "preview": data,
            "rows": rows,
            "manage": manage,
            "set_up_needed": set_up_needed,
            "run_form": refused_form(
                request, RunForm, _run_key(school), initial={"categories": enabled}
            ),
            "holds": holds_of(school=school)[:100],
            "runs": runs_for(school=school)[:20],
            "changes": changes,
            "sets_log_policy": any(b.pk == school.board_id for b in log_policy_boards_of(user)),
        },
        status=status,
    )


class RetentionView(LoginRequiredMixin, View):
    def get(self, request):
        return _page(request)


class RuleEditView(LoginRequiredMixin, View):
    """The form of one rule, shown on the retention page."""

    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def post(self, request, rule_id):
        rule = rule_for_manage(user=request.user, rule_id=rule_id)
        form = RuleForm(request.POST, rule=rule)
        if not form.has_changed():
            nothing_changed(request)
            return redirect(f"{reverse('retention')}?school={rule.school_id}")
        if form.is_valid():
            try:
                services.rule_update(user=request.user, rule=rule, **form.cleaned_data)
            except StudentError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("The rule was saved; the change is recorded."))
                return redirect(f"{reverse('retention')}?school={rule.school_id}")
        return _page(request, school_id=rule.school_id, rule_forms={rule.pk: form}, status=400)


class RulesSetUpView(LoginRequiredMixin, View):
    """Save the school's default rules (not enabled), so that the director can edit them."""

    def post(self, request, school_id):
        school = school_for_manage(user=request.user, school_id=school_id)
        if services.rules_set_up(user=request.user, school=school):
            messages.success(
                request,
                _(
                    "The retention rules are set up with the standard periods, not yet in the "
                    "nightly job. You can now change each rule."
                ),
            )
        else:
            messages.info(request, _("The retention rules were already set up."))
        return redirect(f"{reverse('retention')}?school={school.pk}")


def _run_key(school) -> str:
    """Where a refused run is kept for the retention page (kernel.prg)."""
    return f"retention-run:{school.pk}"


class RunStartView(LoginRequiredMixin, View):
    """Run chosen rules now, as a background job (the report appears under the runs)."""

    starts_work = True  # kernel.prg: a refused run redirects too

    def post(self, request, school_id):
        from .tasks import retention_run_task

        school = school_for_manage(user=request.user, school_id=school_id)
        form = RunForm(request.POST)
        if not form.is_valid():
            url = f"{reverse('retention')}?school={school.pk}"
            return refused_redirect(request, url, key=_run_key(school), form=form)
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
                "applications": run.counts.get(category, {}).get("applications"),
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


class LogPolicyView(LoginRequiredMixin, View):
    """The board's log policy: how long the access events of every school of the board are
    kept. Only the board's privacy officer sees and sets it (a director 403, another board
    404); every change is kept with the period before and after."""

    template_name = "retention/log_policy.html"
    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def get(self, request, board_id):
        board = log_policy_board_for(user=request.user, board_id=board_id)
        months = services.access_event_months(board_ids=[board.pk])[board.pk]
        form = LogPolicyForm(initial={"access_event_months": months})
        return self._render(request, board, form, months)

    def post(self, request, board_id):
        board = log_policy_board_for(user=request.user, board_id=board_id)
        months = services.access_event_months(board_ids=[board.pk])[board.pk]
        form = LogPolicyForm(request.POST, initial={"access_event_months": months})
        if not form.has_changed():
            nothing_changed(request)
            return redirect(reverse("retention-log-policy", args=[board.pk]))
        if form.is_valid():
            try:
                services.log_policy_set(
                    user=request.user, board=board, months=form.cleaned_data["access_event_months"]
                )
            except StudentError as exc:
                _add_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The board's period for access events was saved; the change is recorded."),
                )
                return redirect(reverse("retention-log-policy", args=[board.pk]))
        months = services.access_event_months(board_ids=[board.pk])[board.pk]
        return self._render(request, board, form, months, status=400)

    def _render(self, request, board, form, months, status=200):
        return render(
            request,
            self.template_name,
            {
                "board": board,
                "form": form,
                "months": months,
                "policy": log_policy_of(board=board),
                "schools": board.schools.order_by("name"),
                "changes": log_policy_changes_of(board=board)[:50],
            },
            status=status,
        )
