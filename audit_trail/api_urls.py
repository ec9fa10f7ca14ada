"""The audit trail's API, included under ``api/v1/`` in the namespace ``api``."""

from django.urls import path

from . import api

urlpatterns = [
    path("audit-events/", api.AccessEventListApi.as_view(), name="audit-event-list"),
]
