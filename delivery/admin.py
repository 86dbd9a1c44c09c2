from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from delivery.models import ServiceActivity, Target, TargetRevision


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ("contract", "code", "name", "measure", "quantity")
    list_filter = ("measure",)
    search_fields = ("code", "name", "contract__code")

    # A target's code or measure changes the delivery findings: scanned as on any other path.
    def save_model(self, request, obj, form, change):
        from finance.flags.services import flags_scan_if_changed

        with flags_scan_if_changed(contract=obj.contract, user=request.user):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        from finance.flags.services import flags_scan_if_changed

        with flags_scan_if_changed(contract=obj.contract, user=request.user):
            super().delete_model(request, obj)


@admin.register(TargetRevision)
class TargetRevisionAdmin(admin.ModelAdmin):
    list_display = ("contract", "code", "action", "source", "changed_by", "changed_at")
    readonly_fields = [f.name for f in TargetRevision._meta.fields]


@admin.register(ServiceActivity)
class ServiceActivityAdmin(SimpleHistoryAdmin):
    list_display = ("activity_no", "contract", "date", "staff", "target", "duration_minutes", "participants")
    list_filter = ("source",)
    search_fields = ("activity_no", "contract__code", "staff__staff_no")
    raw_id_fields = ("staff", "target", "contract", "import_batch", "recorded_by")
