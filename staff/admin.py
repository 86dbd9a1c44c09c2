"""Admin registrations of the staff app (with django-simple-history's change history)."""

from django.contrib import admin

from core.admin import KeptRecordAdmin, KeptRecordInline
from staff.models import EmploymentSpell, Qualification, StaffMember
from staff.services import people_basis, people_publish_change


class PeopleChangeAdmin(KeptRecordAdmin):
    """The admin writes past the services: a change of what the flag rules read of the person
    (number, name, spells, the inline's too) is published as on any other path, after the
    related rows are saved (``staff.services.people_publish_change``). ``person``: the attribute
    of the record that holds its person's id."""

    person = "pk"

    def _people(self, obj) -> set[int]:
        return {getattr(obj, self.person)}

    def save_model(self, request, obj, form, change):
        ids = {pk for pk in self._people(obj) if pk is not None}
        if change:
            stored = type(obj).objects.filter(pk=obj.pk).first()
            ids |= self._people(stored) if stored is not None else set()
        request._people_before = (ids, people_basis(staff_ids=ids))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        ids, before = getattr(request, "_people_before", (set(), {}))
        ids = ids | self._people(form.instance)
        people_publish_change(
            agency=form.instance.agency_id, before=before, after=people_basis(staff_ids=ids), by=request.user
        )


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
class StaffMemberAdmin(PeopleChangeAdmin):
    list_display = ["staff_no", "name", "position", "employment_type", "agency"]
    list_filter = ["agency", "employment_type"]
    search_fields = ["staff_no", "name", "position"]
    list_select_related = ["agency"]
    raw_id_fields = ["user"]
    inlines = [SpellInline, QualificationInline]


@admin.register(EmploymentSpell)
class EmploymentSpellAdmin(PeopleChangeAdmin):
    list_display = ["staff", "hire_date", "exit_date", "exit_reason", "employment_type", "agency"]
    list_filter = ["agency", "exit_reason", "employment_type"]
    search_fields = ["staff__name", "staff__staff_no"]
    list_select_related = ["staff", "agency"]
    date_hierarchy = "hire_date"
    raw_id_fields = ["staff"]
    person = "staff_id"


@admin.register(Qualification)
class QualificationAdmin(KeptRecordAdmin):
    list_display = ["cert_no", "staff", "level", "issued", "registration_expires", "verified_at", "agency"]
    list_filter = ["agency", "level"]
    search_fields = ["cert_no", "staff__name", "staff__staff_no"]
    list_select_related = ["staff", "agency"]
    raw_id_fields = ["staff", "verified_by"]
