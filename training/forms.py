"""Forms of the training pages: events, the sign-in sheet, submissions, reviews, requirements, import."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import AsOfDateField
from core.ordering import ordering_choices
from core.widgets import DateInput
from training.models import (
    MAX_HOURS,
    MIN_HOURS,
    NATIONAL_LEVELS,
    RecordStatus,
    TrainingCategory,
    TrainingEvent,
    TrainingRecord,
    validate_evidence,
)

#: A yes/no filter that may be left open: "All", not Django's "Unknown" (未知).
ANY_YES_NO = forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))])


class EventForm(forms.ModelForm):
    class Meta:
        model = TrainingEvent
        fields = [
            "title",
            "provider",
            "delivery",
            "category",
            "start_date",
            "end_date",
            "hours",
            "ce_eligible",
            "location",
            "online",
            "notes",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class SubmissionForm(forms.Form):
    """A staff member's own external training, with evidence."""

    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("Course or event title."))
    provider = forms.CharField(
        label=_("Provider"), max_length=200, required=False, help_text=_("Who ran it.")
    )
    date = forms.DateField(
        label=_("Date"), widget=DateInput(), help_text=_("Date of the training, or its last day.")
    )
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=4,
        decimal_places=1,
        min_value=MIN_HOURS,
        max_value=MAX_HOURS,
        help_text=_("Hours of training, one decimal place at most."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=TrainingCategory.choices, initial="other")
    ce_eligible = forms.BooleanField(
        label=_("Counts as continuing education"),
        required=False,
        initial=True,
        help_text=_("Tick if the provider's certificate says it counts toward re-registration."),
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        required=True,
        validators=[validate_evidence],
        help_text=_("Certificate or attendance proof: PDF, JPEG or PNG, at most 5 MB."),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        help_text=_("Required when rejecting: the staff member sees it."),
    )


class AttendanceForm(forms.Form):
    """The sign-in sheet: one tick box and one hours box per staff member.

    Field names are ``present_<id>`` and ``hours_<id>``; empty hours mean the event's hours.
    """

    def __init__(self, *args, event: TrainingEvent, staff, attended: dict[int, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.staff = list(staff)
        for member in self.staff:
            self.fields[f"present_{member.pk}"] = forms.BooleanField(
                label=f"{member.staff_no} {member.name}", required=False, initial=member.pk in attended
            )
            self.fields[f"hours_{member.pk}"] = forms.DecimalField(
                label=_("Hours for %(name)s") % {"name": member.name},
                required=False,
                max_digits=4,
                decimal_places=1,
                min_value=MIN_HOURS,
                max_value=event.hours,
                initial=attended.get(member.pk, event.hours),
            )

    def rows(self):
        for member in self.staff:
            yield member, self[f"present_{member.pk}"], self[f"hours_{member.pk}"]

    def entries(self) -> list[tuple]:
        return [
            (member, self.cleaned_data.get(f"hours_{member.pk}"))
            for member in self.staff
            if self.cleaned_data.get(f"present_{member.pk}")
        ]


class RequirementForm(forms.Form):
    """Hours per cycle and cycle length for each national level, plus the annual minimum."""

    annual_minimum_hours = forms.DecimalField(
        label=_("Annual minimum for all staff"),
        required=False,
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("0"),
        help_text=_(
            "Approved training hours every employed staff member needs per calendar year; empty = none."
        ),
    )

    def __init__(self, *args, requirements: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for level in NATIONAL_LEVELS:
            req = requirements[level.value]
            self.fields[f"hours_{level.value}"] = forms.DecimalField(
                label=_("%(level)s: hours per cycle") % {"level": level.label},
                max_digits=5,
                decimal_places=1,
                min_value=Decimal("0"),
                initial=req.hours,
            )
            self.fields[f"years_{level.value}"] = forms.IntegerField(
                label=_("%(level)s: cycle length in years") % {"level": level.label},
                min_value=1,
                max_value=10,
                initial=req.cycle_years,
            )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Training records file"),
        help_text=_("CSV or XLSX, one row per training record, with the columns listed above."),
    )


class AsOfForm(forms.Form):
    as_of = AsOfDateField(label=_("As of"), required=False)


class RecordFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=RecordStatus.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=TrainingCategory.choices, label=_("Category"))
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("From"), widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("To"), widget=DateInput()
    )
    ordering = django_filters.OrderingFilter(
        fields=(("date", "date"), ("hours", "hours"), ("title", "title"), ("staff__staff_no", "staff")),
        choices=ordering_choices(
            ("date", _("Date")), ("hours", _("Hours")), ("title", _("Title")), ("staff", _("Staff no."))
        ),
        label=_("Sort"),
    )

    ce_eligible = django_filters.BooleanFilter(label=_("Counts as continuing education"), widget=ANY_YES_NO)

    class Meta:
        model = TrainingRecord
        fields = ["status", "category", "ce_eligible"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(
            Q(title__icontains=value) | Q(provider__icontains=value) | Q(staff__name__icontains=value)
        )


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    category = django_filters.ChoiceFilter(choices=TrainingCategory.choices, label=_("Category"))
    delivery = django_filters.ChoiceFilter(
        choices=TrainingEvent._meta.get_field("delivery").choices, label=_("Internal or external")
    )
    year = django_filters.NumberFilter(field_name="start_date", lookup_expr="year", label=_("Year"))
    ordering = django_filters.OrderingFilter(
        fields=(("start_date", "date"), ("title", "title"), ("hours", "hours")),
        choices=ordering_choices(("date", _("Date")), ("title", _("Title")), ("hours", _("Hours"))),
        label=_("Sort"),
    )

    ce_eligible = django_filters.BooleanFilter(label=_("Counts as continuing education"), widget=ANY_YES_NO)

    class Meta:
        model = TrainingEvent
        fields = ["category", "delivery", "ce_eligible"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(title__icontains=value) | Q(provider__icontains=value))
