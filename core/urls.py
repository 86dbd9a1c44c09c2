from django.contrib.auth import views as auth_views
from django.urls import path

from core import access_log, health, report_views, views

urlpatterns = [
    path("health/", health.health, name="health"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("members/", views.members, name="members"),
    path("members/new/", views.member_create, name="member-create"),
    path("members/<int:pk>/roles/", views.member_roles, name="member-roles"),
    path("history/<str:app_label>/<str:model_name>/<int:pk>/", views.record_history, name="record-history"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("confidential-reads/", views.sensitive_reads, name="sensitive-reads"),
    path("access-log/", access_log.refused_requests, name="access-log"),
    path("reports/files/<int:pk>/", report_views.report_file, name="report-file"),
]
