from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api import (
    ApiTokenListApi,
    ApiTokenRevokeApi,
    StaffDeactivateApi,
    StaffListApi,
    TokenLoginApi,
)
from audit.api import AccessEventListApi
from audit.views import AccessEventExportView, AccessEventListView, CareReadSummaryView
from consent import api as consent_api
from consent import views as consent_views
from privacy_requests import api as requests_api
from registers.api import BreachListApi, ProcessingRegisterApi
from retention.api import RetentionLogPolicyApi, RetentionPreviewApi, RetentionRuleUpdateApi
from students import api as students_api
from students import views as students_views
from students.rollover.api import RolloverApplyApi, RolloverPreviewApi
from suppliers import api as suppliers_api
from suppliers import views as suppliers_views

from . import views

api_v1 = [
    path("auth/token/", TokenLoginApi.as_view(), name="auth-token"),
    path("auth/tokens/", ApiTokenListApi.as_view(), name="auth-token-list"),
    path("auth/tokens/<str:token_id>/", ApiTokenRevokeApi.as_view(), name="auth-token-revoke"),
    path("staff/", StaffListApi.as_view(), name="staff-list"),
    path("staff/<str:staff_id>/deactivate/", StaffDeactivateApi.as_view(), name="staff-deactivate"),
    path("rollover/preview/", RolloverPreviewApi.as_view(), name="rollover-preview"),
    path("rollover/", RolloverApplyApi.as_view(), name="rollover-apply"),
    path("students/", students_api.StudentListApi.as_view(), name="student-list"),
    path(
        "students/<str:student_id>/", students_api.StudentDetailApi.as_view(), name="student-detail"
    ),
    path(
        "students/<str:student_id>/progress/",
        students_api.ProgressApi.as_view(),
        name="student-progress",
    ),
    path(
        "students/<str:student_id>/care-records/",
        students_api.CareRecordListApi.as_view(),
        name="student-care-records",
    ),
    path(
        "students/<str:student_id>/care-records/<str:record_id>/",
        students_api.CareRecordDetailApi.as_view(),
        name="student-care-record",
    ),
    path(
        "students/<str:student_id>/religion/",
        students_api.ReligionApi.as_view(),
        name="student-religion",
    ),
    path(
        "students/<str:student_id>/access-log/",
        students_api.AccessLogApi.as_view(),
        name="student-access-log",
    ),
    path(
        "students/<str:student_id>/consents/",
        consent_api.StudentConsentsApi.as_view(),
        name="student-consents",
    ),
    path("consent/dashboard/", consent_api.ConsentDashboardApi.as_view(), name="consent-dashboard"),
    path(
        "students/<str:student_id>/recipients/",
        suppliers_api.StudentRecipientsApi.as_view(),
        name="student-recipients",
    ),
    path("agreements/", suppliers_api.AgreementListApi.as_view(), name="agreement-list"),
    path("exports/", suppliers_api.ExportCreateApi.as_view(), name="export-create"),
    path("exports/<str:export_id>/", suppliers_api.ExportDetailApi.as_view(), name="export-detail"),
    path("disclosures/", suppliers_api.DisclosureListApi.as_view(), name="disclosure-list"),
    path("groups/", students_api.GroupListApi.as_view(), name="group-list"),
    path("groups/<str:group_id>/", students_api.GroupDetailApi.as_view(), name="group-detail"),
    path("schools/", students_api.SchoolListApi.as_view(), name="school-list"),
    path("schools/<str:school_id>/", students_api.SchoolDetailApi.as_view(), name="school-detail"),
    path("audit-events/", AccessEventListApi.as_view(), name="audit-event-list"),
    path("retention/preview/", RetentionPreviewApi.as_view(), name="retention-preview"),
    path(
        "retention/schools/<str:school_id>/rules/<str:category>/",
        RetentionRuleUpdateApi.as_view(),
        name="retention-rule",
    ),
    path(
        "retention/boards/<str:board_id>/log-policy/",
        RetentionLogPolicyApi.as_view(),
        name="retention-log-policy",
    ),
    path("breaches/", BreachListApi.as_view(), name="breach-list"),
    path("processing-register/", ProcessingRegisterApi.as_view(), name="processing-register"),
    path(
        "privacy-requests/",
        requests_api.PrivacyRequestListApi.as_view(),
        name="privacy-request-list",
    ),
    path(
        "privacy-requests/<str:request_id>/",
        requests_api.PrivacyRequestDetailApi.as_view(),
        name="privacy-request-detail",
    ),
    path(
        "privacy-requests/<str:request_id>/package/",
        requests_api.PackageStartApi.as_view(),
        name="privacy-request-package",
    ),
    path(
        "privacy-requests/<str:request_id>/release/",
        requests_api.PackageReleaseApi.as_view(),
        name="privacy-request-release",
    ),
]

student_pages = [
    path("", students_views.StudentListView.as_view(), name="student-list"),
    path("<str:student_id>/", students_views.StudentDetailView.as_view(), name="student-detail"),
    path(
        "<str:student_id>/progress/",
        students_views.StudentProgressView.as_view(),
        name="student-progress",
    ),
    path(
        "<str:student_id>/care/", students_views.StudentCareFileView.as_view(), name="student-care"
    ),
    path(
        "<str:student_id>/care/new/",
        students_views.CareRecordCreateView.as_view(),
        name="care-record-create",
    ),
    path(
        "<str:student_id>/care/<str:record_id>/",
        students_views.CareRecordDetailView.as_view(),
        name="care-record-detail",
    ),
    path(
        "<str:student_id>/care/<str:record_id>/edit/",
        students_views.CareRecordEditView.as_view(),
        name="care-record-edit",
    ),
    path(
        "<str:student_id>/care/<str:record_id>/withhold/",
        students_views.CareRecordWithholdView.as_view(),
        name="care-record-withhold",
    ),
    path(
        "<str:student_id>/religion/", students_views.ReligionView.as_view(), name="student-religion"
    ),
    path(
        "<str:student_id>/access-log/",
        students_views.AccessLogView.as_view(),
        name="student-access-log",
    ),
    path(
        "<str:student_id>/guardians/<str:guardian_id>/authority/",
        students_views.GuardianAuthorityView.as_view(),
        name="guardian-authority",
    ),
    path(
        "<str:student_id>/consent/",
        consent_views.StudentConsentView.as_view(),
        name="student-consent",
    ),
]

child_pages = [
    path("<str:student_id>/", students_views.ChildDetailView.as_view(), name="child-detail"),
    path(
        "<str:student_id>/care/",
        students_views.CareFileForGuardianView.as_view(),
        name="child-care",
    ),
    path(
        "<str:student_id>/religion/",
        students_views.ChildReligionView.as_view(),
        name="child-religion",
    ),
    path(
        "<str:student_id>/access-log/",
        students_views.ChildAccessLogView.as_view(),
        name="child-access-log",
    ),
    path(
        "<str:student_id>/consent/",
        consent_views.ChildConsentView.as_view(),
        name="child-consent",
    ),
    path(
        "<str:student_id>/recipients/",
        suppliers_views.ChildRecipientsView.as_view(),
        name="child-recipients",
    ),
]

supplier_pages = [
    path("", suppliers_views.SupplierListView.as_view(), name="supplier-list"),
    path("new/", suppliers_views.SupplierCreateView.as_view(), name="supplier-create"),
    path(
        "<str:supplier_id>/", suppliers_views.SupplierDetailView.as_view(), name="supplier-detail"
    ),
    path(
        "<str:supplier_id>/products/new/",
        suppliers_views.ProductEditView.as_view(),
        name="product-create",
    ),
    path(
        "<str:supplier_id>/products/<str:product_id>/",
        suppliers_views.ProductEditView.as_view(),
        name="product-edit",
    ),
    path(
        "<str:supplier_id>/agreements/new/",
        suppliers_views.AgreementEditView.as_view(),
        name="agreement-create",
    ),
    path(
        "<str:supplier_id>/agreements/<str:agreement_id>/",
        suppliers_views.AgreementEditView.as_view(),
        name="agreement-edit",
    ),
]

data_pages = [
    path("exports/", suppliers_views.ExportListView.as_view(), name="export-list"),
    path(
        "exports/legal/",
        suppliers_views.LegalDisclosureCreateView.as_view(),
        name="legal-disclosure-create",
    ),
    path(
        "exports/<str:export_id>/", suppliers_views.ExportDetailView.as_view(), name="export-detail"
    ),
    path(
        "exports/<str:export_id>/download/<str:token>/",
        suppliers_views.ExportDownloadView.as_view(),
        name="export-download",
    ),
    path("disclosures/", suppliers_views.DisclosureListView.as_view(), name="disclosure-list"),
    path(
        "disclosures.csv", suppliers_views.DisclosureExportView.as_view(), name="disclosure-export"
    ),
    path("import/", suppliers_views.EdexmlImportView.as_view(), name="edexml-import"),
    path("import/<str:job_id>/", suppliers_views.ImportJobDetailView.as_view(), name="import-job"),
    path(
        "import/<str:job_id>/apply/",
        suppliers_views.ImportJobApplyView.as_view(),
        name="import-job-apply",
    ),
    path(
        "import/<str:job_id>/retry/",
        suppliers_views.ImportJobRetryView.as_view(),
        name="import-job-retry",
    ),
]

consent_pages = [
    path("", consent_views.DashboardView.as_view(), name="consent-dashboard"),
    path("board/", consent_views.BoardDashboardView.as_view(), name="consent-board"),
    path(
        "dashboard.csv",
        consent_views.DashboardExportView.as_view(),
        name="consent-dashboard-export",
    ),
    path("purposes/", consent_views.PurposeListView.as_view(), name="consent-purposes"),
    path(
        "purposes/<str:purpose_id>/",
        consent_views.PurposeEditView.as_view(),
        name="consent-purpose-edit",
    ),
    path("campaigns/", consent_views.CampaignView.as_view(), name="consent-campaigns"),
    path(
        "publications/",
        consent_views.PublicationListView.as_view(),
        name="consent-publications",
    ),
    path(
        "publications/<str:publication_id>/",
        consent_views.PublicationDetailView.as_view(),
        name="consent-publication",
    ),
    path(
        "publications/<str:publication_id>/remove-pupil/",
        consent_views.PublicationRemovePupilView.as_view(),
        name="consent-publication-remove",
    ),
    path(
        "takedowns/<str:takedown_id>/resolve/",
        consent_views.TakedownResolveView.as_view(),
        name="consent-takedown-resolve",
    ),
    path(
        "groups/<str:group_id>/photo-list/",
        consent_views.PhotoListView.as_view(),
        name="consent-photo-list",
    ),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accounts/", include("accounts.urls")),
    path("students/", include(student_pages)),
    path("children/", include(child_pages)),
    path("consent/", include(consent_pages)),
    path("suppliers/", include(supplier_pages)),
    path("data/", include(data_pages)),
    path(
        "care/withholdings/",
        students_views.WithholdingQueueView.as_view(),
        name="care-withholdings",
    ),
    path(
        "care/withholdings/<str:record_id>/decide/",
        students_views.WithholdingDecideView.as_view(),
        name="care-withholding-decide",
    ),
    path("requests/", include("privacy_requests.urls")),
    path("retention/", include("retention.urls")),
    path("registers/", include("registers.urls")),
    path("rollover/", include("students.rollover.urls")),
    path("audit/", AccessEventListView.as_view(), name="audit-event-list"),
    path("audit/export.csv", AccessEventExportView.as_view(), name="audit-event-export"),
    path("audit/care-reads/", CareReadSummaryView.as_view(), name="audit-care-summary"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
