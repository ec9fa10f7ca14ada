from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from audit.constants import Action, DataKind, Outcome
from audit.services import event_record
from kernel.prg import refused_redirect
from kernel.throttling import RateLimitedError

from . import login_limits
from .forms import EmailLoginForm, InvitationAcceptForm, SubstituteForm
from .selectors import (
    assignments_of,
    guardian_for_invite,
    invitation_for_manage,
    staff_member_for,
    staff_of,
    staff_schools_for,
    teacher_proposal_for,
    teacher_proposals_of,
    teachers_of,
)
from .services import (
    InvitationError,
    StaffError,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
    session_login,
    session_logout,
    staff_deactivate,
    teacher_proposal_confirm,
    teacher_proposal_dismiss,
)


@method_decorator([sensitive_post_parameters("password"), never_cache], name="dispatch")
class LoginView(View):
    template_name = "accounts/login.html"

    def _next(self, request) -> str:
        target = request.POST.get("next") or request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return "/"

    def get(self, request):
        if request.user.is_authenticated:
            return redirect("home")
        return render(
            request, self.template_name, {"form": EmailLoginForm(), "next": self._next(request)}
        )

    def post(self, request):
        form = EmailLoginForm(request.POST)
        if form.is_valid():
            try:
                login_limits.page_attempt(request, form.cleaned_data["email"])
            except RateLimitedError as limited:
                return self._limited(request, form.cleaned_data["email"], limited.wait)
            user = session_login(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
            if user is not None:
                return redirect(self._next(request))
            # The same answer for an unknown email and a wrong password: no account probing.
            form.add_error(None, _("The email address or password is not correct."))
        return render(request, self.template_name, {"form": form, "next": self._next(request)})

    def _limited(self, request, email: str, wait: int):
        """429, calmly, like the lockout page; the typed email stays, the password is not
        checked at all."""
        response = render(
            request,
            self.template_name,
            {
                "form": EmailLoginForm(initial={"email": email}),
                "locked_out": login_limits.message(wait),
                "next": self._next(request),
            },
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response


class LogoutView(View):
    def post(self, request):
        session_logout(request=request)
        return redirect("accounts:login")


logout_view = login_required(LogoutView.as_view())


@method_decorator(
    [sensitive_post_parameters("password1", "password2"), never_cache], name="dispatch"
)
class InvitationAcceptView(View):
    """A guardian's invitation link: choose a password, get an account, be logged in. The
    link works once and until it expires; a used, replaced or expired link says so."""

    template_name = "accounts/invitation.html"

    def get(self, request, token):
        invitation = invitation_for_token(token)
        form = (
            InvitationAcceptForm(email=invitation.email, full_name=invitation.guardian.display_name)
            if invitation
            else None
        )
        status = 200 if invitation else 404
        if invitation is None:
            # A used, replaced or guessed link: on the record, so guessing would show.
            event_record(
                user=request.user,
                action=Action.VIEW,
                outcome=Outcome.DENIED,
                object_type="invitation",
                data_kind=DataKind.ACCOUNT,
            )
        return render(
            request, self.template_name, {"invitation": invitation, "form": form}, status=status
        )

    def post(self, request, token):
        invitation = invitation_for_token(token)
        if invitation is None:
            return render(request, self.template_name, {"invitation": None}, status=404)
        form = InvitationAcceptForm(
            request.POST, email=invitation.email, full_name=invitation.guardian.display_name
        )
        if form.is_valid():
            try:
                user = invitation_accept(token=token, password=form.cleaned_data["password1"])
            except InvitationError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:  # the service's own check of the password rules
                form.add_error("password1", exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("home")
        return render(
            request, self.template_name, {"invitation": invitation, "form": form}, status=400
        )


def _staff_context(request, form=None):
    from students.models import Group, school_year_of

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
    }


class StaffListView(LoginRequiredMixin, View):
    """The director's staff page: accounts with their roles, deactivation, and teachers of
    groups with their periods (substitutes)."""

    def get(self, request):
        return render(request, "accounts/staff.html", _staff_context(request))


class StaffDeactivateView(LoginRequiredMixin, View):
    def post(self, request, staff_id):
        member, school = staff_member_for(user=request.user, staff_id=staff_id)
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
        from students.exceptions import StudentError
        from students.services import teacher_assign_to_group

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
        return render(request, "accounts/staff.html", context, status=400)


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


def _back(request, fallback="home"):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


class InvitationCreateView(LoginRequiredMixin, View):
    """Administration invites a guardian (or sends a new link: the old one stops working)."""

    starts_work = True  # sends the invitation (kernel.prg)

    def post(self, request, guardian_id):
        guardian = guardian_for_invite(user=request.user, guardian_id=guardian_id)
        try:
            invitation_create(
                user=request.user,
                guardian=guardian,
                request_base=f"{request.scheme}://{request.get_host()}",
            )
        except InvitationError as exc:
            return refused_redirect(request, _back(request).url, errors=[exc.message])
        messages.success(
            request,
            _("An invitation was sent to %(email)s; the link works once, for 7 days.")
            % {"email": guardian.email},
        )
        return _back(request)


class InvitationRevokeView(LoginRequiredMixin, View):
    def post(self, request, invitation_id):
        invitation = invitation_for_manage(user=request.user, invitation_id=invitation_id)
        try:
            invitation_revoke(user=request.user, invitation=invitation)
        except InvitationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The invitation was revoked; its link no longer works."))
        return _back(request)
