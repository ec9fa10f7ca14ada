"""The root URLs: each app's pages (its ``urls.py``) and API (its ``api_urls.py``, under
``/api/v1/`` in the namespace ``api``) are included here; only project-level URLs are written out
(the start page, the language switch, the health check, the favicon and the API schema).

Every app's ``urls.py`` writes its own full paths, so a URL is found in one file.
"""

from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import urls as account_urls
from students import account_urls as school_account_urls

from . import views

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("students.api_urls")),
    path("", include("consent.api_urls")),
    path("", include("suppliers.api_urls")),
    path("", include("audit_trail.api_urls")),
    path("", include("retention.api_urls")),
    path("", include("registers.api_urls")),
    path("", include("privacy_requests.api_urls")),
    path("", include("admissions.api_urls")),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    # One ``accounts`` namespace: the account's own pages and those that need the school.
    path(
        "",
        include((account_urls.urlpatterns + school_account_urls.urlpatterns, "accounts")),
    ),
    path("", include("students.urls")),
    path("", include("consent.urls")),
    path("", include("suppliers.urls")),
    path("", include("privacy_requests.urls")),
    path("", include("retention.urls")),
    path("", include("registers.urls")),
    path("", include("audit_trail.urls")),
    path("", include("admissions.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
