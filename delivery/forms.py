"""Forms: the phone-first visit log, a director's target edit, the activity file upload."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import dates
from core.forms import typed_when_many
from core.widgets import DateInput
from delivery.models import MAX_ACTIVITY_MINUTES, MAX_PARTICIPANTS, Measure, validate_case_code


class ActivityForm(forms.Form):
    """Date, target, minutes, case code, participants, place, note: a visit in under half a minute."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    target = forms.ModelChoiceField(label=_("Target"), queryset=None, empty_label=None)
    duration_minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=MAX_ACTIVITY_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "5"}),
    )
    case_code = forms.CharField(
        label=_("Case code"),
        required=False,
        max_length=40,
        validators=[validate_case_code],
        help_text=_("Case codes only, never a child's name."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    participants = forms.IntegerField(
        label=_("Participants"),
        min_value=1,
        max_value=MAX_PARTICIPANTS,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    location = forms.CharField(label=_("Place"), required=False, max_length=200)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, targets, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff is not None:
            # A director records anyone's work (an activity sheet handed in on paper, say).
            self.fields = {
                "staff": forms.ModelChoiceField(
                    label=_("Staff member"),
                    queryset=staff,
                    help_text=_("Whose work this is: a director may record it for anyone of the agency."),
                ),
                **self.fields,
            }
            self.fields["staff"].label_from_instance = lambda m: f"{m.name} ({m.staff_no})"
            if typed_when_many(self.fields["staff"], to_field="staff_no"):
                self.fields["staff"].help_text = _(
                    "Whose work this is, by staff number: a director may record it for anyone of the agency."
                )
        self.fields["target"].queryset = targets
        self.fields["target"].label_from_instance = lambda t: f"{t.name} ({t.contract.code})"
        self.fields["date"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        target = data.get("target")
        if target is not None and target.measure == Measure.CASES and not data.get("case_code"):
            self.add_error("case_code", _("A case code is required for a target counted in cases."))
        return data


class TargetForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=200)
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))


class ActivityUploadForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None, to_field_name="code")
    file = forms.FileField(
        label=_("Service records file"), help_text=_("CSV (UTF-8 or GB18030) or XLSX, one row per activity.")
    )

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts


class WorkloadForm(forms.Form):
    """The workload page's choice: a year, one month of it or all twelve, and the order."""

    SORTS = {
        "staff": (_("Staff number"), lambda row: (row.month, row.staff_no)),
        "minutes": (_("Most minutes delivered first"), lambda row: (row.month, -row.minutes, row.staff_no)),
        "supervision": (
            _("Least supervision received first"),
            lambda row: (row.month, row.supervision_minutes, -row.minutes, row.staff_no),
        ),
    }

    year = forms.IntegerField(label=_("Year"), min_value=dates.FIRST_YEAR, max_value=dates.LAST_YEAR)
    month = forms.TypedChoiceField(
        label=_("Month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All months")), *((m, f"{m:02d}") for m in range(1, 13))],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=[(key, label) for key, (label, _key) in SORTS.items()]
    )

    @classmethod
    def for_request(cls, query, today) -> WorkloadForm:
        """The form bound to ``query``. Without a year (a first visit, or its next page) it shows
        this year's running month; a year without a month is the whole year."""
        default_month = "" if "year" in query else today.month
        return cls(
            {
                "year": query.get("year", today.year),
                "month": query.get("month", default_month),
                "sort": query.get("sort", "staff"),
            }
        )

    def choice(self, today) -> tuple[int, int | None, str]:
        """(year, month or None for the whole year, sort), today's month where the form is wrong."""
        if self.is_valid():
            data = self.cleaned_data
            return data["year"], data["month"], data["sort"] or "staff"
        return today.year, today.month, "staff"
