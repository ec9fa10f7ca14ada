"""The accounts API under ``/api/v1/`` (namespace ``api``, given by the root urls)."""

from django.urls import path

from .api import ApiTokenListApi, ApiTokenRevokeApi, TokenLoginApi

urlpatterns = [
    path("auth/token/", TokenLoginApi.as_view(), name="auth-token"),
    path("auth/tokens/", ApiTokenListApi.as_view(), name="auth-token-list"),
    path("auth/tokens/<str:token_id>/", ApiTokenRevokeApi.as_view(), name="auth-token-revoke"),
]
