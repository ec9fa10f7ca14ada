"""The suppliers' pages: suppliers and their products and agreements (``suppliers/``), exports,
disclosures and the EDEXML import (``data/``), and a guardian's view of who receives their child's
data (``children/<id>/recipients/``)."""

from django.urls import include, path

from . import views

supplier_pages = [
    path("", views.SupplierListView.as_view(), name="supplier-list"),
    path("new/", views.SupplierCreateView.as_view(), name="supplier-create"),
    path("<str:supplier_id>/", views.SupplierDetailView.as_view(), name="supplier-detail"),
    path(
        "<str:supplier_id>/products/new/",
        views.ProductEditView.as_view(),
        name="product-create",
    ),
    path(
        "<str:supplier_id>/products/<str:product_id>/",
        views.ProductEditView.as_view(),
        name="product-edit",
    ),
    path(
        "<str:supplier_id>/agreements/new/",
        views.AgreementEditView.as_view(),
        name="agreement-create",
    ),
    path(
        "<str:supplier_id>/agreements/<str:agreement_id>/",
        views.AgreementEditView.as_view(),
        name="agreement-edit",
    ),
]

data_pages = [
    path("exports/", views.ExportListView.as_view(), name="export-list"),
    path(
        "exports/legal/",
        views.LegalDisclosureCreateView.as_view(),
        name="legal-disclosure-create",
    ),
    path("exports/<str:export_id>/", views.ExportDetailView.as_view(), name="export-detail"),
    path(
        "exports/<str:export_id>/download/<str:token>/",
        views.ExportDownloadView.as_view(),
        name="export-download",
    ),
    path("disclosures/", views.DisclosureListView.as_view(), name="disclosure-list"),
    path("disclosures.csv", views.DisclosureExportView.as_view(), name="disclosure-export"),
    path("import/", views.EdexmlImportView.as_view(), name="edexml-import"),
    path("import/<str:job_id>/", views.ImportJobDetailView.as_view(), name="import-job"),
    path(
        "import/<str:job_id>/apply/",
        views.ImportJobApplyView.as_view(),
        name="import-job-apply",
    ),
    path(
        "import/<str:job_id>/retry/",
        views.ImportJobRetryView.as_view(),
        name="import-job-retry",
    ),
]

urlpatterns = [
    path("suppliers/", include(supplier_pages)),
    path("data/", include(data_pages)),
    path(
        "children/<str:student_id>/recipients/",
        views.ChildRecipientsView.as_view(),
        name="child-recipients",
    ),
]
