"""The pupils' pages: the staff's pupil pages, a guardian's child pages, care withholdings and
the rollover.

Mounted at the root; consent and suppliers add their own pages under ``students/<id>/`` and
``children/<id>/`` from their ``urls.py`` (the core does not know them).
"""

from django.urls import include, path

from . import views
from .views import self_service
from .views.editing import (
    EmergencyContactsEditView,
    GuardianEditView,
    StudentEditView,
    StudentHistoryView,
)
from .views.enrolment import StudentEnrolView

student_pages = [
    path("", views.StudentListView.as_view(), name="student-list"),
    # Before "<student_id>/", which would take "enrol" for an id.
    path("enrol/", StudentEnrolView.as_view(), name="student-enrol"),
    # Moves reported by parents, for the administration to confirm (also before the id).
    path(
        "address-changes/",
        self_service.AddressChangeListView.as_view(),
        name="address-change-list",
    ),
    path(
        "address-changes/<str:change_id>/",
        self_service.AddressChangeDetailView.as_view(),
        name="address-change-detail",
    ),
    path("<str:student_id>/", views.StudentDetailView.as_view(), name="student-detail"),
    path(
        "<str:student_id>/progress/",
        views.StudentProgressView.as_view(),
        name="student-progress",
    ),
    path("<str:student_id>/care/", views.StudentCareFileView.as_view(), name="student-care"),
    path(
        "<str:student_id>/care/new/",
        views.CareRecordCreateView.as_view(),
        name="care-record-create",
    ),
    path(
        "<str:student_id>/care/<str:record_id>/",
        views.CareRecordDetailView.as_view(),
        name="care-record-detail",
    ),
    path(
        "<str:student_id>/care/<str:record_id>/edit/",
        views.CareRecordEditView.as_view(),
        name="care-record-edit",
    ),
    path(
        "<str:student_id>/care/<str:record_id>/withhold/",
        views.CareRecordWithholdView.as_view(),
        name="care-record-withhold",
    ),
    path("<str:student_id>/religion/", views.ReligionView.as_view(), name="student-religion"),
    path(
        "<str:student_id>/access-log/",
        views.AccessLogView.as_view(),
        name="student-access-log",
    ),
    path(
        "<str:student_id>/guardians/<str:guardian_id>/authority/",
        views.GuardianAuthorityView.as_view(),
        name="guardian-authority",
    ),
    path(
        "<str:student_id>/guardians/<str:guardian_id>/authority/confirm/",
        views.GuardianAuthorityConfirmView.as_view(),
        name="guardian-authority-confirm",
    ),
    # The school's edits, with history (students/views/editing.py).
    path("<str:student_id>/edit/", StudentEditView.as_view(), name="student-edit"),
    path(
        "<str:student_id>/guardians/<str:guardian_id>/edit/",
        GuardianEditView.as_view(),
        name="guardian-edit",
    ),
    path(
        "<str:student_id>/emergency-contacts/",
        EmergencyContactsEditView.as_view(),
        name="student-emergency-contacts",
    ),
    path("<str:student_id>/history/", StudentHistoryView.as_view(), name="student-history"),
]

child_pages = [
    path("<str:student_id>/", views.ChildDetailView.as_view(), name="child-detail"),
    path(
        "<str:student_id>/care/",
        views.CareFileForGuardianView.as_view(),
        name="child-care",
    ),
    path(
        "<str:student_id>/religion/",
        views.ChildReligionView.as_view(),
        name="child-religion",
    ),
    path(
        "<str:student_id>/access-log/",
        views.ChildAccessLogView.as_view(),
        name="child-access-log",
    ),
    path(
        "<str:student_id>/emergency-contacts/",
        self_service.ChildEmergencyContactsView.as_view(),
        name="child-emergency-contacts",
    ),
]

# A parent's own data (students/views/self_service.py): not under accounts/, whose pages are
# the login's, since the contact address here is not the login address.
own_data_pages = [
    path("contact/", self_service.MyContactView.as_view(), name="my-contact"),
    path("address/", self_service.MyAddressView.as_view(), name="my-address"),
]

withholding_pages = [
    path("", views.WithholdingQueueView.as_view(), name="care-withholdings"),
    path(
        "<str:record_id>/decide/",
        views.WithholdingDecideView.as_view(),
        name="care-withholding-decide",
    ),
]

urlpatterns = [
    path("students/", include(student_pages)),
    path("children/", include(child_pages)),
    path("account/", include(own_data_pages)),
    path("care/withholdings/", include(withholding_pages)),
    path("rollover/", include("students.rollover.urls")),
    path("privacy/", include("students.views.statements")),
]
