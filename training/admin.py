from django.contrib import admin

from core.admin import KeptRecordAdmin
from training.models import CERequirement, TrainingEvent, TrainingPolicy, TrainingRecord
from training.services import record_approved_hours, record_publish_change


@admin.register(TrainingEvent)
class TrainingEventAdmin(KeptRecordAdmin):
    list_display = ["title", "agency", "start_date", "end_date", "hours", "ce_eligible"]
    list_filter = ["agency", "category", "delivery"]
    search_fields = ["title", "provider"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(KeptRecordAdmin):
    list_display = ["staff", "date", "title", "hours", "status", "source", "agency"]
    list_filter = ["agency", "status", "source", "ce_eligible"]
    search_fields = ["title", "staff__name", "staff__staff_no"]
    raw_id_fields = ["staff", "event", "import_batch"]

    # The admin writes past the services: a change of the record's approved hours on a day is
    # published as on any other path (a delivery rule reads them).
    def save_model(self, request, obj, form, change):
        before = record_approved_hours(obj.pk) if change else None
        super().save_model(request, obj, form, change)
        record_publish_change(agency=obj.agency_id, before=before, after=record_approved_hours(obj.pk))


admin.site.register(CERequirement, KeptRecordAdmin)
admin.site.register(TrainingPolicy, KeptRecordAdmin)
