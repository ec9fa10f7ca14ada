"""Consent's pages: the dashboards and purposes under ``consent/``, and the consent page of a
pupil (``students/<id>/consent/``) and of a guardian's child (``children/<id>/consent/``)."""

from django.urls import include, path

from . import views

consent_pages = [
    path("", views.DashboardView.as_view(), name="consent-dashboard"),
    path("board/", views.BoardDashboardView.as_view(), name="consent-board"),
    path(
        "dashboard.csv",
        views.DashboardExportView.as_view(),
        name="consent-dashboard-export",
    ),
    path("purposes/", views.PurposeListView.as_view(), name="consent-purposes"),
    path(
        "purposes/<str:purpose_id>/",
        views.PurposeEditView.as_view(),
        name="consent-purpose-edit",
    ),
    path("campaigns/", views.CampaignView.as_view(), name="consent-campaigns"),
    path(
        "publications/",
        views.PublicationListView.as_view(),
        name="consent-publications",
    ),
    path(
        "publications/<str:publication_id>/",
        views.PublicationDetailView.as_view(),
        name="consent-publication",
    ),
    path(
        "publications/<str:publication_id>/remove-pupil/",
        views.PublicationRemovePupilView.as_view(),
        name="consent-publication-remove",
    ),
    path(
        "takedowns/<str:takedown_id>/resolve/",
        views.TakedownResolveView.as_view(),
        name="consent-takedown-resolve",
    ),
    path(
        "groups/<str:group_id>/photo-list/",
        views.PhotoListView.as_view(),
        name="consent-photo-list",
    ),
]

urlpatterns = [
    path("consent/", include(consent_pages)),
    path(
        "students/<str:student_id>/consent/",
        views.StudentConsentView.as_view(),
        name="student-consent",
    ),
    path(
        "children/<str:student_id>/consent/",
        views.ChildConsentView.as_view(),
        name="child-consent",
    ),
]
