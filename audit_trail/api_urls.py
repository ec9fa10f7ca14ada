from django.urls import path

from . import api

# Included in the "api" namespace under "api/v1/" by the root URLconf.
urlpatterns = [
    path("audit-events/", api.AccessEventListApi.as_view(), name="audit-event-list"),
]
