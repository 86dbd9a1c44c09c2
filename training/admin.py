from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from core.admin import KeptRecordAdmin
from training.models import CERequirement, TrainingEvent, TrainingPolicy, TrainingRecord
from training.services import (
    EVENT_FIELDS,
    event_check,
    event_update,
    record_approved_hours,
    record_publish_change,
)


class TrainingEventAdminForm(forms.ModelForm):
    """Refuses, beside the form's own fields, what the event's attendance cannot take (as the
    app's event page does: ``training.services.event_check``)."""

    class Meta:
        model = TrainingEvent
        fields = ["agency", *EVENT_FIELDS, "created_by"]

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the form's values
        if self.instance.pk and not self.errors:
            try:
                event_check(self.instance)
            except ValidationError as error:
                self.add_error(None, error)


@admin.register(TrainingEvent)
class TrainingEventAdmin(KeptRecordAdmin):
    list_display = ["title", "agency", "start_date", "end_date", "hours", "ce_eligible"]
    list_filter = ["agency", "category", "delivery"]
    search_fields = ["title", "provider"]
    form = TrainingEventAdminForm

    # A changed event is saved by the service, as on the event page: its attendance records take
    # its title and last day, and a day whose approved hours moved is published (a delivery
    # rule reads them).
    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = obj.created_by or request.user
            super().save_model(request, obj, form, change)
            return
        obj._history_user = request.user  # as SimpleHistoryAdmin.save_model does
        event_update(event=obj, user=request.user)


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
        record_publish_change(
            agency=obj.agency_id, before=before, after=record_approved_hours(obj.pk), by=request.user
        )


admin.site.register(CERequirement, KeptRecordAdmin)
admin.site.register(TrainingPolicy, KeptRecordAdmin)
