"""The admissions API under ``/api/v1/`` (namespace ``api``, given by the root urls)."""

from django.urls import path

from . import api_decisions

urlpatterns: list = [
    path(
        "admissions/applications/",
        api_decisions.ApplicationListApi.as_view(),
        name="application-list",
    ),
]
