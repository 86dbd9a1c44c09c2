from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.models import Agency, ImportBatch, Membership, SensitiveRead


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "country", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "agency"]
    list_filter = ["agency"]
    search_fields = ["user__username"]
    list_select_related = ["user", "agency"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "agency",
        "kind",
        "target",
        "file_name",
        "status",
        "row_count",
        "created_by",
    ]
    list_filter = ["agency", "kind", "status"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(SensitiveRead)
class SensitiveReadAdmin(admin.ModelAdmin):
    list_display = ["read_at", "agency", "user", "object_repr", "channel"]
    list_filter = ["agency", "channel"]
    readonly_fields = [f.name for f in SensitiveRead._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
