"""Reads of bank reconciliation: what is matched, what is not, on both sides, and period status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.db import MoneySum
from finance.models import (
    BankStatement,
    Contract,
    Disbursement,
    Expenditure,
    PaymentMethod,
    ReconciliationMatch,
    ReconciliationPeriod,
    StatementLine,
)

ZERO = Decimal("0.00")


def _period_lines(condition: Q | None = None) -> Coalesce:
    """How many of the period's bank lines meet ``condition``: a subquery per period shown.

    Counted for the rows a page or an API page draws (after its ``LIMIT``), not by a join of
    every period with every bank line grouped before the page is cut.
    """
    lines = (
        StatementLine.objects.filter(condition or Q(), period=OuterRef("pk"))
        .order_by()
        .values("period")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(lines, output_field=IntegerField()), 0)


def periods_for(user) -> QuerySet[ReconciliationPeriod]:
    """Periods the user may read, with their contract and line counts."""
    return (
        ReconciliationPeriod.objects.for_user(user, "view")
        .select_related("contract", "closed_by")
        .annotate(
            line_count=_period_lines(),
            matched_count=_period_lines(Q(match__isnull=False)),
            explained_count=_period_lines(Q(match__isnull=True) & ~Q(explanation="")),
        )
    )


def lines_queryset(qs: QuerySet[StatementLine]) -> QuerySet[StatementLine]:
    """Statement lines with their match and its book entry, for lists (no N+1)."""
    return qs.select_related(
        "match__expenditure__budget_line", "match__disbursement", "match__confirmed_by", "explained_by"
    )


def line_state(line: StatementLine) -> str:
    """``matched``, ``explained``, ``ambiguous`` or ``unmatched``."""
    if getattr(line, "match", None) is not None:
        return "matched"
    if line.explanation:
        return "explained"
    if line.ambiguous:
        return "ambiguous"
    return "unmatched"


def filter_lines(qs: QuerySet[StatementLine], state: str) -> QuerySet[StatementLine]:
    """Lines in one state (see ``line_state``); any other value keeps every line."""
    if state == "matched":
        return qs.filter(match__isnull=False)
    if state == "explained":
        return qs.filter(match__isnull=True).exclude(explanation="")
    if state == "ambiguous":
        return qs.filter(match__isnull=True, explanation="").exclude(ambiguous=[])
    if state == "unmatched":
        return qs.filter(match__isnull=True, explanation="")
    return qs


def unmatched_book(contract: Contract, low: dt.date, high: dt.date) -> tuple[QuerySet, QuerySet]:
    """Posted, non-cash expenditures and disbursements of the contract dated in [low, high]
    that no bank line records yet. Cash never passes through the bank, so it is left out."""
    expenditures = (
        Expenditure.objects.filter(
            contract=contract, status=Expenditure.Status.POSTED, date__gte=low, date__lte=high
        )
        .exclude(payment_method=PaymentMethod.CASH)
        .filter(bank_match__isnull=True)
    )
    disbursements = Disbursement.objects.filter(
        contract=contract, date__gte=low, date__lte=high, bank_match__isnull=True
    )
    return expenditures, disbursements


def period_book_side(period: ReconciliationPeriod) -> tuple[QuerySet, QuerySet]:
    """Unmatched book entries dated inside the period (the books' side of the workspace)."""
    expenditures, disbursements = unmatched_book(period.contract, period.start, period.end)
    return expenditures.select_related("budget_line").order_by("date", "id"), disbursements.order_by(
        "date", "id"
    )


def manual_candidates(line: StatementLine, limit: int = 50) -> list[dict]:
    """Unmatched book entries with the line's amount (any date), nearest date first, for a
    hand match: ``{"kind", "id", "date", "amount", "name", "label"}``."""
    if line.amount < 0:
        qs = (
            Expenditure.objects.filter(
                contract_id=line.contract_id, status=Expenditure.Status.POSTED, amount=-line.amount
            )
            .filter(bank_match__isnull=True)
            .values_list("id", "date", "amount", "payee", "voucher_no")
        )
        items = [
            {"kind": "expenditure", "id": i, "date": d, "amount": a, "name": p, "ref": v}
            for i, d, a, p, v in qs
        ]
    else:
        qs = Disbursement.objects.filter(
            contract_id=line.contract_id, amount=line.amount, bank_match__isnull=True
        ).values_list("id", "date", "amount", "reference")
        items = [
            {"kind": "disbursement", "id": i, "date": d, "amount": a, "name": r, "ref": ""}
            for i, d, a, r in qs
        ]
    items.sort(key=lambda item: (abs((item["date"] - line.date).days), item["id"]))
    for item in items[:limit]:
        item["label"] = f"{item['date']} {item['amount']:.2f} {item['name']} {item['ref']}".strip()
    return items[:limit]


@dataclass
class PeriodSummary:
    """Counts and sums of a period, for the workspace head and the contract pack."""

    lines: int
    matched: int
    confirmed: int
    explained: int
    unmatched: int
    ambiguous: int
    money_in: Decimal
    money_out: Decimal
    book_unmatched_expenditures: int
    book_unmatched_disbursements: int

    @property
    def settled(self) -> bool:
        return self.lines > 0 and self.unmatched == 0 and self.confirmed == self.matched


def period_summary(period: ReconciliationPeriod) -> PeriodSummary:
    """How far the period is reconciled (two aggregate queries and two counts)."""
    agg = StatementLine.objects.filter(period=period).aggregate(
        lines=Count("id"),
        matched=Count("id", filter=Q(match__isnull=False)),
        confirmed=Count("id", filter=Q(match__confirmed=True)),
        explained=Count("id", filter=Q(match__isnull=True) & ~Q(explanation="")),
        ambiguous=Count("id", filter=Q(match__isnull=True, explanation="") & ~Q(ambiguous=[])),
        money_in=MoneySum("amount", filter=Q(amount__gt=0)),
        money_out=MoneySum("amount", filter=Q(amount__lt=0)),
    )
    expenditures, disbursements = unmatched_book(period.contract, period.start, period.end)
    return PeriodSummary(
        lines=agg["lines"],
        matched=agg["matched"],
        confirmed=agg["confirmed"],
        explained=agg["explained"],
        unmatched=agg["lines"] - agg["matched"] - agg["explained"],
        ambiguous=agg["ambiguous"],
        money_in=agg["money_in"] or ZERO,
        money_out=-(agg["money_out"] or ZERO),
        book_unmatched_expenditures=expenditures.count(),
        book_unmatched_disbursements=disbursements.count(),
    )


def contract_reconciliation(contract: Contract) -> list[dict]:
    """Every period of the contract with its counts (for the contract pack); one query."""
    rows = (
        ReconciliationPeriod.objects.filter(contract=contract)
        .annotate(
            line_count=Count("lines", distinct=True),
            matched_count=Count("lines", filter=Q(lines__match__isnull=False), distinct=True),
            explained_count=Count(
                "lines", filter=Q(lines__match__isnull=True) & ~Q(lines__explanation=""), distinct=True
            ),
        )
        .order_by("start", "id")
    )
    return [
        {
            "start": period.start,
            "end": period.end,
            "status": period.status,
            "status_label": str(period.get_status_display()),
            "lines": period.line_count,
            "matched": period.matched_count,
            "explained": period.explained_count,
            "unmatched": period.line_count - period.matched_count - period.explained_count,
            "closed_at": period.closed_at,
        }
        for period in rows
    ]


def statements_for(user) -> QuerySet[BankStatement]:
    return BankStatement.objects.for_user(user, "view").select_related("contract", "period", "created_by")


def matches_for(user) -> QuerySet[ReconciliationMatch]:
    return ReconciliationMatch.objects.for_user(user, "view").select_related(
        "line", "expenditure", "disbursement", "confirmed_by"
    )


def manual_candidates_for(lines: list[StatementLine], limit: int = 20) -> dict[int, list[dict]]:
    """``manual_candidates`` for many lines in two queries (one per side), keyed by line id."""
    open_lines = [line for line in lines if getattr(line, "match", None) is None and not line.explanation]
    if not open_lines:
        return {}
    contract_ids = {line.contract_id for line in open_lines}
    out_amounts = {-line.amount for line in open_lines if line.amount < 0}
    in_amounts = {line.amount for line in open_lines if line.amount > 0}
    pool: dict[tuple[int, str, Decimal], list[dict]] = {}
    if out_amounts:
        for i, c, d, a, p, v in (
            Expenditure.objects.filter(
                contract_id__in=contract_ids, status=Expenditure.Status.POSTED, amount__in=out_amounts
            )
            .filter(bank_match__isnull=True)
            .values_list("id", "contract_id", "date", "amount", "payee", "voucher_no")
        ):
            pool.setdefault((c, "out", a), []).append(
                {"kind": "expenditure", "id": i, "date": d, "amount": a, "name": p, "ref": v}
            )
    if in_amounts:
        for i, c, d, a, r in Disbursement.objects.filter(
            contract_id__in=contract_ids, amount__in=in_amounts, bank_match__isnull=True
        ).values_list("id", "contract_id", "date", "amount", "reference"):
            pool.setdefault((c, "in", a), []).append(
                {"kind": "disbursement", "id": i, "date": d, "amount": a, "name": r, "ref": ""}
            )
    result = {}
    for line in open_lines:
        key = (
            (line.contract_id, "out", -line.amount)
            if line.amount < 0
            else (line.contract_id, "in", line.amount)
        )
        items = sorted(pool.get(key, []), key=lambda item: (abs((item["date"] - line.date).days), item["id"]))
        items = items[:limit]
        for item in items:
            item["value"] = f"{item['kind']}:{item['id']}"
            item["label"] = f"{item['date']} {item['amount']:.2f} {item['name']} {item['ref']}".strip()
        result[line.pk] = items
    return result
