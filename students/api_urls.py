"""The pupils' API under ``/api/v1/`` (namespace ``api``, given by the root urls)."""

from django.urls import path

from . import api
from .api.editing import GuardianDetailApi
from .api.staff import StaffDeactivateApi, StaffListApi
from .api.staff_invitations import StaffInvitationListApi
from .rollover.api import RolloverApplyApi, RolloverPreviewApi

urlpatterns = [
    path("staff/", StaffListApi.as_view(), name="staff-list"),
    path("staff/invitations/", StaffInvitationListApi.as_view(), name="staff-invitation-list"),
    path("staff/<str:staff_id>/deactivate/", StaffDeactivateApi.as_view(), name="staff-deactivate"),
    path("rollover/preview/", RolloverPreviewApi.as_view(), name="rollover-preview"),
    path("rollover/", RolloverApplyApi.as_view(), name="rollover-apply"),
    path("students/", api.StudentListApi.as_view(), name="student-list"),
    path("students/<str:student_id>/", api.StudentDetailApi.as_view(), name="student-detail"),
    path(
        "students/<str:student_id>/guardians/<str:guardian_id>/",
        GuardianDetailApi.as_view(),
        name="student-guardian",
    ),
    path(
        "students/<str:student_id>/progress/",
        api.ProgressApi.as_view(),
        name="student-progress",
    ),
    path(
        "students/<str:student_id>/care-records/",
        api.CareRecordListApi.as_view(),
        name="student-care-records",
    ),
    path(
        "students/<str:student_id>/care-records/<str:record_id>/",
        api.CareRecordDetailApi.as_view(),
        name="student-care-record",
    ),
    path(
        "students/<str:student_id>/religion/",
        api.ReligionApi.as_view(),
        name="student-religion",
    ),
    path(
        "students/<str:student_id>/access-log/",
        api.AccessLogApi.as_view(),
        name="student-access-log",
    ),
    path("groups/", api.GroupListApi.as_view(), name="group-list"),
    path("groups/<str:group_id>/", api.GroupDetailApi.as_view(), name="group-detail"),
    path("schools/", api.SchoolListApi.as_view(), name="school-list"),
    path("schools/<str:school_id>/", api.SchoolDetailApi.as_view(), name="school-detail"),
]
