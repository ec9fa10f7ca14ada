"""One place that maps domain errors to HTTP answers for the API."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from students.exceptions import StudentError


def api_exception_handler(exc, context):
    if isinstance(exc, StudentError):
        set_rollback()
        return Response({"detail": str(exc.message)}, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("You do not have permission to do this."))
    return exception_handler(exc, context)
