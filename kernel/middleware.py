"""Response headers that no view should have to remember."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers, patch_cache_control


class NoStoreMiddleware:
    """Pages and API answers may hold pupil data: no browser, proxy or back button keeps a
    copy (``Cache-Control: no-store``). Only answers that set their own caching (static files,
    the public schema) are left as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            add_never_cache_headers(response)
        elif "no-store" not in response["Cache-Control"] and getattr(
            getattr(request, "user", None), "is_authenticated", False
        ):
            patch_cache_control(response, no_store=True, private=True)
        return response
