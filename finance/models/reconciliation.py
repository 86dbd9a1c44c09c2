"""Bank reconciliation: statements imported for a contract and period, matched to the books.

- ``ReconciliationPeriod``: a stretch of a contract's bank account (start–end) that the finance
  officer reconciles and finally closes. A closed period changes no more.
- ``BankStatement``: one imported statement file (its ``ImportBatch``) for a period.
- ``StatementLine``: one transaction of a statement: date, signed amount (negative = money out),
  counterparty, reference. A line is *matched* (it has a ``ReconciliationMatch``), *explained*
  (a note says why it has no book entry, e.g. bank fees or interest) or *unmatched*.
  ``ambiguous`` lists the equally good book candidates the last automatic matching found.
- ``ReconciliationMatch``: a statement line paired with exactly one expenditure (money out) or one
  disbursement (money in); each side is matched at most once. Automatic matches await the
  officer's confirmation; manual ones are confirmed when made.

Overlapping statements: a line with the same date, amount, counterparty and reference as an
existing line of the same contract is not inserted again (counted per occurrence, so a statement
that really holds two identical transactions keeps both). Access follows the contract
(``restrict_through_contract``): finance officers read and write, directors read, auditors read
granted contracts, everyone else nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import TenantModel
from finance.models.contracts import MONEY, Contract, Disbursement, restrict_through_contract
from finance.models.ledger import Expenditure

__all__ = ["BankStatement", "ReconciliationMatch", "ReconciliationPeriod", "StatementLine"]


class ReconciliationPeriod(TenantModel):
    """A period of a contract's bank account being reconciled; closed once every line is settled."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("reconciliation period", "Open")
        CLOSED = "closed", _("Closed")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="reconciliation_periods", verbose_name=_("contract")
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "-start", "-id"]
        verbose_name = _("reconciliation period")
        verbose_name_plural = _("reconciliation periods")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "start", "end"],
                name="finance_reconciliationperiod_unique_span",
                violation_error_message=_("This contract already has a period with these dates."),
            ),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="finance_reconciliationperiod_end_after_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.code} {self.start} – {self.end}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return restrict_through_contract(cls, qs, user, action, "contract")


class BankStatement(TenantModel):
    """One bank statement file imported into a reconciliation period."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="bank_statements", verbose_name=_("contract")
    )
    period = models.ForeignKey(
        ReconciliationPeriod, on_delete=models.CASCADE, related_name="statements", verbose_name=_("period")
    )
    import_batch = models.OneToOneField(
        "core.ImportBatch", on_delete=models.PROTECT, related_name="+", verbose_name=_("import")
    )
    file_name = models.CharField(_("file"), max_length=255)
    line_count = models.PositiveIntegerField(_("lines added"), default=0)
    duplicate_count = models.PositiveIntegerField(
        _("lines already known"),
        default=0,
        help_text=_("Lines skipped because an earlier statement had them."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")

    def __str__(self) -> str:
        return f"{self.contract.code} {self.file_name}"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return restrict_through_contract(cls, qs, user, action, "contract")


class StatementLine(TenantModel):
    """One transaction on a bank statement (negative amount = money out of the account)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="statement_lines", verbose_name=_("contract")
    )
    statement = models.ForeignKey(
        BankStatement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("statement")
    )
    period = models.ForeignKey(
        ReconciliationPeriod, on_delete=models.CASCADE, related_name="lines", verbose_name=_("period")
    )
    row_number = models.PositiveIntegerField(_("row in the file"))
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY, help_text=_("Negative = money out."))
    counterparty = models.CharField(_("counterparty"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=500, blank=True)
    explanation = models.TextField(
        _("explanation"), blank=True, help_text=_("Why this line has no book entry (bank fee, interest...).")
    )
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("explained by"),
    )
    explained_at = models.DateTimeField(_("explained at"), null=True, blank=True)
    ambiguous = models.JSONField(
        _("equally good candidates"),
        default=list,
        blank=True,
        help_text=_("Book entries the automatic matching could not choose between."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "date", "id"]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0),
                name="finance_statementline_amount_nonzero",
                violation_error_message=_("The amount must not be zero."),
            ),
        ]
        indexes = [models.Index(fields=["contract", "date", "amount"])]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.counterparty}"

    @property
    def direction(self) -> str:
        return "out" if self.amount < 0 else "in"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return restrict_through_contract(cls, qs, user, action, "contract")


class ReconciliationMatch(TenantModel):
    """A statement line paired with the expenditure or disbursement it records."""

    class Method(models.TextChoices):
        AUTO = "auto", _("Automatic")
        MANUAL = "manual", _("By hand")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="reconciliation_matches", verbose_name=_("contract")
    )
    line = models.OneToOneField(
        StatementLine, on_delete=models.CASCADE, related_name="match", verbose_name=_("statement line")
    )
    expenditure = models.OneToOneField(
        Expenditure,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bank_match",
        verbose_name=_("expenditure"),
    )
    disbursement = models.OneToOneField(
        Disbursement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bank_match",
        verbose_name=_("disbursement"),
    )
    method = models.CharField(_("how"), max_length=10, choices=Method.choices, default=Method.AUTO)
    day_difference = models.IntegerField(_("days apart"), default=0)
    similarity = models.DecimalField(
        _("counterparty similarity"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    confirmed = models.BooleanField(_("confirmed"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("matched at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["line__date", "line_id"]
        verbose_name = _("reconciliation match")
        verbose_name_plural = _("reconciliation matches")
        constraints = [
            models.CheckConstraint(
                condition=(Q(expenditure__isnull=False) & Q(disbursement__isnull=True))
                | (Q(expenditure__isnull=True) & Q(disbursement__isnull=False)),
                name="finance_reconciliationmatch_one_side",
                violation_error_message=_("A line matches exactly one expenditure or one disbursement."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line} ↔ {self.expenditure or self.disbursement}"

    @property
    def book_item(self):
        return self.expenditure if self.expenditure_id else self.disbursement

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return restrict_through_contract(cls, qs, user, action, "contract")
