"""Admin: plans only. Sessions hold confidential notes and are read through the app, where
every read is logged, so they are deliberately not in the admin."""

from django.contrib import admin

from core.admin import KeptRecordAdmin
from supervision.models import SupervisionPlan


@admin.register(SupervisionPlan)
class SupervisionPlanAdmin(KeptRecordAdmin):
    list_display = [
        "supervisee",
        "supervisor",
        "required_minutes",
        "required_individual_minutes",
        "start",
        "end",
    ]
    list_select_related = ["supervisee", "supervisor"]
    list_filter = ["agency"]
