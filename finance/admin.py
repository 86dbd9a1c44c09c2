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
        # The admin writes the contract past its services: a change of what its findings depend
        # on (the period, the policy, the lines of the inline) is scanned as on any other path,
        # and a change of disabled_rules keeps the coded reason in the history.
        from finance.flags.services import (
            contract_note_disabled_rules_change,
            flags_scan_basis,
            flags_scan_on_change,
        )

        if not change:
            super().save_model(request, obj, form, change)
            return
        stored = Contract.objects.filter(pk=obj.pk).values_list("policy", flat=True).first()
        before = flags_scan_basis(obj)
        contract_note_disabled_rules_change(contract=obj, before=stored)
        super().save_model(request, obj, form, change)
        flags_scan_on_change(contract=obj, before=before, user=request.user)
        request._flags_scan_before = before

    def save_related(self, request, form, formsets, change):
        # The budget lines of the inline are saved after the contract: compared again once they
        # are (the same transaction: a scan save_model queued is not queued twice).
        from finance.flags.services import flags_scan_on_change

        super().save_related(request, form, formsets, change)
        before = getattr(request, "_flags_scan_before", None)
        if before is not None:
            flags_scan_on_change(contract=form.instance, before=before, user=request.user)


class ContractScanAdmin(KeptRecordAdmin):
    """Admin of a record of one contract that its findings depend on (an assignment, a target):
    a change is scanned as on any other path (``flags_scan_if_changed``)."""

    def save_model(self, request, obj, form, change):
        from finance.flags.services import flags_scan_if_changed

        with flags_scan_if_changed(contract=obj.contract, user=request.user):
            super().save_model(request, obj, form, change)


@admin.register(Expenditure)
class ExpenditureAdmin(KeptRecordAdmin):
    list_display = ["voucher_no", "contract", "budget_line", "date", "amount", "payee", "status", "source"]
    list_filter = ["status", "source", "payment_method"]
    search_fields = ["voucher_no", "payee", "description", "invoice_no"]
    list_select_related = ["contract", "budget_line"]

    def has_change_permission(self, request, obj=None):
        return False  # corrections go through void or reversal (finance pages), never in place


for model in (Funder, BudgetRevision, Disbursement, AuditorGrant):
    admin.site.register(model, KeptRecordAdmin)
admin.site.register(StaffAssignment, ContractScanAdmin)
