"""The service-records list's filters: each choice lists only what the reader may see."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.forms import typed_when_many
from core.widgets import DateInput
from delivery import selectors
from delivery.models import Measure, ServiceActivity, Target
from finance.models import Contract
from staff.models import StaffMember


class ActivityFilter(django_filters.FilterSet):
    """Date range, staff member, contract, target, the target's measure and how it was recorded.

    ``contract`` takes the contract's code (``?contract=JX-XF-2025-01``), as the import page's
    link to the records it loaded does. The staff, contract and target choices are the reader's
    (``delivery.selectors.activity_filter_choices``): never another agency's records, and a
    supervisor is offered only the people whose records they may read.
    """

    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("From"), widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("To"), widget=DateInput()
    )
    staff = django_filters.ModelChoiceFilter(
        queryset=StaffMember.objects.none(), label=_("Staff member"), empty_label=_("All")
    )
    contract = django_filters.ModelChoiceFilter(
        queryset=Contract.objects.none(),
        to_field_name="code",
        label=_("Contract"),
        empty_label=_("All"),
    )
    target = django_filters.ModelChoiceFilter(
        queryset=Target.objects.none(), label=_("Target"), empty_label=_("All")
    )
    measure = django_filters.ChoiceFilter(
        field_name="target__measure", choices=Measure.choices, label=_("Measure"), empty_label=_("All")
    )
    source = django_filters.ChoiceFilter(
        choices=ServiceActivity.Source.choices, label=_("How recorded"), empty_label=_("All")
    )

    class Meta:
        model = ServiceActivity
        fields = ["date_from", "date_to", "staff", "contract", "target", "measure", "source"]

    def __init__(self, data=None, *args, user, own_only: bool = False, **kwargs):
        super().__init__(data, *args, **kwargs)
        choices = selectors.activity_filter_choices(user)
        # Every queryset is set before ``self.form`` is first read: the form is built then, once.
        self.filters["contract"].queryset = choices["contracts"]
        self.filters["target"].queryset = choices["targets"]
        if own_only:
            # A list of one's own records has one person in it: no staff choice to make.
            del self.filters["staff"]
        else:
            self.filters["staff"].queryset = choices["staff"]
            self.form.fields["staff"].label_from_instance = lambda m: f"{m.name} ({m.staff_no})"
            if typed_when_many(self.form.fields["staff"], to_field="staff_no"):
                self.form.fields["staff"].label = _("Staff number")
        self.form.fields["contract"].label_from_instance = lambda c: c.code
        self.form.fields["target"].label_from_instance = lambda t: f"{t.name} ({t.contract.code} {t.code})"
