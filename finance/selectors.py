"""Reads and analytics on finance records: budget vs actual, re-budgeting, ledger frames.

Sums are done by the database (one GROUP BY per contract), so a contract with 100,000
expenditures costs one aggregate query, not 100,000 Python objects. Money stays ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Sum
from django.utils import timezone

from core.db import MoneySum
from core.models import ImportBatch
from core.roles import Role, has_role
from finance.models import BudgetLine, BudgetRevisionLine, Contract, Expenditure

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _money(value) -> Decimal:
    return (value or ZERO).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class LineRow:
    code: str
    name: str
    category: str
    category_label: str
    approved: Decimal
    actual: Decimal
    remaining: Decimal
    pct_spent: Decimal | None
    projected_at_end: Decimal
    original: Decimal = ZERO

    @property
    def bar_pct(self) -> int:
        """Width of the burn bar, 0–100 (the % itself may exceed 100)."""
        if self.pct_spent is None:
            return 0
        return max(0, min(100, int(self.pct_spent)))

    @property
    def overspent(self) -> bool:
        return self.actual > self.approved


@dataclass
class BudgetVsActual:
    contract: Contract
    as_of: dt.date
    lines: list[LineRow]
    approved: Decimal
    actual: Decimal
    remaining: Decimal
    received: Decimal
    cash_position: Decimal
    elapsed_days: int
    period_days: int
    pct_spent: Decimal | None = None
    extras: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        """The JSON body of ``report budget-vs-actual`` (docs/commands.md): money as strings with 2 places."""
        return {
            "contract": self.contract.code,
            "as_of": self.as_of.isoformat(),
            "lines": [
                {
                    "code": line.code,
                    "name": line.name,
                    "category": line.category,
                    "approved": f"{line.approved:.2f}",
                    "actual": f"{line.actual:.2f}",
                    "remaining": f"{line.remaining:.2f}",
                    "pct_spent": None if line.pct_spent is None else f"{line.pct_spent:.2f}",
                    "projected_at_end": f"{line.projected_at_end:.2f}",
                }
                for line in self.lines
            ],
            "total": {
                "approved": f"{self.approved:.2f}",
                "actual": f"{self.actual:.2f}",
                "remaining": f"{self.remaining:.2f}",
            },
            "received": f"{self.received:.2f}",
            "cash_position": f"{self.cash_position:.2f}",
        }


def _pct(actual: Decimal, approved: Decimal) -> Decimal | None:
    if not approved:
        return None
    return (actual * 100 / approved).quantize(CENT, rounding=ROUND_HALF_UP)


def elapsed_days(contract: Contract, as_of: dt.date) -> int:
    """Days of the period elapsed at ``as_of`` (inclusive), clamped to [0, period]."""
    days = (as_of - contract.start).days + 1
    return max(0, min(days, contract.period_days))


def project_at_end(actual: Decimal, elapsed: int, period: int) -> Decimal:
    """Linear projection: spending continues at the average daily rate so far.

    projected = actual × period_days / elapsed_days. Before the start (nothing elapsed) the
    projection is the actual; after the end it is the actual.
    """
    if elapsed <= 0 or elapsed >= period:
        return _money(actual)
    return _money(actual * period / elapsed)


def budget_vs_actual(contract: Contract, as_of: dt.date | None = None) -> BudgetVsActual:
    """Per line: approved, actual (Σ posted, signed), remaining, % spent, projection at end; totals.

    ``received`` is Σ disbursements and ``cash_position`` received − actual. Every posted
    expenditure counts, whatever its date (the ledger is what has been spent). The actuals are
    the lines' running totals: two queries whatever the size of the ledger.
    """
    as_of = as_of or timezone.localdate()
    period = contract.period_days
    elapsed = elapsed_days(contract, as_of)
    rows = []
    # Each line's running total (kept by the posting services), not a sum over the ledger.
    for line in BudgetLine.objects.filter(contract=contract).order_by("position", "code"):
        actual = _money(line.spent_total)
        rows.append(
            LineRow(
                code=line.code,
                name=line.name,
                category=line.category,
                category_label=str(line.get_category_display()),
                approved=_money(line.approved_amount),
                actual=actual,
                remaining=_money(line.approved_amount - actual),
                pct_spent=_pct(actual, line.approved_amount),
                projected_at_end=project_at_end(actual, elapsed, period),
                original=_money(line.amount),
            )
        )
    approved = sum((row.approved for row in rows), ZERO)
    actual = sum((row.actual for row in rows), ZERO)
    received = _money(contract.disbursements.aggregate(s=MoneySum("amount"))["s"])
    return BudgetVsActual(
        contract=contract,
        as_of=as_of,
        lines=rows,
        approved=approved,
        actual=actual,
        remaining=approved - actual,
        received=received,
        cash_position=received - actual,
        elapsed_days=elapsed,
        period_days=period,
        pct_spent=_pct(actual, approved),
    )


@dataclass
class Rebudgeting:
    moved: Decimal
    tolerance_pct: Decimal
    limit: Decimal
    pct_of_total: Decimal | None

    @property
    def within(self) -> bool:
        return self.moved <= self.limit


def cumulative_rebudgeting(contract: Contract) -> Rebudgeting:
    """How much approved transfers have moved between lines, against ``transfer_tolerance_pct``.

    moved = Σ over lines of max(0, net delta of approved transfer revisions on that line),
    i.e. the money that arrived in lines by transfers. Revisions that change the contract total
    (amendments) are not transfers and do not count.
    """
    deltas = (
        BudgetRevisionLine.objects.filter(
            revision__contract=contract, revision__status="approved", revision__total_change=0
        )
        .values("budget_line")
        .annotate(net=MoneySum("delta"))
        .values_list("net", flat=True)
    )
    moved = sum((net for net in deltas if net > 0), ZERO)
    tolerance = contract.effective_policy()["transfer_tolerance_pct"]
    limit = _money(contract.total * tolerance / 100)
    return Rebudgeting(
        moved=_money(moved), tolerance_pct=tolerance, limit=limit, pct_of_total=_pct(moved, contract.total)
    )


def contracts_with_totals(qs):
    """Contracts annotated with ``actual`` (Σ posted) and ``expenditure_count`` for the list page.

    Both are the contract's running totals: no join to the ledger, whatever its size.
    """
    return qs.select_related("funder").annotate(actual=F("spent_total"), expenditure_count=F("posted_count"))


def ledger_stored_totals(contracts, contract: Contract | None = None) -> dict:
    """The ledger totals of ``contracts`` (or of ``contract`` among them) from their running totals.

    The rows of the ledger page with no filter but the contract are exactly these contracts'
    ledgers (an expenditure is visible through its contract), so their stored counts and sums
    are its totals: one aggregate over the contracts instead of a pass over a million rows.
    Same keys as ``finance.reports.ledger.ledger_totals``.
    """
    if contract is not None:
        contracts = contracts.filter(pk=contract.pk)
    sums = contracts.aggregate(
        posted=Sum("posted_count"),
        void=Sum("void_count"),
        amount=MoneySum("spent_total"),
        refunds=MoneySum("refund_total"),
    )
    posted, void = sums["posted"] or 0, sums["void"] or 0
    return {
        "rows": posted + void,
        "posted": posted,
        "void": void,
        "amount": _money(sums["amount"]),
        "refunds": _money(sums["refunds"]),
    }


#: The kinds of import a contract's ledger pages list (their target is the contract's code).
FINANCE_IMPORT_KINDS = ("ledger", "bank_statement")


def finance_imports_for(user, kinds: tuple[str, ...] = FINANCE_IMPORT_KINDS):
    """The ledger and bank-statement imports ``user`` may read (docs/roles.md): every one of the
    agency for a director or finance officer; for anyone else (an auditor) only those of the
    contracts they may view, as their ledger rows. Pages, panels, the inbox and the API all read
    imports through here."""
    imports = ImportBatch.objects.for_user(user, "view").filter(kind__in=kinds)
    if has_role(user, Role.DIRECTOR, Role.FINANCE):
        return imports
    return imports.filter(target__in=Contract.objects.for_user(user, "view").values("code"))


def ledger_queryset(qs):
    """Expenditures with what list pages and APIs show, without N+1."""
    return qs.select_related("contract", "budget_line", "staff", "created_by")


def ledger_frame(contracts):
    """Posted and void expenditures of ``contracts`` as a pandas DataFrame (ledger order).

    ``amount`` is a column of ``Decimal`` objects (exact; never float). Columns: id, contract_id,
    contract_code, budget_line_id, line_code, category, date, amount, payee, description,
    invoice_no, payment_method, voucher_no, staff_id, posted_on, status, source.
    """
    import pandas as pd

    fields = [
        "id",
        "contract_id",
        "contract__code",
        "budget_line_id",
        "budget_line__code",
        "budget_line__category",
        "date",
        "amount",
        "payee",
        "description",
        "invoice_no",
        "payment_method",
        "voucher_no",
        "staff_id",
        "posted_on",
        "status",
        "source",
    ]
    rows = Expenditure.objects.filter(contract__in=contracts).order_by("id").values_list(*fields)
    frame = pd.DataFrame.from_records(list(rows), columns=fields)
    return frame.rename(
        columns={
            "contract__code": "contract_code",
            "budget_line__code": "line_code",
            "budget_line__category": "category",
        }
    )


@dataclass
class ContractBurn:
    """One contract on the dashboard: how much of the budget is spent against how much time."""

    contract: Contract
    approved: Decimal
    actual: Decimal
    pct_spent: Decimal | None
    pct_elapsed: int
    projected_at_end: Decimal

    @property
    def spent_bar(self) -> int:
        """Width of the spending bar, 0–100 (the % itself may exceed 100)."""
        return 0 if self.pct_spent is None else max(0, min(100, int(self.pct_spent)))

    @property
    def overspent(self) -> bool:
        return self.actual > self.approved

    @property
    def projected_over(self) -> bool:
        """Spending at today's pace would pass the approved budget by the end."""
        return self.projected_at_end > self.approved

    @property
    def ahead_of_time(self) -> bool:
        """More of the budget is spent than of the period has passed."""
        return self.pct_spent is not None and self.pct_spent > self.pct_elapsed


def contracts_burn(qs, *, as_of: dt.date | None = None, limit: int | None = None) -> list[ContractBurn]:
    """Active contracts of ``qs`` ending soonest, with actual spending, time elapsed and projection.

    One query whatever the number of contracts or expenditures: the actual is the contract's
    running total. ``approved`` is the contract total, which approved revisions keep equal to
    the sum of the approved budget lines.
    """
    as_of = as_of or timezone.localdate()
    contracts = (
        qs.filter(status=Contract.Status.ACTIVE)
        .annotate(actual=F("spent_total"))
        .order_by("end", "code")[:limit]
    )
    rows = []
    for contract in contracts:
        spent = _money(contract.actual)
        period = contract.period_days
        elapsed = elapsed_days(contract, as_of)
        rows.append(
            ContractBurn(
                contract=contract,
                approved=_money(contract.total),
                actual=spent,
                pct_spent=_pct(spent, contract.total),
                pct_elapsed=int(elapsed * 100 / period) if period > 0 else 0,
                projected_at_end=project_at_end(spent, elapsed, period),
            )
        )
    return rows


# --- warnings before money crosses a limit -----------------------------------------------


@dataclass
class OverBudgetLine:
    """A budget line that would end over its approved amount."""

    code: str
    name: str
    approved: Decimal  # after the change
    actual: Decimal  # after the change
    changed: bool  # the change touches this line

    @property
    def over(self) -> Decimal:
        return self.actual - self.approved


@dataclass
class BudgetWarnings:
    """What a change (an import, a revision) leaves over budget: lines, and the contract."""

    contract: Contract
    lines: list[OverBudgetLine]
    total: Decimal  # the contract total after the change
    actual: Decimal  # the contract's spending after the change

    @property
    def contract_over(self) -> Decimal:
        return self.actual - self.total

    @property
    def any(self) -> bool:
        return bool(self.lines) or self.actual > self.total


def budget_warnings(
    contract: Contract,
    *,
    additions: dict[int, Decimal] | None = None,
    deltas: dict[int, Decimal] | None = None,
    total_change: Decimal = ZERO,
) -> BudgetWarnings:
    """The lines (and the contract) over budget once ``additions`` are spent on lines (line pk →
    amount, e.g. an import) and ``deltas`` change approved amounts (e.g. a revision). Only lines
    the change touches are listed, or every line that ends over when it touches approved amounts.
    One query (the lines with their running totals)."""
    additions = additions or {}
    deltas = deltas or {}
    over = []
    actual_total = ZERO
    for line in BudgetLine.objects.filter(contract=contract).order_by("position", "code"):
        actual = _money(line.spent_total) + additions.get(line.pk, ZERO)
        approved = _money(line.approved_amount) + deltas.get(line.pk, ZERO)
        actual_total += actual
        changed = line.pk in additions or line.pk in deltas
        if actual > approved and (changed or deltas):
            over.append(OverBudgetLine(line.code, line.name, approved, actual, changed))
    return BudgetWarnings(
        contract=contract, lines=over, total=contract.total + total_change, actual=actual_total
    )


def revision_warnings(revisions) -> dict[int, BudgetWarnings]:
    """Per proposed revision (pk): what its approval leaves over budget (only those with a warning)."""
    result = {}
    for revision in revisions:
        if revision.status != "proposed":
            continue
        deltas = {item.budget_line_id: item.delta for item in revision.lines.all()}
        warnings = budget_warnings(
            revision.contract, deltas=deltas, total_change=revision.total_change or ZERO
        )
        if warnings.any:
            result[revision.pk] = warnings
    return result
