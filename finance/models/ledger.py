"""The ledger: expenditures charged to a contract's budget lines, typed in or imported.

Published for the flags engineer — exact fields:

- ``Expenditure``: agency, contract, budget_line, date, amount (signed; negative = reversal),
  payee, description, invoice_no, payment_method (bank/cash/card/official_card/wechat/alipay or ""),
  voucher_no (unique in the contract when non-empty), staff (nullable), posted_on (nullable),
  status (posted/void), void_reason, voided_by, voided_at, reversal_of (nullable self FK),
  source (manual/import), import_batch (nullable core.ImportBatch), created_by, created_at.
  Ledger order is ``id``.

Access: an expenditure is visible through its contract (``restrict_through_contract``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Agency, TenantModel, TenantQuerySet
from finance.models.contracts import MONEY, BudgetLine, Contract, restrict_through_contract


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    OFFICIAL_CARD = "official_card", _("Official card")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")


PAYMENT_METHOD_CHINESE = {
    "银行转账": "bank",
    "现金": "cash",
    "刷卡": "card",
    "公务卡": "official_card",
    "微信": "wechat",
    "支付宝": "alipay",
}


class ExpenditureQuerySet(TenantQuerySet):
    def posted(self):
        return self.filter(status=Expenditure.Status.POSTED)


class Expenditure(TenantModel):
    """One ledger row charged to a budget line. Never deleted: voided with a reason, or reversed."""

    class Status(models.TextChoices):
        POSTED = "posted", _("Posted")
        VOID = "void", _("Void")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Typed in")
        IMPORT = "import", _("Imported")

    # No index of its own: the (agency, invoice_no) index below begins with the agency.
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"), db_index=False
    )
    # No index of its own: the indexes below all begin with the contract (imports write 100,000
    # rows at a time, and every index costs each of them).
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="expenditures",
        verbose_name=_("contract"),
        db_index=False,
    )
    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="expenditures", verbose_name=_("budget line")
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"), **MONEY, help_text=_("Negative for a reversal or refund (红字冲销).")
    )
    payee = models.CharField(_("payee"), max_length=200)
    description = models.CharField(_("description"), max_length=500)
    invoice_no = models.CharField(_("invoice number"), max_length=60, blank=True)
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices, blank=True
    )
    voucher_no = models.CharField(
        _("voucher number"), max_length=60, blank=True, help_text=_("Unique within the contract.")
    )
    staff = models.ForeignKey(
        "staff.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expenditures",
        verbose_name=_("staff member paid"),
    )
    posted_on = models.DateField(_("entered in the books"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.POSTED)
    void_reason = models.TextField(_("reason for voiding"), blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("voided by"),
        db_index=False,  # a partial index (Meta.indexes): nearly every row is not voided
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    reversal_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        verbose_name=_("reverses"),
        db_index=False,  # a partial index (Meta.indexes): nearly every row reverses nothing
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    import_batch = models.ForeignKey(
        "core.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("import"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    # The history is read per expenditure (its id) and by date; the foreign keys it copies need
    # no index there, and an import writes a history row per ledger row.
    history = HistoricalRecords(
        no_db_index=[
            "agency",
            "contract",
            "budget_line",
            "staff",
            "voided_by",
            "reversal_of",
            "import_batch",
            "created_by",
        ]
    )

    objects = ExpenditureQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "date", "id"]
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "voucher_no"],
                condition=~Q(voucher_no=""),
                name="finance_expenditure_unique_voucher",
                violation_error_message=_("This voucher number is already used in this contract."),
            ),
            models.CheckConstraint(
                condition=~Q(amount=0),
                name="finance_expenditure_amount_nonzero",
                violation_error_message=_("The amount must not be zero."),
            ),
            models.CheckConstraint(
                condition=Q(status="posted") | ~Q(void_reason=""),
                name="finance_expenditure_void_has_reason",
                violation_error_message=_("Give the reason for voiding."),
            ),
        ]
        indexes = [
            models.Index(fields=["contract", "status", "budget_line"]),
            models.Index(fields=["contract", "date"]),
            models.Index(fields=["agency", "invoice_no"]),
            models.Index(
                fields=["voided_by"],
                condition=Q(voided_by__isnull=False),
                name="finance_expenditure_voided_by",
            ),
            models.Index(
                fields=["reversal_of"],
                condition=Q(reversal_of__isnull=False),
                name="finance_expenditure_reversal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher_no or f'#{self.pk}'} {self.date} {self.amount}"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return restrict_through_contract(cls, qs, user, action, "contract")
