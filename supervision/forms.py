"""Forms of the supervision pages: the (quick) session log, amendments, action items, plans."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput, TimeInput
from staff.models import StaffMember
from supervision.models import (
    CASE_REF_MAX_LENGTH,
    FocusArea,
    Modality,
    SessionFormat,
    SupervisionPlan,
)

_REF_SPLIT = re.compile(r"[,;，；、\n\r]+")


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: StaffMember) -> str:
        return f"{obj.name} ({obj.staff_no})"


class SessionForm(forms.Form):
    """Everything a supervisor logs about a session; the first fields suffice on a phone."""

    attendees = StaffChoiceField(
        label=_("Supervisees present"),
        queryset=StaffMember.objects.none(),
        widget=forms.CheckboxSelectMultiple(
            attrs={"data-picker": "attendees", "data-picker-label": _("Search name or staff no.")}
        ),
        help_text=_("Everyone who took part. Each of them will be asked to acknowledge the record."),
    )
    absent = StaffChoiceField(
        label=_("Invited but absent"),
        queryset=StaffMember.objects.none(),
        widget=forms.CheckboxSelectMultiple(
            attrs={"data-picker": "absent", "data-picker-label": _("Search name or staff no.")}
        ),
        required=False,
        help_text=_("Absent supervisees do not receive minutes and cannot read the notes."),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Start time"), widget=TimeInput())
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=10,
        max_value=480,
        initial=60,
        help_text=_("Between 10 minutes and 8 hours."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
    )
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices, initial=Modality.INDIVIDUAL)
    format = forms.ChoiceField(
        label=_("Format"), choices=SessionFormat.choices, initial=SessionFormat.IN_PERSON
    )
    focus_areas = forms.MultipleChoiceField(
        label=_("Focus areas"), choices=FocusArea.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    cases_discussed = forms.IntegerField(label=_("Cases discussed"), min_value=0, initial=0, required=False)
    case_refs = forms.CharField(
        label=_("Case references"),
        required=False,
        help_text=_(
            "Anonymised case codes only, separated by commas, e.g. XF-2025-014, XF-2025-020. "
            "Letters, digits and dashes with at least one digit; never a child's or family's name "
            "(Chinese characters and spaces are refused)."
        ),
    )
    notes = forms.CharField(
        label=_("Confidential notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Seen only by you, the supervisees present and the director; every read is logged."),
    )
    action_text = forms.CharField(label=_("Action item"), required=False, max_length=500)
    action_owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=StaffMember.objects.none(), required=False
    )
    action_due = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args, staff_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = staff_queryset if staff_queryset is not None else StaffMember.objects.none()
        for name in ("attendees", "absent", "action_owner"):
            self.fields[name].queryset = qs
        if not self.is_bound:
            now = timezone.localtime()
            self.initial.setdefault("date", now.date())
            self.initial.setdefault(
                "start_time", now.replace(minute=(now.minute // 15) * 15).strftime("%H:%M")
            )

    def clean_case_refs(self) -> list[str]:
        raw = self.cleaned_data.get("case_refs") or ""
        refs = [part.strip() for part in _REF_SPLIT.split(raw) if part.strip()]
        too_long = [r for r in refs if len(r) > CASE_REF_MAX_LENGTH]
        if too_long:
            raise forms.ValidationError(_("A case reference has at most 40 characters."))
        return refs

    def clean_cases_discussed(self) -> int:
        return self.cleaned_data.get("cases_discussed") or 0

    def clean(self):
        data = super().clean()
        present = set(data.get("attendees") or [])
        absent = set(data.get("absent") or [])
        if present & absent:
            self.add_error("absent", _("Someone is marked both present and absent."))
        if data.get("case_refs") and data.get("cases_discussed", 0) < len(data["case_refs"]):
            data["cases_discussed"] = len(data["case_refs"])
        return data

    def attendee_list(self):
        from supervision.services import Attendee

        data = self.cleaned_data
        return [Attendee(s, True) for s in data.get("attendees") or []] + [
            Attendee(s, False) for s in data.get("absent") or []
        ]

    def session_fields(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "date",
                "start_time",
                "duration_minutes",
                "modality",
                "format",
                "focus_areas",
                "cases_discussed",
                "case_refs",
                "notes",
            )
        }

    def action_items(self) -> list[dict]:
        data = self.cleaned_data
        if not data.get("action_text"):
            return []
        return [
            {
                "text": data["action_text"],
                "owner": data.get("action_owner"),
                "due_date": data.get("action_due"),
            }
        ]


class AmendForm(SessionForm):
    """A correction to a locked session: the changed values and why."""

    reason = forms.CharField(
        label=_("Reason for the amendment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the original values; the supervisees and the director can read it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("attendees", "absent", "action_text", "action_owner", "action_due"):
            del self.fields[name]


class ActionItemForm(forms.Form):
    text = forms.CharField(label=_("Action item"), max_length=500)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=StaffMember.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args, staff_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff_queryset is not None:
            self.fields["owner"].queryset = staff_queryset


class PlanForm(forms.ModelForm):
    class Meta:
        model = SupervisionPlan
        fields = [
            "supervisee",
            "supervisor",
            "required_minutes",
            "required_individual_minutes",
            "start",
            "end",
        ]
        widgets = {
            "start": DateInput(),
            "end": DateInput(),
        }
        help_texts = {
            "required_minutes": _("Minutes of supervision per month (default 120)."),
            "required_individual_minutes": _(
                "Of which at least this many in individual sessions (default 60)."
            ),
            "end": _("Leave empty while the plan continues."),
        }

    def __init__(self, *args, staff_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff_queryset is not None:
            self.fields["supervisee"].queryset = staff_queryset
            self.fields["supervisor"].queryset = staff_queryset
        if not self.instance.pk:
            self.initial.setdefault("start", dt.date.today().replace(day=1))
