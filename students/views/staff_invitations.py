"""Staff invitations on the director's staff page (/accounts/staff/): invite a colleague, send
an invitation again, revoke it; and the colleague's link (/accounts/staff-invitation/<token>/)
that creates the account."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from audit.constants import Action, DataKind, Outcome
from audit.services import event_record
from kernel.prg import refused_form, refused_redirect

from ..forms_staff_invitations import StaffInvitationAcceptForm, StaffInviteForm
from ..models import Group, school_year_of
from ..selectors.staff import staff_schools_for
from ..selectors.staff_invitations import staff_invitation_for, staff_invitations_open_of
from ..services.staff_invitations import (
    StaffInvitationError,
    staff_invitation_accept,
    staff_invitation_create,
    staff_invitation_for_token,
    staff_invitation_link_problem,
    staff_invitation_resend,
    staff_invitation_revoke,
)

INVITE_KEY = "staff-invitation-create"


def _invitable_groups(schools):
    from django.utils import timezone

    year = school_year_of(timezone.localdate())
    return (
        Group.objects.filter(school__in=schools, school_year__in=(year, year + 1))
        .select_related("school")
        .order_by("school__name", "school_year", "year_group_low", "name")
    )


def _site(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _staff_page() -> str:
    return f"{reverse('accounts:staff')}#invite-heading"


def staff_invitation_context(request, schools) -> dict:
    """What the staff page shows of invitations: the form (a refused one with what was typed)
    and the invitations not accepted."""
    form_class = partial(StaffInviteForm, schools=list(schools), groups=_invitable_groups(schools))
    return {
        "invite_form": refused_form(request, form_class, INVITE_KEY),
        "staff_invitations": staff_invitations_open_of(schools),
    }


class StaffInvitationCreateView(LoginRequiredMixin, View):
    """The director invites a colleague: the link goes by e-mail (kernel.prg)."""

    starts_work = True  # sends the invitation

    def post(self, request):
        schools = staff_schools_for(request.user)
        groups = _invitable_groups(schools)
        form = StaffInviteForm(request.POST, schools=list(schools), groups=groups)
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation = staff_invitation_create(
                    user=request.user,
                    school=schools.get(pk=data["school"]),
                    email=data["email"],
                    full_name=data["full_name"],
                    roles=data["roles"],
                    groups=[g for g in groups if g.pk in set(data["groups"])],
                    site_url=_site(request),
                )
            except StaffInvitationError as exc:
                for field, reasons in exc.field_errors.items():
                    for reason in reasons:
                        form.add_error(field if field in form.fields else None, str(reason))
                if not exc.field_errors:
                    form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request,
                    _(
                        "An invitation was sent to %(email)s; the link works once, for 7 days. "
                        "It is below until it is accepted."
                    )
                    % {"email": invitation.email},
                )
                return redirect(_staff_page())
        return refused_redirect(request, _staff_page(), key=INVITE_KEY, form=form)


class StaffInvitationResendView(LoginRequiredMixin, View):
    """A new link with a new week; the old link stops working."""

    starts_work = True  # sends the invitation again

    def post(self, request, invitation_id):
        invitation = staff_invitation_for(user=request.user, invitation_id=invitation_id)
        try:
            invitation = staff_invitation_resend(
                user=request.user, invitation=invitation, site_url=_site(request)
            )
        except StaffInvitationError as exc:
            return refused_redirect(request, _staff_page(), errors=[str(exc.message)])
        messages.success(
            request,
            _("A new link was sent to %(email)s; the earlier link no longer works.")
            % {"email": invitation.email},
        )
        return redirect(_staff_page())


class StaffInvitationRevokeView(LoginRequiredMixin, View):
    def post(self, request, invitation_id):
        invitation = staff_invitation_for(user=request.user, invitation_id=invitation_id)
        try:
            staff_invitation_revoke(user=request.user, invitation=invitation)
        except StaffInvitationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("The invitation of %(email)s was revoked; its link no longer works.")
                % {"email": invitation.email},
            )
        return redirect(_staff_page())


@method_decorator(
    [sensitive_post_parameters("password1", "password2"), never_cache], name="dispatch"
)
class StaffInvitationAcceptView(View):
    """A colleague's invitation link: the school and the roles, the name and a password twice;
    then the account exists and the colleague is logged in (staff set up the second login
    step next, where it is required). A used, revoked or expired link says so."""

    template_name = "students/staff_invitation.html"

    def _form(self, invitation, data=None):
        return StaffInvitationAcceptForm(
            data,
            email=invitation.email,
            full_name=invitation.full_name,
            initial={"name": invitation.full_name},
        )

    def _page(self, request, invitation, form=None, status=200, error=""):
        return render(
            request,
            self.template_name,
            {
                "invitation": invitation,
                "groups": list(invitation.groups.all()) if invitation else [],
                "form": form,
                "error": error,
                "mfa": settings.MFA_REQUIRED,
            },
            status=status,
        )

    def get(self, request, token):
        invitation = staff_invitation_for_token(token)
        if invitation is None:
            # A used, revoked, expired or guessed link: on the record, so guessing would show.
            event_record(
                user=request.user,
                action=Action.VIEW,
                outcome=Outcome.DENIED,
                object_type="staff_invitation",
                data_kind=DataKind.ACCOUNT,
            )
            return self._page(request, None, status=404, error=staff_invitation_link_problem(token))
        return self._page(request, invitation, self._form(invitation))

    def post(self, request, token):
        invitation = staff_invitation_for_token(token)
        if invitation is None:
            return self._page(request, None, status=404, error=staff_invitation_link_problem(token))
        form = self._form(invitation, request.POST)
        if form.is_valid():
            try:
                user = staff_invitation_accept(
                    token=token,
                    password=form.cleaned_data["password1"],
                    full_name=form.cleaned_data["name"],
                )
            except StaffInvitationError as exc:
                form.add_error(None, str(exc.message))
            except ValidationError as exc:  # the service's own check of the password rules
                form.add_error("password1", exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Your account is ready. Welcome!"))
                return redirect("home")
        # 200, not 400: Django logs every 4xx with its path, and this path is a working link.
        return self._page(request, invitation, form)
