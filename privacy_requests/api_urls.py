"""The privacy requests' API under ``/api/v1/`` (namespace ``api``, given by the root urls)."""

from django.urls import path

from . import api

urlpatterns = [
    path("privacy-requests/", api.PrivacyRequestListApi.as_view(), name="privacy-request-list"),
    path(
        "privacy-requests/<str:request_id>/",
        api.PrivacyRequestDetailApi.as_view(),
        name="privacy-request-detail",
    ),
    path(
        "privacy-requests/<str:request_id>/package/",
        api.PackageStartApi.as_view(),
        name="privacy-request-package",
    ),
    path(
        "privacy-requests/<str:request_id>/release/",
        api.PackageReleaseApi.as_view(),
        name="privacy-request-release",
    ),
]
