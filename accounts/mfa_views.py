"""Pages of the second factor: set up the authenticator app, give a code at login, and see or
renew the backup codes. Staff only; the middleware sends a staff session here until it has
given its second factor."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from audit.constants import Action, DataKind, Outcome
from audit.services import event_record

from . import mfa
from .forms import SecondFactorForm, SecondFactorSetupForm


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


class StaffOnlyMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_school_staff:
            # A guardian (no second factor): 403, recorded like every refusal.
            event_record(
                user=request.user,
                action=Action.VIEW,
                outcome=Outcome.DENIED,
                object_type="second_factor",
                data_kind=DataKind.ACCOUNT,
            )
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


@method_decorator([sensitive_post_parameters("code"), never_cache], name="dispatch")
class SecondFactorSetupView(StaffOnlyMixin, View):
    """Scan the QR code (or type the key), confirm with a first code. An account that has a
    confirmed app needs a verified session to replace it."""

    template_name = "accounts/mfa_setup.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and mfa.is_enrolled(user) and not user.is_verified():
            return redirect(f"{_verify_url()}?{urlencode({'next': _next(request)})}")
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form, status=200):
        device = mfa.pending_device(request.user)
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "qr": mfa.qr_svg(device),
                "secret": mfa.secret_of(device),
                "next": _next(request),
                "replacing": mfa.is_enrolled(request.user),
            },
            status=status,
        )

    def get(self, request):
        return self._render(request, SecondFactorSetupForm())

    def post(self, request):
        form = SecondFactorSetupForm(request.POST)
        if form.is_valid():
            device = mfa.pending_device(request.user)
            codes = mfa.enrolment_confirm(
                request=request, device=device, code=form.cleaned_data["code"]
            )
            if codes is not None:
                request.session[mfa.SESSION_BACKUP_CODES] = codes
                return redirect(f"{_backup_url()}?{urlencode({'next': _next(request)})}")
            form.add_error(
                "code",
                _(
                    "This code is not correct. Check the time on your phone and type the "
                    "code the app shows now."
                ),
            )
        return self._render(request, form, status=400)


@method_decorator([sensitive_post_parameters("code"), never_cache], name="dispatch")
class SecondFactorVerifyView(StaffOnlyMixin, View):
    template_name = "accounts/mfa_verify.html"

    def get(self, request):
        if not mfa.is_enrolled(request.user):
            return redirect(f"{_setup_url()}?{urlencode({'next': _next(request)})}")
        if request.user.is_verified():
            return redirect(_next(request))
        return render(
            request, self.template_name, {"form": SecondFactorForm(), "next": _next(request)}
        )

    def post(self, request):
        form = SecondFactorForm(request.POST)
        if form.is_valid():
            if mfa.session_verify(request=request, code=form.cleaned_data["code"]):
                # A new session id now that the login is complete.
                request.session.cycle_key()
                return redirect(_next(request))
            form.add_error(
                "code",
                _(
                    "This code is not correct or was already used. Type the code the app "
                    "shows now; after several wrong codes, wait a minute first."
                ),
            )
        return render(
            request, self.template_name, {"form": form, "next": _next(request)}, status=400
        )


@method_decorator(never_cache, name="dispatch")
class BackupCodesView(StaffOnlyMixin, View):
    """The new backup codes once, right after they were made; otherwise how many are left and
    a button for a new set (the old ones stop working)."""

    template_name = "accounts/mfa_backup_codes.html"

    def get(self, request):
        codes = request.session.pop(mfa.SESSION_BACKUP_CODES, None)
        return render(
            request,
            self.template_name,
            {
                "codes": codes,
                "left": mfa.backup_codes_left(request.user),
                "enrolled": mfa.is_enrolled(request.user),
                "next": _next(request),
            },
        )

    def post(self, request):
        if not mfa.is_enrolled(request.user):
            return redirect(_setup_url())
        request.session[mfa.SESSION_BACKUP_CODES] = mfa.backup_codes_new(request.user)
        return redirect(_backup_url())


def _setup_url() -> str:
    return reverse("accounts:mfa-setup")


def _verify_url() -> str:
    return reverse("accounts:mfa-verify")


def _backup_url() -> str:
    return reverse("accounts:mfa-backup-codes")
