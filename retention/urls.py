"""The retention pages under ``retention/``."""

from django.urls import include, path

from . import views

retention_pages = [
    path("", views.RetentionView.as_view(), name="retention"),
    path("rules/<str:rule_id>/", views.RuleEditView.as_view(), name="retention-rule"),
    path("schools/<str:school_id>/run/", views.RunStartView.as_view(), name="retention-run"),
    path(
        "schools/<str:school_id>/set-up/",
        views.RulesSetUpView.as_view(),
        name="retention-set-up",
    ),
    path("runs/<str:run_id>/", views.RunDetailView.as_view(), name="retention-run-detail"),
    path("holds/new/<str:student_id>/", views.HoldCreateView.as_view(), name="retention-hold"),
    path("holds/<str:hold_id>/lift/", views.HoldLiftView.as_view(), name="retention-hold-lift"),
    path(
        "boards/<str:board_id>/log-policy/",
        views.LogPolicyView.as_view(),
        name="retention-log-policy",
    ),
]

urlpatterns = [path("retention/", include(retention_pages))]
