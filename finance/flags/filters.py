"""Filters of the flag queue, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.forms import login_label
from core.roles import Role
from finance.models import Flag, FlagSeverity, FlagStatus
from finance.rules import RULE_ORDER


def _rule_choices() -> list[tuple[str, str]]:
    """Finance rules, then those other apps add to the flag machinery (read when the form is built)."""
    from finance.flags.extensions import EXTENSIONS, rule_for

    codes = list(RULE_ORDER) + [code for ext in EXTENSIONS.values() for code in ext.rules]
    return [(c, rule.title if (rule := rule_for(c)) else c) for c in codes]


class FlagFilter(django_filters.FilterSet):
    contract = django_filters.CharFilter(label=_("Contract"), method="filter_contract")
    rule = django_filters.ChoiceFilter(label=_("Rule"), choices=_rule_choices)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=FlagSeverity.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=FlagStatus.choices)
    assignee = django_filters.ModelChoiceFilter(
        label=_("Assigned to"), queryset=get_user_model().objects.none(), empty_label=_("Anyone")
    )
    include_resolved = django_filters.BooleanFilter(
        label=_("Include flags that no longer fire"),
        method="filter_include_resolved",
        # No, yes: not the three-way "unknown / yes / no" of a nullable yes-no field.
        widget=forms.Select(choices=[("", _("No")), ("true", _("Yes"))]),
    )

    class Meta:
        model = Flag
        fields = ["contract", "rule", "severity", "status", "assignee"]

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        from core.models import agency_of

        user = getattr(request, "user", None)
        agency = agency_of(user) if user is not None else None
        # Those a flag can be assigned to (directors and finance officers, past ones included),
        # by name: not every login of the agency.
        users = (
            get_user_model()
            .objects.filter(membership__agency=agency, groups__name__in=[Role.DIRECTOR, Role.FINANCE])
            .distinct()
            if agency
            else get_user_model().objects.none()
        )
        self.filters["assignee"].queryset = users.order_by("username")
        self.form.fields["assignee"].label_from_instance = login_label

    def filter_contract(self, queryset, name, value):
        if not value:
            return queryset
        through = Flag.contracts.through.objects.filter(contract__code=value)
        return queryset.filter(pk__in=through.values("flag_id"))

    def filter_include_resolved(self, queryset, name, value):
        return queryset

    @property
    def qs(self):
        queryset = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("include_resolved"):
            queryset = queryset.filter(active=True)
        return queryset
