from django.urls import path

from training import views

urlpatterns = [
    path("events/", views.event_list, name="training-event-list"),
    path("events/new/", views.event_edit, name="training-event-create"),
    path("events/<int:pk>/", views.event_detail, name="training-event-detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="training-event-edit"),
    path("events/<int:pk>/attendance/", views.attendance_sheet, name="training-attendance"),
    path("records/", views.record_list, name="training-record-list"),
    path("records/<int:pk>/evidence/", views.evidence, name="training-evidence"),
    path("records/<int:pk>/review/", views.review, name="training-review"),
    path("my/", views.my_training, name="training-my"),
    path("my/submit/", views.submit, name="training-submit"),
    path("approvals/", views.approvals, name="training-approvals"),
    path("compliance/", views.compliance, name="training-compliance"),
    path("transcript/<int:pk>/", views.transcript, name="training-transcript"),
    path("summary/", views.summary, name="training-summary"),
    path("requirements/", views.requirements, name="training-requirements"),
    path("import/", views.import_upload, name="training-import"),
]

#: The record each page shows (URL name → model label): a refused request for one is also
#: recorded for the agency owning the record (core.access_log).
record_models = {
    "training-event-detail": "training.TrainingEvent",
    "training-event-edit": "training.TrainingEvent",
    "training-attendance": "training.TrainingEvent",
    "training-evidence": "training.TrainingRecord",
    "training-review": "training.TrainingRecord",
    "training-transcript": "staff.StaffMember",
}
