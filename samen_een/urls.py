from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.api import TokenLoginApi
from audit.api import AccessEventListApi
from audit.views import AccessEventListView
from students.api import (
    GroupDetailApi,
    GroupListApi,
    SchoolDetailApi,
    SchoolListApi,
    StudentDetailApi,
    StudentListApi,
)
from students.views import ChildDetailView, HomeView, StudentDetailView, StudentListView

from . import views

api_v1 = [
    path("auth/token/", TokenLoginApi.as_view(), name="auth-token"),
    path("students/", StudentListApi.as_view(), name="student-list"),
    path("students/<str:student_id>/", StudentDetailApi.as_view(), name="student-detail"),
    path("groups/", GroupListApi.as_view(), name="group-list"),
    path("groups/<str:group_id>/", GroupDetailApi.as_view(), name="group-detail"),
    path("schools/", SchoolListApi.as_view(), name="school-list"),
    path("schools/<str:school_id>/", SchoolDetailApi.as_view(), name="school-detail"),
    path("audit-events/", AccessEventListApi.as_view(), name="audit-event-list"),
]

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/", include("accounts.urls")),
    path("students/", StudentListView.as_view(), name="student-list"),
    path("students/<str:student_id>/", StudentDetailView.as_view(), name="student-detail"),
    path("children/<str:student_id>/", ChildDetailView.as_view(), name="child-detail"),
    path("audit/", AccessEventListView.as_view(), name="audit-event-list"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
