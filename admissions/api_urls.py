"""The admissions API under ``/api/v1/`` (namespace ``api``, given by the root urls)."""

urlpatterns: list = []
