"""Domain errors and the one place that maps them to HTTP answers for the API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DomainError(Exception):
    """A domain rule refused the change (400 unless the subclass says otherwise). Every app's
    errors derive from it, so views and the API answer them the same way."""

    default_message: StrOrPromise = _("This change is not allowed.")
    status_code = 400

    def __init__(
        self, message=None, *, field_errors: Mapping[str, Sequence[StrOrPromise]] | None = None
    ):
        self.message = message or self.default_message
        # The input that was refused, per field (its name in the service's input), so a form
        # shows each reason at its field and the API names the fields.
        self.field_errors = dict(field_errors or {})
        super().__init__(self.message)


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        set_rollback()
        body: dict = {"detail": str(exc.message)}
        if exc.field_errors:
            body["errors"] = {
                field: [str(message) for message in messages]
                for field, messages in exc.field_errors.items()
            }
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("You do not have permission to do this."))
    return exception_handler(exc, context)
