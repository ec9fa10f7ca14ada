"""The bench-only urlconf: the product's URLs plus the floor views (``bench.floor``).

Set as ``ROOT_URLCONF`` inside the bench process only; the product's urls never see it.
"""

from django.urls import path

from bench import floor
from samen_een.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("bench-floor/students/", floor.student_list, name="bench-floor-list"),
    path("bench-floor/api/students/", floor.student_list_json, name="bench-floor-list-json"),
    path("bench-floor/students/<int:student_id>/", floor.student_detail, name="bench-floor-detail"),
    path(
        "bench-floor/api/students/<int:student_id>/",
        floor.student_detail_json,
        name="bench-floor-detail-json",
    ),
    *product_urlpatterns,
]
