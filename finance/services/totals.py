"""The running ledger totals of contracts and budget lines: recomputed from the ledger, and checked.

The totals move with every posting (``finance.models.ledger.apply_ledger_effects``); this module
rebuilds them from the ledger where rows were written in bulk without the services (the demo
seeders' ``COPY``), and compares them with the ledger (``manage.py verify_totals``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from core.db import MONEY, MoneySum
from finance.models import BudgetLine, Contract, Expenditure

ZERO = Decimal("0.00")
POSTED = Q(status=Expenditure.Status.POSTED)


def _per(field: str, **aggregate):
    """A correlated subquery: one aggregate of the ledger rows whose ``field`` is the outer row."""
    ((name, expression),) = aggregate.items()
    return Subquery(
        Expenditure.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(**{name: expression})
        .values(name)
    )


def _ledger_aggregates():
    """The totals of a contract or line as the ledger gives them (expressions for ``annotate``/``update``)."""
    return {
        "spent_total": Coalesce(
            _per("contract", s=MoneySum("amount", filter=POSTED)), Value(ZERO), output_field=MONEY
        ),
        "refund_total": Coalesce(
            _per("contract", s=MoneySum("amount", filter=POSTED & Q(amount__lt=0))),
            Value(ZERO),
            output_field=MONEY,
        ),
        "posted_count": Coalesce(
            _per("contract", n=Count("id", filter=POSTED)), Value(0), output_field=IntegerField()
        ),
        "void_count": Coalesce(
            _per("contract", n=Count("id", filter=~POSTED)), Value(0), output_field=IntegerField()
        ),
    }


def _line_aggregate():
    return Coalesce(_per("budget_line", s=MoneySum("amount", filter=POSTED)), Value(ZERO), output_field=MONEY)


@transaction.atomic
def recompute_totals(contract_ids: Iterable[int]) -> int:
    """Set the running totals of these contracts and their lines from the ledger; returns the contracts.

    For rows written in bulk outside the services (the demo seeders). The lines and contracts
    are locked first, so a posting in flight either finishes before (and is counted) or waits
    and adds itself to the recomputed total. Two statements, whatever the size of the ledger.
    """
    ids = sorted(set(contract_ids))
    if not ids:
        return 0
    # The contracts first, then their lines: the lock order of every ledger write.
    list(Contract.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list("pk"))
    lines = BudgetLine.objects.select_for_update(no_key=True).filter(contract_id__in=ids)
    list(lines.order_by("pk").values_list("pk"))
    BudgetLine.objects.filter(contract_id__in=ids).update(spent_total=_line_aggregate())
    return Contract.objects.filter(pk__in=ids).update(**_ledger_aggregates())


@dataclass
class TotalsMismatch:
    """A stored total that differs from the ledger."""

    what: str  # "contract" or "line"
    code: str
    field: str
    stored: Decimal | int
    ledger: Decimal | int

    def __str__(self) -> str:
        def text(value) -> str:
            return f"{value:.2f}" if isinstance(value, Decimal) else str(value)

        return f"{self.what} {self.code}: {self.field} stored {text(self.stored)}, ledger {text(self.ledger)}"


def totals_mismatches(contracts=None) -> list[TotalsMismatch]:
    """Every stored total of ``contracts`` (default: all) that differs from the ledger's aggregate."""
    contracts = Contract.objects.all() if contracts is None else contracts
    found: list[TotalsMismatch] = []
    aggregates = _ledger_aggregates()
    rows = contracts.order_by("pk").annotate(**{f"ledger_{key}": value for key, value in aggregates.items()})
    for contract in rows:
        for key in aggregates:
            stored, ledger = getattr(contract, key), getattr(contract, f"ledger_{key}")
            if stored != ledger:
                found.append(TotalsMismatch("contract", contract.code, key, stored, ledger))
    lines = (
        BudgetLine.objects.filter(contract__in=contracts)
        .select_related("contract")
        .order_by("contract_id", "pk")
        .annotate(ledger_spent=_line_aggregate())
    )
    for line in lines:
        if line.spent_total != line.ledger_spent:
            found.append(
                TotalsMismatch(
                    "line",
                    f"{line.contract.code}/{line.code}",
                    "spent_total",
                    line.spent_total,
                    line.ledger_spent,
                )
            )
    return found
