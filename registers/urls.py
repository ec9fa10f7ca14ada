"""The registers' pages under ``registers/``: the privacy overview, breaches and the processing
register."""

from django.urls import include, path

from . import views

register_pages = [
    path("", views.PrivacyOverviewView.as_view(), name="privacy-overview"),
    path("breaches/", views.BreachListView.as_view(), name="breach-list"),
    path("breaches/<str:breach_id>/", views.BreachDetailView.as_view(), name="breach-detail"),
    path(
        "breaches/<str:breach_id>/notices/",
        views.BreachNoticesView.as_view(),
        name="breach-notices",
    ),
    path(
        "breaches/<str:breach_id>/actions/<str:action>/",
        views.BreachActionView.as_view(),
        name="breach-action",
    ),
    path("processing/", views.ProcessingRegisterView.as_view(), name="processing-register"),
    path(
        "processing/measures/",
        views.SecurityMeasuresView.as_view(),
        name="security-measures",
    ),
]

urlpatterns = [path("registers/", include(register_pages))]
