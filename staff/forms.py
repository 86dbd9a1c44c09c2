"""Forms of the staff pages; model validation (``full_clean``) stays the single source of rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import FIRST_YEAR, LAST_YEAR, AsOfDateField
from core.selectors import active_logins
from core.widgets import DateInput
from staff.models import EmploymentSpell, Qualification, StaffMember


class StaffMemberForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = [
            "staff_no",
            "name",
            "phone",
            "email",
            "position",
            "employment_type",
            "education",
            "sw_degree",
            "user",
        ]
        help_texts = {
            "staff_no": _("Unique in the agency, e.g. S001."),
            "user": _("The login of this person, if they use the platform."),
            "sw_degree": _("Holds a degree in social work."),
        }

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agency = agency
        # Deactivated logins leave the picker, except the one this record already names.
        self.fields["user"].queryset = active_logins(agency, keep=self.instance.user_id).order_by("username")
        if self.instance.pk is None:
            # A new person starts with their first employment spell, so they count from day one.
            self.fields["hire_date"] = forms.DateField(
                label=_("Hire date"),
                widget=DateInput(),
                help_text=_("First day of employment: the person is counted in headcount from this day."),
            )
            self.order_fields(["staff_no", "name", "hire_date", "position", "employment_type"])


class SpellForm(forms.ModelForm):
    class Meta:
        model = EmploymentSpell
        fields = ["hire_date", "exit_date", "exit_reason", "exit_notes", "position", "employment_type"]
        widgets = {
            "hire_date": DateInput(),
            "exit_date": DateInput(),
            "exit_notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "hire_date": _("First day of this period of employment. A re-hire is a new spell."),
            "exit_reason": _("Required with an exit date. Contract end and dismissal count as involuntary."),
            "exit_notes": _("What the person said in the exit interview; only the director sees this."),
        }

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.staff = staff
        self.instance.agency_id = staff.agency_id
        if not self.instance.pk:
            self.initial.setdefault("position", staff.position)
            self.initial.setdefault("employment_type", staff.employment_type)


class QualificationForm(forms.ModelForm):
    class Meta:
        model = Qualification
        fields = ["level", "kind", "cert_no", "issued", "registration_expires", "scan"]
        widgets = {"issued": DateInput(), "registration_expires": DateInput()}
        help_texts = {
            "cert_no": _("As printed on the certificate; unique in the agency."),
            "registration_expires": _("End of the current 3-year registration cycle."),
        }

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.staff = staff
        self.instance.agency_id = staff.agency_id


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_(
            "CSV (UTF-8 or GB18030) or XLSX, one row per employment spell, headers in English or Chinese. "
            "You will see a preview before anything is saved."
        ),
    )


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)


class AsOfForm(forms.Form):
    as_of = AsOfDateField(label=_("As of"))
