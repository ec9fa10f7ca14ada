"""Password reset for everyone, on Django's own views: single-use links (the token is void once
the password changes) that expire (PASSWORD_RESET_TIMEOUT), the same answer whether the address
exists or not, throttled per address and per network address, and audited."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.urls import reverse_lazy

from audit.constants import Action, DataKind, Outcome
from audit.services import event_record
from kernel.crypto import lookup_hash
from kernel.net import client_ip
from kernel.prg import refused_form, refused_redirect
from kernel.throttling import hit

from .models import User
from .tokens import api_tokens_revoke

PER_EMAIL_PER_HOUR = 3
PER_ADDRESS_PER_HOUR = 300  # a school shares one address


def _allowed(key: str, limit: int) -> bool:
    """A count per clock hour (kernel.throttling)."""
    return not hit(key, limit=limit, seconds=3600)


class ThrottledResetForm(PasswordResetForm):
    """Sends the link only within the limits; the page answers the same either way."""

    address = ""

    def save(self, *args, **kwargs):
        email = self.cleaned_data["email"].strip().lower()
        known = User.objects.filter(email=email).values_list("pk", flat=True).first()
        within = _allowed(f"reset:email:{lookup_hash(email)}", PER_EMAIL_PER_HOUR) and _allowed(
            f"reset:address:{self.address}", PER_ADDRESS_PER_HOUR
        )
        event_record(
            user=None,
            actor_id=known,
            action=Action.UPDATE,
            outcome=Outcome.ALLOWED if within else Outcome.DENIED,
            object_type="password_reset_request",
            data_kind=DataKind.ACCOUNT,
        )
        if within:
            super().save(*args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ThrottledResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    starts_work = True  # sends the link (kernel.prg)
    refused_key = "password-reset"

    def get_form(self, form_class=None):
        if self.request.method != "GET":
            return super().get_form(form_class)
        return refused_form(
            self.request,
            form_class or self.get_form_class(),
            self.refused_key,
            **self.get_form_kwargs(),
        )

    def form_valid(self, form):
        form.address = client_ip(self.request)
        return super().form_valid(form)

    def form_invalid(self, form):
        return refused_redirect(self.request, self.request.path, key=self.refused_key, form=form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever had the old password may hold an API token: it ends with the password.
        api_tokens_revoke(user=form.user)
        event_record(
            user=form.user,
            action=Action.UPDATE,
            object_type="password_reset",
            object_id=form.user.pk,
            data_kind=DataKind.ACCOUNT,
        )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
