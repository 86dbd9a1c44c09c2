from django.contrib import admin

from core.admin import KeptRecordAdmin
from training.models import CERequirement, TrainingEvent, TrainingPolicy, TrainingRecord


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


admin.site.register(CERequirement, KeptRecordAdmin)
admin.site.register(TrainingPolicy, KeptRecordAdmin)
