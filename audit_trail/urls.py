"""The pages that show the audit trail, under ``audit/``."""

from django.urls import include, path

from . import views

audit_pages = [
    path("", views.AccessEventListView.as_view(), name="audit-event-list"),
    path("export.csv", views.AccessEventExportView.as_view(), name="audit-event-export"),
    path("care-reads/", views.CareReadSummaryView.as_view(), name="audit-care-summary"),
]

urlpatterns = [path("audit/", include(audit_pages))]
