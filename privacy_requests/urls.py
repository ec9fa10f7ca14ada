"""The privacy requests' pages under ``requests/``."""

from django.urls import include, path

from . import views

request_pages = [
    path("", views.RequestListView.as_view(), name="request-list"),
    path("new/", views.RequestCreateView.as_view(), name="request-create"),
    path(
        "paper/<str:student_id>/",
        views.PaperRequestView.as_view(),
        name="request-register",
    ),
    path("limits/<str:limit_id>/lift/", views.LimitLiftView.as_view(), name="limit-lift"),
    path("<str:request_id>/", views.RequestDetailView.as_view(), name="request-detail"),
    path(
        "<str:request_id>/package/",
        views.PackageReviewView.as_view(),
        name="request-package-review",
    ),
    path(
        "<str:request_id>/package/<str:fmt>/<str:token>/",
        views.PackageDownloadView.as_view(),
        name="request-package-download",
    ),
    path(
        "<str:request_id>/actions/<str:action>/",
        views.RequestActionView.as_view(),
        name="request-action",
    ),
]

urlpatterns = [path("requests/", include(request_pages))]
