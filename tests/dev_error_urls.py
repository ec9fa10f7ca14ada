"""The portal's URLs and one view that crashes, for tests/test_friendly_errors.py."""

from django.urls import path

from samen_een.urls import urlpatterns as portal


def crash(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("crash-for-test/", crash), *portal]
