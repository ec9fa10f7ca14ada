"""The portal's URLs and views that fail, for tests/test_friendly_errors.py."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from samen_een.urls import urlpatterns as portal


def crash(request):
    raise RuntimeError("a bug in a view")


def suspicious(request):
    raise SuspiciousOperation("a request that cannot be trusted")


urlpatterns = [path("crash-for-test/", crash), path("suspicious-for-test/", suspicious), *portal]
