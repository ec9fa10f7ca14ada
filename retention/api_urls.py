"""The retention API under ``/api/v1/`` (namespace ``api``, given by the root urls)."""

from django.urls import path

from .api import RetentionLogPolicyApi, RetentionPreviewApi, RetentionRuleUpdateApi

urlpatterns = [
    path("retention/preview/", RetentionPreviewApi.as_view(), name="retention-preview"),
    path(
        "retention/schools/<str:school_id>/rules/<str:category>/",
        RetentionRuleUpdateApi.as_view(),
        name="retention-rule",
    ),
    path(
        "retention/boards/<str:board_id>/log-policy/",
        RetentionLogPolicyApi.as_view(),
        name="retention-log-policy",
    ),
]
