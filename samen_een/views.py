from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from accounts.constants import Function, Role
from samen_een.celery import app as celery_app
from students.selectors import AccessResolver, children_of, groups_current_for
from students.start_page import todos_for


class HomeView(LoginRequiredMixin, View):
    """The start page of whoever is logged in: staff overview, or a guardian's children. The
    staff overview is first a to-do list, what needs this person's action from every
    capability, most urgent first (students/start_page.py); then the groups of this school
    year. A guardian's start page is their to-do list
    through the same contract (what needs their action for their own children), then their
    children."""

    def get(self, request):
        user = request.user
        if user.has_function(Function.VIEW_PUPILS) or user.has_function(Function.VIEW_AUDIT):
            context = {
                "can_view_pupils": user.has_function(Function.VIEW_PUPILS),
                "can_view_audit": user.has_function(Function.VIEW_AUDIT),
                "todos": todos_for(user),
                "groups": list(groups_current_for(user))
                if user.has_function(Function.VIEW_PUPILS)
                else [],
            }
            return render(request, "start/staff_home.html", context)
        if user.has_role(Role.GUARDIAN):
            resolver = AccessResolver(user)
            children = [
                {"student": child, "access": resolver.for_student(child)}
                for child in children_of(user)
            ]
            return render(
                request,
                "start/parent_home.html",
                {"children": children, "todos": todos_for(user)},
            )
        return render(request, "start/no_role.html", status=403)


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness: the database and the job broker both answer."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except DatabaseError:
        checks["database"] = "error"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception:
        checks["broker"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def csrf_failure(request, reason=""):
    return render(
        request,
        "errors/csrf.html",
        {
            "message": _(
                "Your form could not be sent because its security token was missing or "
                "out of date. Go back, reload the page and try again."
            )
        },
        status=403,
    )


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links to: send them to the icon in the
    static files (pages link the SVG and the ICO themselves, in base.html)."""
    return redirect(static("favicon.ico"))
