"""Admin registrations of the staff app (with django-simple-history's change history)."""

from django.contrib import admin

from core.admin import KeptRecordAdmin, KeptRecordInline
from staff.models import EmploymentSpell, Qualification, StaffMember


class SpellInline(KeptRecordInline, admin.TabularInline):
    model = EmploymentSpell
    extra = 0
    fields = ["hire_date", "exit_date", "exit_reason", "position", "employment_type"]


class QualificationInline(KeptRecordInline, admin.TabularInline):
    model = Qualification
    extra = 0
    fields = ["level", "cert_no", "issued", "registration_expires", "verified_at"]
    readonly_fields = ["verified_at"]


@admin.register(StaffMember)
class StaffMemberAdmin(KeptRecordAdmin):
    list_display = ["staff_no", "name", "position", "employment_type", "agency"]
    list_filter = ["agency", "employment_type"]
    search_fields = ["staff_no", "name", "position"]
    list_select_related = ["agency"]
    raw_id_fields = ["user"]
    inlines = [SpellInline, QualificationInline]


@admin.register(EmploymentSpell)
class EmploymentSpellAdmin(KeptRecordAdmin):
    list_display = ["staff", "hire_date", "exit_date", "exit_reason", "employment_type", "agency"]
    list_filter = ["agency", "exit_reason", "employment_type"]
    search_fields = ["staff__name", "staff__staff_no"]
    list_select_related = ["staff", "agency"]
    date_hierarchy = "hire_date"
    raw_id_fields = ["staff"]


@admin.register(Qualification)
class QualificationAdmin(KeptRecordAdmin):
    list_display = ["cert_no", "staff", "level", "issued", "registration_expires", "verified_at", "agency"]
    list_filter = ["agency", "level"]
    search_fields = ["cert_no", "staff__name", "staff__staff_no"]
    list_select_related = ["staff", "agency"]
    raw_id_fields = ["staff", "verified_by"]
