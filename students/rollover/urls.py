from django.urls import path

from . import views

urlpatterns = [
    path("", views.RolloverView.as_view(), name="rollover"),
    path("<str:school_id>/plan/", views.RolloverPlanView.as_view(), name="rollover-plan"),
    path("<str:school_id>/apply/", views.RolloverApplyView.as_view(), name="rollover-apply"),
    path(
        "<str:school_id>/schedule/", views.RolloverScheduleView.as_view(), name="rollover-schedule"
    ),
]
