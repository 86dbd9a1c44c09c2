"""Admin: plans only. Sessions hold confidential notes and are read through the app, where
every read is logged, so they are deliberately not in the admin."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from supervision.models import SupervisionPlan


@admin.register(SupervisionPlan)
class SupervisionPlanAdmin(SimpleHistoryAdmin):
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
