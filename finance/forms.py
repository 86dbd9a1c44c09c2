"""Forms of the finance pages (validation beyond types lives in the models and services)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.selectors import active_logins
from core.widgets import DateInput
from finance.models import BudgetLine, Contract, PaymentMethod
from staff.models import StaffMember

DATE = DateInput()


class ContractForm(forms.ModelForm):
    funder_name = forms.CharField(label=_("Funder"), max_length=200, help_text=_("For example 信丰县民政局."))
    budget_sheet = forms.FileField(
        label=_("Budget sheet"),
        required=False,
        help_text=_(
            "XLSX or CSV with columns code, name, category, amount (科目编号, 科目名称, 类别, 金额)."
        ),
    )

    class Meta:
        model = Contract
        fields = ["code", "title", "start", "end", "total", "currency", "status"]
        widgets = {"start": DATE, "end": DATE}
        help_texts = {"total": _("Changes after creation go through budget revisions.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["funder_name"].initial = self.instance.funder.name
            self.fields["code"].disabled = True
            self.fields["total"].disabled = True
            self.fields["budget_sheet"].help_text = _(
                "Uploading a sheet proposes a revision for a director to approve."
            )

    def _post_clean(self):
        # Model validation runs in the services (contract_create/contract_update).
        pass


class ContractFileForm(forms.Form):
    file = forms.FileField(
        label=_("Contract definition (JSON)"), help_text=_("See the contract file format.")
    )


class ExpenditureForm(forms.Form):
    budget_line = forms.ModelChoiceField(queryset=BudgetLine.objects.none(), label=_("Budget line"))
    date = forms.DateField(label=_("Date"), widget=DATE)
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, help_text=_("Negative for a refund.")
    )
    payee = forms.CharField(label=_("Payee"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=500)
    invoice_no = forms.CharField(label=_("Invoice number"), max_length=60, required=False)
    payment_method = forms.ChoiceField(
        label=_("Payment method"), choices=[("", "—"), *PaymentMethod.choices], required=False
    )
    voucher_no = forms.CharField(
        label=_("Voucher number"), max_length=60, required=False, help_text=_("Unique in the contract.")
    )
    staff = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(), label=_("Staff member paid"), required=False
    )
    posted_on = forms.DateField(label=_("Entered in the books"), widget=DATE, required=False)

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = contract.budget_lines.all()
        self.fields["staff"].queryset = StaffMember.objects.filter(agency=contract.agency)


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, help_text=_("Why this entry is void; kept in the ledger.")
    )


class ReverseForm(forms.Form):
    date = forms.DateField(label=_("Date of the reversal"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class LedgerUploadForm(forms.Form):
    contract = forms.ModelChoiceField(
        queryset=Contract.objects.none(), label=_("Contract"), to_field_name="code"
    )
    file = forms.FileField(
        label=_("Ledger file"), help_text=_("CSV (UTF-8 or GB18030) or XLSX, one row per expenditure.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.for_user(user, "change")


class RevisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the budget should change."),
    )

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(contract.budget_lines.all())
        for line in self.lines:
            self.fields[f"delta_{line.code}"] = forms.DecimalField(
                label=f"{line.code} {line.name}",
                max_digits=14,
                decimal_places=2,
                required=False,
                help_text=_("Approved now: %(amount)s. Signed change; the changes must net to zero.")
                % {"amount": f"{line.approved_amount:,.2f}"},
            )

    def deltas(self) -> dict:
        return {
            line.code: self.cleaned_data.get(f"delta_{line.code}")
            for line in self.lines
            if self.cleaned_data.get(f"delta_{line.code}")
        }


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class DisbursementForm(forms.Form):
    date = forms.DateField(label=_("Date received"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0.01)
    reference = forms.CharField(label=_("Reference"), max_length=200, required=False)


class AssignmentForm(forms.Form):
    staff = forms.ModelChoiceField(queryset=StaffMember.objects.none(), label=_("Staff member"))
    start = forms.DateField(label=_("Start"), widget=DATE)
    end = forms.DateField(label=_("End"), widget=DATE)
    fte = forms.DecimalField(
        label=_("FTE"), max_digits=4, decimal_places=2, help_text=_("Above 0 and at most 1.")
    )

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = StaffMember.objects.filter(agency=contract.agency)


class GrantForm(forms.Form):
    auditor = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("Auditor"))
    expires_on = forms.DateField(
        label=_("Expires on"), widget=DATE, required=False, help_text=_("Empty: until revoked.")
    )

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor"].queryset = (
            active_logins(contract.agency).filter(groups__name=Role.AUDITOR).distinct()
        )
