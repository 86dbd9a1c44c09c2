"""Benchmark: the contract pack over 100,000 expenditures, and matching 10,000 bank lines
against 100,000 expenditures.

Runs in a scratch database of its own (SQLite under /tmp unless ``DATABASE_URL`` is set):
``.venv/bin/python -m bench.bench_reconciliation [small]``.
"""

from __future__ import annotations

import os
import resource
import sys
import time

#: size → (expenditures, statement lines)
SIZES = {"default": (100_000, 10_000), "small": (5_000, 500)}


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/bench_reconciliation.sqlite3")
    if os.environ["DATABASE_URL"].startswith("sqlite:////tmp/bench_reconciliation"):
        path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
        if os.path.exists(path):
            os.remove(path)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _peak_mb() -> int:
    # Peak resident size of the whole process (Linux reports KiB).
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _data(expenditures: int, lines: int):
    """A contract with ``expenditures`` posted rows (bulk inserted, no history: this is set-up,
    not what is measured) and a period holding ``lines`` statement lines, most of which match."""
    import datetime as dt
    import random
    from decimal import Decimal

    from core.models import ImportBatch
    from core.services import agency_create
    from finance.models import BankStatement, Expenditure, ReconciliationPeriod, StatementLine
    from finance.services import LineSpec, contract_create, disbursement_create, funder_get_or_create

    rng = random.Random(8)
    agency = agency_create(name="Bench agency", slug=f"bench-rc-{int(time.time())}")
    contract = contract_create(
        agency=agency,
        code="BENCH-RC",
        title="信丰县农村留守儿童关爱保护服务",
        funder=funder_get_or_create(agency=agency, name="信丰县民政局"),
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
        total=Decimal("90000000.00"),
        lines=[
            LineSpec("P1", "人员经费", "personnel", Decimal("40000000.00")),
            LineSpec("A1", "服务活动", "activities", Decimal("30000000.00")),
            LineSpec("X1", "行政管理", "admin", Decimal("20000000.00")),
        ],
    )
    for month in range(1, 13, 3):
        disbursement_create(
            contract=contract,
            date=dt.date(2025, month, 10),
            amount=Decimal("20000000.00"),
            reference="tranche",
        )
    budget_lines = list(contract.budget_lines.all())
    start = dt.date(2025, 1, 1)
    rows = []
    for i in range(expenditures):
        rows.append(
            Expenditure(
                agency=agency,
                contract=contract,
                budget_line=budget_lines[i % 3],
                date=start + dt.timedelta(days=rng.randrange(365)),
                amount=Decimal(rng.randrange(1000, 500000)) / 100,
                payee=f"供应商{rng.randrange(2000)}",
                description="活动物资",
                payment_method="bank",
                voucher_no=f"V-{i:06d}",
            )
        )
    Expenditure.objects.bulk_create(rows, batch_size=5000)
    period = ReconciliationPeriod.objects.create(
        agency=agency, contract=contract, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
    )
    batch = ImportBatch.objects.create(
        agency=agency, kind="bank_statement", target=contract.code, sha256="x" * 64
    )
    statement = BankStatement.objects.create(
        agency=agency, contract=contract, period=period, import_batch=batch, file_name="bench.csv"
    )
    picked = rng.sample(rows, lines)
    statement_lines = []
    for n, expenditure in enumerate(picked):
        shift = rng.choice((0, 0, 0, 1, 2, -1, 3))
        day = min(max(expenditure.date + dt.timedelta(days=shift), period.start), period.end)
        statement_lines.append(
            StatementLine(
                agency=agency,
                contract=contract,
                statement=statement,
                period=period,
                row_number=n + 2,
                date=day,
                amount=-expenditure.amount,
                counterparty=expenditure.payee if n % 5 else f" {expenditure.payee}有限公司 ",
                reference="付款",
            )
        )
    StatementLine.objects.bulk_create(statement_lines, batch_size=5000)
    return contract, period


def run(size: str = "default") -> list[dict]:
    _setup()
    from core.reports import render
    from finance.reconciliation.services import period_auto_match
    from finance.reports.pack import contract_pack

    expenditures, lines = SIZES.get(size, SIZES["default"])
    contract, period = _data(expenditures, lines)
    results = []

    started = time.perf_counter()
    outcome = period_auto_match(period=period)
    seconds = time.perf_counter() - started
    results.append(
        {
            "operation": "bank statement matching (pandas merge on cents, date window, resolve)",
            "size": f"{lines:,} lines / {expenditures:,} expenditures",
            "seconds": round(seconds, 3),
            "rows_per_s": int(lines / seconds) if seconds else None,
            "peak_mb": _peak_mb(),
            "baseline": f"target < 5 s; {outcome['matched']:,} matched, {outcome['ambiguous']:,} ambiguous",
        }
    )

    for fmt in ("json", "xlsx", "pdf"):
        started = time.perf_counter()
        content, _type, _name = render(contract_pack(contract), fmt)
        seconds = time.perf_counter() - started
        results.append(
            {
                "operation": f"contract pack ({fmt})",
                "size": f"{expenditures:,} expenditures",
                "seconds": round(seconds, 3),
                "rows_per_s": int(expenditures / seconds) if seconds else None,
                "peak_mb": _peak_mb(),
                "baseline": f"target < 3 s; {len(content):,} bytes",
            }
        )
    return results


if __name__ == "__main__":
    for row in run(sys.argv[1] if len(sys.argv) > 1 else "default"):
        print(row)
