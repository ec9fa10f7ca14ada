"""The accounts' pages under ``accounts/``: login, second factor, API tokens, password reset,
invitations and staff."""

from django.urls import include, path

from . import mfa_views, reset, token_views, views

app_name = "accounts"

account_pages = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("mfa/setup/", mfa_views.SecondFactorSetupView.as_view(), name="mfa-setup"),
    path("mfa/verify/", mfa_views.SecondFactorVerifyView.as_view(), name="mfa-verify"),
    path("mfa/backup-codes/", mfa_views.BackupCodesView.as_view(), name="mfa-backup-codes"),
    path("tokens/", token_views.ApiTokenListView.as_view(), name="api-tokens"),
    path(
        "tokens/<str:token_id>/revoke/",
        token_views.ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
    path("password_reset/", reset.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", reset.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", reset.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("invitation/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation"),
    path(
        "invitations/guardians/<str:guardian_id>/",
        views.InvitationCreateView.as_view(),
        name="invitation-create",
    ),
    path(
        "invitations/<str:invitation_id>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
    path("staff/", views.StaffListView.as_view(), name="staff"),
    path(
        "staff/<str:staff_id>/deactivate/",
        views.StaffDeactivateView.as_view(),
        name="staff-deactivate",
    ),
    path("staff/substitutes/", views.SubstituteCreateView.as_view(), name="substitute-create"),
    path(
        "staff/proposals/<str:proposal_id>/confirm/",
        views.TeacherProposalConfirmView.as_view(),
        name="teacher-proposal-confirm",
    ),
    path(
        "staff/proposals/<str:proposal_id>/dismiss/",
        views.TeacherProposalDismissView.as_view(),
        name="teacher-proposal-dismiss",
    ),
]

urlpatterns = [path("accounts/", include(account_pages))]
