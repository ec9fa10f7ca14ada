from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from kernel.throttling import RateLimitedError

from . import login_limits
from .forms import EmailLoginForm
from .services import session_login, session_logout


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
