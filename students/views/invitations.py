"""Guardian invitations: the administration invites a guardian of a pupil (or revokes the
invitation), and the guardian's link (/accounts/invitation/<token>/) sets a password."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from audit.constants import Action, DataKind, Outcome
from audit.services import event_record
from kernel.prg import refused_redirect

from ..forms import InvitationAcceptForm
from ..selectors.invitations import guardian_for_invite, invitation_for_manage
from ..services.invitations import (
    InvitationError,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
)


@method_decorator(
    [sensitive_post_parameters("password1", "password2"), never_cache], name="dispatch"
)
class InvitationAcceptView(View):
    """A guardian's invitation link: choose a password, get an account, be logged in. The
    link works once and until it expires; a used, replaced or expired link says so."""

    template_name = "students/invitation.html"

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
        # 200, not 400: Django logs every 4xx with its path, and this path holds a link that
        # still works (the staff invitation page does the same).
        return render(request, self.template_name, {"invitation": invitation, "form": form})


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
