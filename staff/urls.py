from django.urls import path

from staff import views

urlpatterns = [
    path("", views.staff_list, name="staff-list"),
    path("new/", views.staff_form, name="staff-create"),
    path("import/", views.roster_upload, name="staff-import"),
    path("retention/", views.retention, name="staff-retention"),
    path("certificates/", views.expiring, name="staff-expiring"),
    path("reports/<slug:kind>.<str:fmt>", views.report_download, name="staff-report"),
    path("<int:pk>/", views.staff_detail, name="staff-detail"),
    path("<int:pk>/edit/", views.staff_form, name="staff-edit"),
    path("<int:staff_pk>/spells/new/", views.spell_form, name="staff-spell-create"),
    path("spells/<int:pk>/edit/", views.spell_form, name="staff-spell-edit"),
    path("<int:staff_pk>/qualifications/new/", views.qualification_form, name="staff-qualification-create"),
    path("qualifications/<int:pk>/edit/", views.qualification_form, name="staff-qualification-edit"),
    path("qualifications/<int:pk>/verify/", views.qualification_verify, name="staff-qualification-verify"),
    path("qualifications/<int:pk>/scan/", views.qualification_scan, name="staff-qualification-scan"),
]

#: The record each page shows (URL name → model label): a refused request for one is also
#: recorded for the agency owning the record (core.access_log).
record_models = {
    "staff-detail": "staff.StaffMember",
    "staff-edit": "staff.StaffMember",
    "staff-spell-create": "staff.StaffMember",
    "staff-spell-edit": "staff.EmploymentSpell",
    "staff-qualification-create": "staff.StaffMember",
    "staff-qualification-edit": "staff.Qualification",
    "staff-qualification-verify": "staff.Qualification",
    "staff-qualification-scan": "staff.Qualification",
}
