import re

from . import context, services

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class AuditContextMiddleware:
    """Gives every request an id and writes its denied events after its transaction ends.

    It sits outside the per-request transaction (ATOMIC_REQUESTS wraps only the view), so
    events of denied attempts commit even though the request itself rolls back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.headers.get("X-Request-ID", "")
        ctx = context.AuditContext(path=request.path, deferred=True)
        if _REQUEST_ID.match(supplied):
            ctx.request_id = supplied
        request.request_id = ctx.request_id
        token = context.activate(ctx)
        try:
            response = self.get_response(request)
        finally:
            try:
                services.pending_denied_flush(ctx)
            finally:
                context.deactivate(token)
        response["X-Request-ID"] = ctx.request_id
        return response
