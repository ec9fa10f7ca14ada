"""Admissions pages: decisions."""

urlpatterns: list = []
