"""The director's staff page (/accounts/staff/): the school's accounts with their roles and
deactivation, the teachers of its groups with their periods (substitutes), and the groups an
import proposes for its teachers."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from kernel.prg import refused_form, refused_redirect

from ..exceptions import StudentError
from ..forms import DeactivateConfirmForm, SubstituteForm
from ..models import Group, school_year_of
from ..selectors.staff import (
    assignments_of,
    staff_member_for,
    staff_of,
    staff_schools_for,
    teacher_proposal_for,
    teacher_proposals_of,
    teachers_of,
)
from ..services import teacher_assign_to_group
from ..services.invitations import InvitationError
from ..services.staff import (
    StaffError,
    staff_deactivate,
    teacher_proposal_confirm,
    teacher_proposal_dismiss,
)
from .staff_invitations import staff_invitation_context


def _staff_context(request, form=None):
    schools = staff_schools_for(request.user)
    year = school_year_of(timezone.localdate())
    groups = (
        Group.objects.filter(school__in=schools, school_year__gte=year)
        .select_related("school")
        .order_by("school__name", "school_year", "name")
    )
    teachers = list(teachers_of(schools))
    return {
        "staff": staff_of(schools),
        "assignments": assignments_of(schools),
        "proposals": teacher_proposals_of(schools),
        "form": form or SubstituteForm(teachers=teachers, groups=groups),
        "teachers": teachers,
        "groups": groups,
        "today": timezone.localdate(),
        # Inviting colleagues (students/views/staff_invitations.py).
        **staff_invitation_context(request, schools),
    }


class StaffListView(LoginRequiredMixin, View):
    """The director's staff page: accounts with their roles, deactivation, and teachers of
    groups with their periods (substitutes)."""

    def get(self, request):
        return render(request, "students/staff.html", _staff_context(request))


def _deactivate_key(member) -> str:
    return f"staff-deactivate:{member.pk}"


class StaffDeactivateConfirmView(LoginRequiredMixin, View):
    """The director about to end a staff account: what happens at once, confirmed."""

    def get(self, request, staff_id):
        member, school = staff_member_for(user=request.user, staff_id=staff_id)
        form = refused_form(request, DeactivateConfirmForm, _deactivate_key(member))
        return render(
            request,
            "students/staff_deactivate_confirm.html",
            {"member": member, "school": school, "form": form},
        )


class StaffDeactivateView(LoginRequiredMixin, View):
    def post(self, request, staff_id):
        member, school = staff_member_for(user=request.user, staff_id=staff_id)
        form = DeactivateConfirmForm(request.POST)
        if not form.is_valid():
            return refused_redirect(
                request,
                reverse("accounts:staff-deactivate-confirm", args=[member.pk]),
                key=_deactivate_key(member),
                form=form,
            )
        try:
            staff_deactivate(user=request.user, staff=member, school=school)
        except InvitationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(email)s can no longer log in; sessions and API tokens have ended.")
                % {"email": member.email},
            )
        return redirect("accounts:staff")


class SubstituteCreateView(LoginRequiredMixin, View):
    def post(self, request):
        context = _staff_context(request)
        form = SubstituteForm(request.POST, teachers=context["teachers"], groups=context["groups"])
        if form.is_valid():
            data = form.cleaned_data
            teacher = next(t for t in context["teachers"] if t.pk == data["teacher"])
            group = context["groups"].get(pk=data["group"])
            try:
                teacher_assign_to_group(
                    teacher=teacher,
                    group=group,
                    actor=request.user,
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    substitute=data["ends_on"] is not None,
                )
            except StudentError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The teacher was given the group."))
                return redirect("accounts:staff")
        context["form"] = form
        return render(request, "students/staff.html", context, status=400)


class TeacherProposalConfirmView(LoginRequiredMixin, View):
    """The director gives a teacher the group an import proposed for them."""

    def post(self, request, proposal_id):
        proposal = teacher_proposal_for(user=request.user, proposal_id=proposal_id)
        try:
            teacher_proposal_confirm(user=request.user, proposal=proposal)
        except StaffError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(teacher)s is now a teacher of %(group)s.")
                % {
                    "teacher": proposal.teacher.full_name or proposal.teacher.email,
                    "group": proposal.group.name,
                },
            )
        return redirect("accounts:staff")


class TeacherProposalDismissView(LoginRequiredMixin, View):
    """The director dismisses a proposed group: nothing is assigned."""

    def post(self, request, proposal_id):
        proposal = teacher_proposal_for(user=request.user, proposal_id=proposal_id)
        try:
            teacher_proposal_dismiss(user=request.user, proposal=proposal)
        except StaffError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The proposal was dismissed; nothing was assigned."))
        return redirect("accounts:staff")
