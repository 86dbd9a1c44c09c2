"""Admin: read-mostly views of finance records for support (writes go through the pages/API)."""

from django.contrib import admin

from core.admin import KeptRecordAdmin, KeptRecordInline
from finance.models import (
    AuditorGrant,
    BudgetLine,
    BudgetRevision,
    Contract,
    Disbursement,
    Expenditure,
    Funder,
    StaffAssignment,
)


class BudgetLineInline(KeptRecordInline, admin.TabularInline):
    model = BudgetLine
    extra = 0
    fields = ["code", "name", "category", "amount", "approved_amount"]
    readonly_fields = ["approved_amount"]


@admin.register(Contract)
class ContractAdmin(KeptRecordAdmin):
    list_display = ["code", "title", "funder", "start", "end", "total", "status", "agency"]
    list_filter = ["status", "agency"]
    search_fields = ["code", "title"]
    list_select_related = ["funder", "agency"]
    inlines = [BudgetLineInline]

    def save_model(self, request, obj, form, change):
        # The admin writes the contract past its services: a changed policy is scanned as any
        # other policy change is (flags_scan_on_policy_change).
        from finance.flags.services import flags_scan_on_policy_change

        before = (
            Contract.objects.filter(pk=obj.pk).values_list("policy", flat=True).first() if change else None
        )
        super().save_model(request, obj, form, change)
        if change:
            flags_scan_on_policy_change(contract=obj, before=before, user=request.user)


@admin.register(Expenditure)
class ExpenditureAdmin(KeptRecordAdmin):
    list_display = ["voucher_no", "contract", "budget_line", "date", "amount", "payee", "status", "source"]
    list_filter = ["status", "source", "payment_method"]
    search_fields = ["voucher_no", "payee", "description", "invoice_no"]
    list_select_related = ["contract", "budget_line"]

    def has_change_permission(self, request, obj=None):
        return False  # corrections go through void or reversal (finance pages), never in place


for model in (Funder, BudgetRevision, Disbursement, StaffAssignment, AuditorGrant):
    admin.site.register(model, KeptRecordAdmin)
