"""Forms of the reconciliation pages; the rules themselves live in the services."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.ordering import ordering_choices
from core.widgets import DateInput
from finance.models import Contract, ReconciliationPeriod

DATE = DateInput()


class StatementUploadForm(forms.Form):
    """A bank statement for one contract and period (checked first, imported on confirmation)."""

    contract = forms.ModelChoiceField(queryset=Contract.objects.none(), label=_("Contract"))
    start = forms.DateField(
        label=_("Period from"), widget=DATE, help_text=_("First day the statement covers.")
    )
    end = forms.DateField(label=_("Period to"), widget=DATE, help_text=_("Last day the statement covers."))
    file = forms.FileField(
        label=_("Bank statement"),
        help_text=_(
            "CSV or XLSX with columns date 交易日期, amount 金额 (negative = money out), "
            "counterparty 对方户名, reference 摘要."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.for_user(user, "change").order_by("code")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The period cannot end before it starts."))
        return data


class ExplainForm(forms.Form):
    note = forms.CharField(
        label=_("Explanation"),
        max_length=1000,
        help_text=_("Why this line has no book entry, e.g. bank fee, interest, transfer between accounts."),
    )


class PeriodFilter(django_filters.FilterSet):
    """Filters of the period list."""

    contract = django_filters.CharFilter(field_name="contract__code", label=_("Contract code"))
    status = django_filters.ChoiceFilter(choices=ReconciliationPeriod.Status.choices, label=_("Status"))
    ordering = django_filters.OrderingFilter(
        fields=(("start", "start"), ("end", "end"), ("contract__code", "contract")),
        choices=ordering_choices(("start", _("Start")), ("end", _("End")), ("contract", _("Contract"))),
        label=_("Sort"),
    )

    class Meta:
        model = ReconciliationPeriod
        fields = ["contract", "status"]
