"""Admissions pages: funding."""

urlpatterns: list = []
