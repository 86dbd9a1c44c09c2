from django.contrib.auth import views as auth_views
from django.urls import path

from core import (
    access_log,
    account_views,
    calendar_views,
    health,
    report_list_views,
    report_views,
    views,
)

urlpatterns = [
    path("health/", health.health, name="health"),
    path("login/", account_views.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", account_views.account, name="account"),
    path("account/language/", account_views.account_language, name="account-language"),
    path("account/password/", account_views.account_password_change, name="password_change"),
    path(
        "account/tokens/revoke-all/",
        account_views.account_tokens_revoke_all,
        name="account-tokens-revoke-all",
    ),
    path(
        "account/tokens/<str:token_id>/revoke/",
        account_views.account_token_revoke,
        name="account-token-revoke",
    ),
    path("password-reset/", account_views.password_reset, name="password_reset"),
    path("password-reset/sent/", account_views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        account_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", account_views.password_reset_complete, name="password_reset_complete"),
    path("invitation/<uidb64>/<token>/", account_views.invitation_accept, name="invitation-accept"),
    path("members/", views.members, name="members"),
    path("members/new/", views.member_invite, name="member-invite"),
    path("members/<int:pk>/roles/", views.member_roles, name="member-roles"),
    path("members/<int:pk>/invitation/", views.member_invitation, name="member-invitation"),
    path("members/<int:pk>/active/", views.member_active, name="member-active"),
    path("history/<str:app_label>/<str:model_name>/<int:pk>/", views.record_history, name="record-history"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("confidential-reads/", views.sensitive_reads, name="sensitive-reads"),
    path("access-log/", access_log.refused_requests, name="access-log"),
    path("calendar/", calendar_views.calendar_years, name="calendar-years"),
    path("calendar/<int:year>/", calendar_views.calendar_year, name="calendar-year"),
    path("reports/files/", report_list_views.report_files, name="report-files"),
    path("reports/files/<int:pk>/", report_views.report_file, name="report-file"),
]

#: The record each page shows (URL name → model label): a refused request for one is also
#: recorded for the agency owning the record (core.access_log).
record_models = {
    "member-roles": "core.Membership",
    "member-invitation": "core.Membership",
    "member-active": "core.Membership",
    "job-detail": "core.Job",
    "report-file": "core.Job",
}
