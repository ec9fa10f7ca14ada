"""The account's own API tokens: which ones work, since when, until when, last used, and a
button to end each one."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from .selectors import api_token_for_owner, api_tokens_of
from .tokens import api_token_revoke


class ApiTokenListView(LoginRequiredMixin, View):
    def get(self, request):
        return render(
            request, "accounts/api_tokens.html", {"tokens": list(api_tokens_of(request.user))}
        )


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, token_id):
        token = api_token_for_owner(user=request.user, token_id=token_id)
        api_token_revoke(user=request.user, token=token)
        messages.success(request, _("The token was revoked; programs that use it are refused."))
        return redirect("accounts:api-tokens")
