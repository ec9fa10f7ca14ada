"""Consent's API under ``/api/v1/`` (namespace ``api``, given by the root urls)."""

from django.urls import path

from . import api

urlpatterns = [
    path(
        "students/<str:student_id>/consents/",
        api.StudentConsentsApi.as_view(),
        name="student-consents",
    ),
    path("consent/dashboard/", api.ConsentDashboardApi.as_view(), name="consent-dashboard"),
]
