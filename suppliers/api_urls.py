"""The suppliers' API under ``/api/v1/`` (namespace ``api``, given by the root urls)."""

from django.urls import path

from . import api

urlpatterns = [
    path(
        "students/<str:student_id>/recipients/",
        api.StudentRecipientsApi.as_view(),
        name="student-recipients",
    ),
    path("agreements/", api.AgreementListApi.as_view(), name="agreement-list"),
    path("exports/", api.ExportCreateApi.as_view(), name="export-create"),
    path("exports/<str:export_id>/", api.ExportDetailApi.as_view(), name="export-detail"),
    path("disclosures/", api.DisclosureListApi.as_view(), name="disclosure-list"),
]
