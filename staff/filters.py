"""django-filter FilterSets for the roster (pages and API share them)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.ordering import ordering_choices
from staff.models import (
    EmploymentSpell,
    EmploymentType,
    ExitReason,
    Qualification,
    QualificationLevel,
    StaffMember,
)


class StaffFilter(django_filters.FilterSet):
    """Search by name, number or position; filter by employment type, status and certificate."""

    q = django_filters.CharFilter(
        method="search", label=_("Search"), help_text=_("Name, staff number or position")
    )
    employment_type = django_filters.ChoiceFilter(choices=EmploymentType.choices, label=_("Employment type"))
    position = django_filters.CharFilter(lookup_expr="icontains", label=_("Position"))
    status = django_filters.ChoiceFilter(
        choices=[("current", _("Currently employed")), ("former", _("Former staff"))],
        method="by_status",
        label=_("Status"),
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("staff_no", "staff_no"),
            ("name", "name"),
            ("position", "position"),
            ("latest_hire_date", "hire_date"),
        ),
        choices=ordering_choices(
            ("staff_no", _("Staff no.")),
            ("name", _("Name")),
            ("position", _("Position")),
            ("hire_date", _("Hire date")),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = StaffMember
        fields = ["q", "employment_type", "position", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(staff_no__icontains=value) | Q(position__icontains=value)
        )

    def by_status(self, queryset, name, value):
        today = timezone.localdate()
        current = Q(spells__hire_date__lte=today) & (
            Q(spells__exit_date__isnull=True) | Q(spells__exit_date__gte=today)
        )
        if value == "current":
            return queryset.filter(current).distinct()
        if value == "former":
            return queryset.exclude(pk__in=StaffMember.objects.filter(current).values("pk"))
        return queryset


class SpellFilter(django_filters.FilterSet):
    staff = django_filters.NumberFilter(field_name="staff_id", label=_("Staff member"))
    exit_reason = django_filters.ChoiceFilter(choices=ExitReason.choices, label=_("Exit reason"))
    employment_type = django_filters.ChoiceFilter(choices=EmploymentType.choices, label=_("Employment type"))
    hired_after = django_filters.DateFilter(
        field_name="hire_date", lookup_expr="gte", label=_("Hired on or after")
    )
    left_after = django_filters.DateFilter(
        field_name="exit_date", lookup_expr="gte", label=_("Left on or after")
    )

    class Meta:
        model = EmploymentSpell
        fields = ["staff", "exit_reason", "employment_type", "hired_after", "left_after"]


class QualificationFilter(django_filters.FilterSet):
    staff = django_filters.NumberFilter(field_name="staff_id", label=_("Staff member"))
    level = django_filters.ChoiceFilter(choices=QualificationLevel.choices, label=_("Level"))
    expires_before = django_filters.DateFilter(
        field_name="registration_expires", lookup_expr="lte", label=_("Registration ends on or before")
    )
    verified = django_filters.BooleanFilter(
        field_name="verified_at", lookup_expr="isnull", exclude=True, label=_("Verified")
    )

    class Meta:
        model = Qualification
        fields = ["staff", "level", "expires_before", "verified"]
