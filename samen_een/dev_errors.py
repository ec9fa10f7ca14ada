"""Friendly error pages under ``make run``, which keeps ``DEBUG`` on (the demo loader needs it).

With ``DEBUG`` on Django answers a missing page and a crash with its technical pages: they list
every route of the portal and show the code. People trying the demo should meet the same pages
as in production (``templates/404.html``, ``403.html``, ``500.html``), so the development
settings add this middleware. A developer who wants Django's technical pages sets
``SHOW_TECHNICAL_ERRORS=1`` (README, "Development"). In production ``DEBUG`` is off and
Django's own handlers already render these templates; this middleware is not installed there.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve

logger = logging.getLogger("django.request")


def _active() -> bool:
    return settings.DEBUG and not getattr(settings, "SHOW_TECHNICAL_ERRORS", False)


def not_found(request) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request) -> HttpResponse:
    response = HttpResponseServerError(loader.get_template("500.html").render())
    return response


def bad_request(request) -> HttpResponse:
    """A request Django refuses (an unknown host, a malformed header): ``400.html`` stands
    alone (no request context: the request itself is what is wrong)."""
    return HttpResponseBadRequest(loader.get_template("400.html").render())


# Every technical page Django renders with DEBUG on (technical_404.html, technical_500.html,
# also answering a SuspiciousOperation with 400) carries this line; none of ours does.
TECHNICAL_MARK = b'<meta name="robots" content="NONE,NOARCHIVE">'


class TechnicalPagesMiddleware:
    """Put it first in ``MIDDLEWARE`` (dev.py does): whatever raised the error — a view, another
    middleware (an unknown host is refused in ``CommonMiddleware``, outside the reach of
    ``FriendlyErrorsMiddleware``) — a technical page on its way out is replaced by the friendly
    page of its status. The original error was logged where it was handled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not _active()
            or response.status_code < 400
            or getattr(response, "streaming", False)
            or TECHNICAL_MARK not in response.content[:4096]
        ):
            return response
        if response.status_code == 404:
            return not_found(request)
        if response.status_code == 400:
            return bad_request(request)
        return server_error(request)


class FriendlyErrorsMiddleware:
    """Put it last in ``MIDDLEWARE`` (dev.py does): it answers a path that matches no route
    and an ``Http404`` or crash raised by a view with the friendly template. A 403
    (``PermissionDenied``) already gets ``403.html`` from Django, also with ``DEBUG`` on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _active():
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404:
                return not_found(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not _active():
            return None
        if isinstance(exception, Http404):
            return not_found(request)
        if isinstance(exception, PermissionDenied):
            return None  # Django answers it with 403.html, also in DEBUG
        if isinstance(exception, SuspiciousOperation):
            logger.warning("Bad request (%s): %s", type(exception).__name__, request.path)
            return bad_request(request)
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        response = server_error(request)
        response._has_been_logged = True
        return response
