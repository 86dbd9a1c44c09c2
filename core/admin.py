from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.models import Agency, ImportBatch, Membership, SensitiveRead


class KeptRecordAdmin(SimpleHistoryAdmin):
    """Admin of records that history relies on (spells, plans, events, contracts...): never deleted.

    Past figures (retention, compliance, budgets) are computed from these records, so they are
    ended, closed or corrected through the app's services; the admin offers no delete page and
    no bulk delete action, even to a superuser.
    """

    def has_delete_permission(self, request, obj=None):
        return False


class KeptRecordInline:
    """Mixin for inlines of such records: rows cannot be deleted from the parent's page."""

    can_delete = False

    def has_delete_permission(self, request, obj=None):
        return False


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
