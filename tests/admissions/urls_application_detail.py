"""The portal's URLs plus a stand-in for the staff page of an application, for the audit
describer's link (the page itself belongs to another part of admissions)."""

from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("", include("samen_een.urls")),
    path(
        "test-only/applications/<int:pk>/",
        lambda request, pk: HttpResponse(),
        name="application-detail",
    ),
]
