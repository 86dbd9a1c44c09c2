"""Benchmark: ledger import of 100,000 rows, and budget-vs-actual over 100,000 expenditures.

Runs in a scratch database of its own (SQLite under /tmp unless ``DATABASE_URL`` is set):
``.venv/bin/python -m bench.bench_finance [small]``.
"""

from __future__ import annotations

import os
import resource
import sys
import time

SIZES = {"default": 100_000, "small": 5_000}


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/bench_finance.sqlite3")
    if os.environ["DATABASE_URL"].startswith("sqlite:////tmp/bench_finance"):
        path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
        if os.path.exists(path):
            os.remove(path)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _ledger_csv(rows: int) -> bytes:
    lines = ["日期,金额,预算科目,收款方,摘要,发票号,支付方式,凭证号"]
    codes = ["A1", "X1", "服务活动"]
    for i in range(rows):
        lines.append(
            f"2025-{1 + i % 12:02d}-{1 + i % 28:02d},{(i % 997) + 0.5:.2f},{codes[i % 3]},供应商{i % 300},活动物资 {i},{10000000 + i},微信,V-{i:06d}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


def run(size: str = "default") -> list[dict]:
    _setup()
    import datetime as dt
    from decimal import Decimal

    from core.services import agency_create
    from finance.selectors import budget_vs_actual
    from finance.services import LineSpec, contract_create, funder_get_or_create, ledger_import

    rows = SIZES.get(size, SIZES["default"])
    agency = agency_create(name="Bench agency", slug=f"bench-{int(time.time())}")
    contract = contract_create(
        agency=agency,
        code="BENCH-01",
        title="Bench",
        funder=funder_get_or_create(agency=agency, name="Bench funder"),
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
        total=Decimal("1000000.00"),
        lines=[
            LineSpec("A1", "服务活动", "activities", Decimal("600000.00")),
            LineSpec("X1", "行政管理", "admin", Decimal("400000.00")),
        ],
    )
    data = _ledger_csv(rows)
    label = f"{rows:,} rows"
    results = []

    started = time.perf_counter()
    result = ledger_import(contract=contract, data=data, filename="bench.csv")
    seconds = time.perf_counter() - started
    # Peak resident size of the whole process (Linux reports KiB).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert result.ok, result.error_lines()[:5]
    results.append(
        {
            "operation": "ledger import (GB18030 CSV, all or nothing, with history)",
            "size": label,
            "seconds": round(seconds, 2),
            "rows_per_s": int(rows / seconds),
            "peak_mb": round(peak, 1),
            # Measured before the rewrite (a model instance, a history instance and ORM bulk
            # inserts per row): 132 s, 755 rows/s, ~550 MB on SQLite; 32 s, 531 MB on PostgreSQL.
            "baseline": "before: 132 s on SQLite, 32 s on PostgreSQL (ORM bulk_create_with_history)",
        }
    )

    started = time.perf_counter()
    bva = budget_vs_actual(contract, as_of=dt.date(2025, 7, 1))
    seconds = time.perf_counter() - started
    assert len(bva.lines) == 2
    results.append(
        {
            "operation": "budget vs actual (one GROUP BY)",
            "size": f"{rows:,} expenditures",
            "seconds": round(seconds, 3),
            "rows_per_s": int(rows / max(seconds, 1e-9)),
            "peak_mb": None,
            "baseline": "",
        }
    )
    return results


if __name__ == "__main__":
    for row in run(sys.argv[1] if len(sys.argv) > 1 else "default"):
        print(row)
