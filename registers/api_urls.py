"""The registers' API under ``/api/v1/`` (namespace ``api``, given by the root urls)."""

from django.urls import path

from .api import BreachListApi, ProcessingRegisterApi

urlpatterns = [
    path("breaches/", BreachListApi.as_view(), name="breach-list"),
    path("processing-register/", ProcessingRegisterApi.as_view(), name="processing-register"),
]
