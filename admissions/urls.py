"""The admissions pages: each part's views module holds its own ``urlpatterns`` (full paths)."""

from .views import decisions, funding, leaving, okr, public

urlpatterns = [
    *public.urlpatterns,
    *decisions.urlpatterns,
    *funding.urlpatterns,
    *leaving.urlpatterns,
    *okr.urlpatterns,
]
