from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from samen_een.celery import app as celery_app


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
