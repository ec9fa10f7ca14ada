"""Admissions pages: leaving."""

urlpatterns: list = []
