from django.urls import path

from . import views

# Included under "audit/" by the root URLconf.
urlpatterns = [
    path("", views.AccessEventListView.as_view(), name="audit-event-list"),
    path("export.csv", views.AccessEventExportView.as_view(), name="audit-event-export"),
    path("care-reads/", views.CareReadSummaryView.as_view(), name="audit-care-summary"),
]
