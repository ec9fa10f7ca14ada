"""The pages under ``accounts/`` that need the school: the director's staff page and the
guardian invitations. The root URL conf (samen_een/urls.py) serves them in the ``accounts``
namespace together with accounts/urls.py, so their paths and names stay ``accounts:…``."""

from django.urls import include, path

from .views import invitations, staff, staff_invitations

school_account_pages = [
    path("invitation/<str:token>/", invitations.InvitationAcceptView.as_view(), name="invitation"),
    path(
        "invitations/guardians/<str:guardian_id>/",
        invitations.InvitationCreateView.as_view(),
        name="invitation-create",
    ),
    path(
        "invitations/<str:invitation_id>/revoke/",
        invitations.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
    path("staff/", staff.StaffListView.as_view(), name="staff"),
    path(
        "staff/<str:staff_id>/deactivate/",
        staff.StaffDeactivateView.as_view(),
        name="staff-deactivate",
    ),
    path(
        "staff/<str:staff_id>/deactivate/confirm/",
        staff.StaffDeactivateConfirmView.as_view(),
        name="staff-deactivate-confirm",
    ),
    # Staff invitations (students/views/staff_invitations.py).
    path(
        "staff/invitations/",
        staff_invitations.StaffInvitationCreateView.as_view(),
        name="staff-invitation-create",
    ),
    path(
        "staff/invitations/<str:invitation_id>/resend/",
        staff_invitations.StaffInvitationResendView.as_view(),
        name="staff-invitation-resend",
    ),
    path(
        "staff/invitations/<str:invitation_id>/revoke/",
        staff_invitations.StaffInvitationRevokeView.as_view(),
        name="staff-invitation-revoke",
    ),
    path(
        "staff-invitation/<str:token>/",
        staff_invitations.StaffInvitationAcceptView.as_view(),
        name="staff-invitation",
    ),
    path("staff/substitutes/", staff.SubstituteCreateView.as_view(), name="substitute-create"),
    path(
        "staff/proposals/<str:proposal_id>/confirm/",
        staff.TeacherProposalConfirmView.as_view(),
        name="teacher-proposal-confirm",
    ),
    path(
        "staff/proposals/<str:proposal_id>/dismiss/",
        staff.TeacherProposalDismissView.as_view(),
        name="teacher-proposal-dismiss",
    ),
]

urlpatterns = [path("accounts/", include(school_account_pages))]
