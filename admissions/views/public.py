"""Admissions pages: public."""

urlpatterns: list = []
