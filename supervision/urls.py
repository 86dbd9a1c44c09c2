from django.urls import path

from supervision import views

urlpatterns = [
    path("", views.session_list, name="supervision-session-list"),
    path("sessions/new/", views.session_create, name="supervision-session-create"),
    path("sessions/<int:pk>/", views.session_detail, name="supervision-session-detail"),
    path("sessions/<int:pk>/edit/", views.session_update, name="supervision-session-update"),
    path("sessions/<int:pk>/amend/", views.session_amend, name="supervision-session-amend"),
    path("sessions/<int:pk>/acknowledge/", views.session_acknowledge, name="supervision-session-acknowledge"),
    path("sessions/<int:pk>/action-items/", views.action_item_create, name="supervision-action-item-create"),
    path("action-items/<int:pk>/toggle/", views.action_item_toggle, name="supervision-action-item-toggle"),
    path("plans/", views.plan_list, name="supervision-plan-list"),
    path("plans/new/", views.plan_edit, name="supervision-plan-create"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="supervision-plan-update"),
    path("compliance/", views.compliance, name="supervision-compliance"),
    path("staff/<int:staff_pk>/log.pdf", views.supervisee_log_pdf, name="supervision-log-pdf"),
]

#: The record each page shows (URL name → model label): a refused request for one is also
#: recorded for the agency owning the record (core.access_log).
record_models = {
    "supervision-session-detail": "supervision.SupervisionSession",
    "supervision-session-update": "supervision.SupervisionSession",
    "supervision-session-amend": "supervision.SupervisionSession",
    "supervision-session-acknowledge": "supervision.SupervisionSession",
    "supervision-action-item-create": "supervision.SupervisionSession",
    "supervision-action-item-toggle": "supervision.ActionItem",
    "supervision-plan-update": "supervision.SupervisionPlan",
    "supervision-log-pdf": "staff.StaffMember",
}
