"""The ledger: expenditures charged to a contract's budget lines, typed in or imported.

Published for the flags engineer — exact fields:

- ``Expenditure``: agency, contract, budget_line, date, amount (signed; negative = reversal),
  payee, description, invoice_no, payment_method (bank/cash/card/official_card/wechat/alipay or ""),
  voucher_no (unique in the contract when non-empty), staff (nullable), posted_on (nullable),
  status (posted/void), void_reason, voided_by, voided_at, reversal_of (nullable self FK),
  source (manual/import), import_batch (nullable core.ImportBatch), created_by, created_at.
  Ledger order is ``id``.

Access: an expenditure is visible through its contract (``restrict_through_contract``).

Running totals: every change to the posted ledger moves the stored totals of its budget line
(``spent_total``) and contract (``spent_total``, ``refund_total``, ``posted_count``,
``void_count``) in the same transaction, so pages read them instead of summing the ledger.
``Expenditure.save`` does it for every row written through the ORM (hand entry, void,
reversal, the admin, tests); bulk writes (the ledger import, the demo seeders) call
``apply_ledger_effects`` or ``finance.services.recompute_totals`` themselves. The updates are
``F()`` increments, so concurrent postings never lose one another's amounts.
``manage.py verify_totals`` compares them with the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import models, router, transaction
from django.db.models import F, Q
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


#: One row's effect on the totals: (contract id, budget line id, amount, status, sign ±1).
Effect = tuple[int, int, Decimal, str, int]


def lock_for_ledger_write(contract_id: int) -> None:
    """Take the contract row (FOR NO KEY UPDATE) before any other lock of a ledger write.

    Every writer of the ledger takes its contract first, then budget lines, then expenditures,
    and the flag scan takes the contract first too, so writers and scans queue on the contract
    instead of deadlocking on each other's lines (a posting holding its line while it waits to
    add to the contract's totals, a scan holding the contract while it links flags to lines).
    """
    list(Contract.objects.select_for_update(no_key=True).filter(pk=contract_id).values_list("pk"))


def apply_ledger_effects(effects: Iterable[Effect]) -> None:
    """Move the running totals by the given rows entering (sign 1) or leaving (sign −1) the ledger.

    A posted row adds its amount to its line and contract (and to ``refund_total`` when
    negative) and counts in ``posted_count``; a void row counts in ``void_count``. One
    ``UPDATE … = col + delta`` per touched line, then per touched contract, in id order. Call it
    inside the transaction that writes the rows, after ``lock_for_ledger_write`` of the
    contract (taken before the rows were written), so writers never deadlock.
    """
    lines: dict[int, Decimal] = defaultdict(Decimal)
    contracts: dict[int, dict[str, Decimal | int]] = {}
    for contract_id, line_id, amount, status, sign in effects:
        totals = contracts.setdefault(
            contract_id,
            {"spent_total": Decimal(0), "refund_total": Decimal(0), "posted_count": 0, "void_count": 0},
        )
        if status == Expenditure.Status.POSTED:
            amount = amount if isinstance(amount, Decimal) else Decimal(str(amount))
            lines[line_id] += sign * amount
            totals["spent_total"] += sign * amount
            if amount < 0:
                totals["refund_total"] += sign * amount
            totals["posted_count"] += sign
        else:
            totals["void_count"] += sign
    for line_id in sorted(lines):
        if lines[line_id]:
            BudgetLine.objects.filter(pk=line_id).update(spent_total=F("spent_total") + lines[line_id])
    for contract_id in sorted(contracts):
        changes = {key: F(key) + value for key, value in contracts[contract_id].items() if value}
        if changes:
            Contract.objects.filter(pk=contract_id).update(**changes)


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
            # The ledger page's default order (newest first) as a keyset walk: an index scan
            # of 51 rows at any depth instead of a sort of the agency's whole ledger.
            models.Index(fields=["agency", "-date", "-id"], name="finance_exp_agency_date_id"),
            # The ledger page and API by amount (largest first to review, or smallest), ties by id
            # in the same direction: one index read either way instead of a sort of the ledger.
            models.Index(fields=["agency", "amount", "id"], name="finance_exp_agency_amount_id"),
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
        if self.voucher_no:
            return f"{self.voucher_no} {self.date} {self.amount}"
        return f"{self.date} {self.amount} {self.payee}"  # no invented number (the id) for none

    #: The fields whose change moves the running totals.
    TOTALS_FIELDS = frozenset({"contract", "budget_line", "amount", "status"})

    def save(self, *args, **kwargs):
        """Save, and move the running totals of the line and contract in the same transaction.

        A change of an existing row reads its stored state under a row lock first, so the
        totals move by exactly what changed (a void takes the amount out, once).
        """
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not self.TOTALS_FIELDS & {
            name.removesuffix("_id") for name in update_fields
        }:
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            lock_for_ledger_write(self.contract_id)
            old = None
            if not self._state.adding and self.pk is not None:
                old = (
                    Expenditure.objects.using(using)
                    .select_for_update(no_key=True)
                    .filter(pk=self.pk)
                    .values_list("contract_id", "budget_line_id", "amount", "status")
                    .first()
                )
            super().save(*args, **kwargs)
            effects = [(self.contract_id, self.budget_line_id, self.amount, self.status, 1)]
            if old is not None:
                effects.append((*old, -1))
            apply_ledger_effects(effects)

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return restrict_through_contract(cls, qs, user, action, "contract")
