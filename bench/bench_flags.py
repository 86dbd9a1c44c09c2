"""Benchmark: the irregularity scan of one contract with every rule.

Builds a 10-year contract of N expenditures (default 200,000; ``large`` 1,000,000) with a few
planted irregularities, then times (a) pandas reading the same rows from a CSV (the baseline),
(b) loading the contract's frame from the database, (c) running the 20 rules, and (d) the full
``flags_scan_contract`` (load + rules + storing flags). The scan runs in a child process so its
peak memory is its own. Scratch SQLite under /tmp unless ``DATABASE_URL`` is set:
``.venv/bin/python -m bench.bench_flags [small|default|large]``.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

from bench import django_setup

SIZES = {"small": 20_000, "default": 200_000, "large": 1_000_000}
CSV_PATH = os.path.join(tempfile.gettempdir(), "bench_flags_rows.csv")


def _setup(reset: bool) -> None:
    django_setup("bench_flags", reset)


def build(rows: int) -> str:
    """Create the agency, contract and ``rows`` expenditures; write the same rows as CSV."""
    import datetime as dt
    from decimal import Decimal

    import chinese_calendar
    from django.db import connection, transaction

    from core.models import Agency
    from finance.models import BudgetLine, Contract, Expenditure, Funder

    rng = random.Random(42)
    slug = f"bench-flags-{int(time.time())}"
    agency = Agency.objects.create(name="Bench flags", slug=slug)
    funder = Funder.objects.create(agency=agency, name="Bench funder")
    start, end = dt.date(2016, 1, 1), dt.date(2025, 12, 31)
    contract = Contract.objects.create(
        agency=agency, code="BENCH-FLAGS", title="Bench", funder=funder, start=start, end=end,
        total=Decimal("900000000.00"),
    )  # fmt: skip
    specs = [
        ("A1", "activities", 400),
        ("M1", "materials", 250),
        ("E1", "equipment", 100),
        ("S1", "services", 100),
        ("AD", "admin", 50),
    ]
    lines = {
        code: BudgetLine.objects.create(
            agency=agency, contract=contract, code=code, name=code, category=cat,
            amount=Decimal(millions * 1_000_000), approved_amount=Decimal(millions * 1_000_000), position=i,
        )
        for i, (code, cat, millions) in enumerate(specs)
    }  # fmt: skip
    days = []
    day = start
    while day <= end:
        try:
            if chinese_calendar.is_workday(day):
                days.append(day)
        except NotImplementedError:
            if day.weekday() < 5:
                days.append(day)
        day += dt.timedelta(days=1)
    codes = list(lines)
    csv_lines = ["id,date,amount,line,payee,description,invoice_no,payment_method,voucher_no,posted_on"]
    batch: list[Expenditure] = []
    with transaction.atomic():
        for i in range(rows):
            d = days[i * len(days) // rows]
            amount = Decimal(str(round(10 ** rng.uniform(1, 3.6), 2)))
            if amount % 1 == 0:
                amount += Decimal("0.01")
            method = "bank"
            invoice = f"{10_000_000 + i}"
            if i % 2000 == 7:
                d = d + dt.timedelta(days=(5 - d.weekday()) % 7)  # a weekend day
            if i % 5000 == 11:
                method, amount = "cash", Decimal("1234.56")
            if i % 7000 == 13:
                invoice = ""
            code = codes[i % len(codes)]
            payee = f"供应商{rng.randrange(rows // 20 + 50):06d}"
            batch.append(
                Expenditure(
                    agency=agency,
                    contract=contract,
                    budget_line=lines[code],
                    date=d,
                    amount=amount,
                    payee=payee,
                    description="活动物资",
                    invoice_no=invoice,
                    payment_method=method,
                    voucher_no=f"V-{i:07d}",
                    posted_on=d + dt.timedelta(days=2),
                    status="posted",
                    source="import",
                )
            )
            csv_lines.append(
                f"{i},{d},{amount},{code},{payee},活动物资,{invoice},{method},V-{i:07d},{d + dt.timedelta(days=2)}"
            )
            if len(batch) == 20_000:
                Expenditure.objects.bulk_create(batch)
                batch = []
        if batch:
            Expenditure.objects.bulk_create(batch)
    with open(CSV_PATH, "w", encoding="utf-8") as handle:
        handle.write("\n".join(csv_lines))
    connection.close()
    return slug


def scan(slug: str) -> dict:
    """Time loading, rules and the full scan (run in a child process: its own peak memory)."""
    from finance.flags import selectors
    from finance.flags.services import flags_scan_contract
    from finance.models import Contract
    from finance.rules import run_rules

    contract = Contract.objects.get(agency__slug=slug, code="BENCH-FLAGS")
    started = time.perf_counter()
    frame = selectors.contract_frame(contract)
    load = time.perf_counter() - started
    context = selectors.rule_context(contract)
    started = time.perf_counter()
    findings = run_rules(frame, contract.effective_policy(), context)
    rules = time.perf_counter() - started
    del frame
    started = time.perf_counter()
    result = flags_scan_contract(contract=contract)
    full = time.perf_counter() - started
    started = time.perf_counter()
    flags_scan_contract(contract=contract)
    rescan = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "load": load,
        "rules": rules,
        "full": full,
        "rescan": rescan,
        "findings": len(findings),
        "flags": result.created,
        "peak_mb": round(peak),
    }


def run(size: str = "default") -> list[dict]:
    rows = SIZES.get(size, SIZES["default"])
    _setup(reset=True)
    started = time.perf_counter()
    slug = build(rows)
    built = time.perf_counter() - started

    import pandas as pd

    started = time.perf_counter()
    csv_frame = pd.read_csv(CSV_PATH, dtype={"invoice_no": str})
    baseline = time.perf_counter() - started
    assert len(csv_frame) == rows
    del csv_frame

    child = subprocess.run(
        [sys.executable, "-m", "bench.bench_flags", "--scan", slug],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    label = f"{rows:,} expenditures"
    db = os.environ["DATABASE_URL"].split(":", 1)[0]
    ratio = figures["full"] / baseline if baseline else None
    return [
        {"operation": f"build bench ledger ({db})", "size": label, "seconds": round(built, 2), "rows_per_s": int(rows / built)},
        {"operation": "pandas read_csv of the same rows", "size": label, "seconds": round(baseline, 3), "rows_per_s": int(rows / baseline), "baseline": "reference"},
        {"operation": "load contract frame (raw cursor)", "size": label, "seconds": round(figures["load"], 3), "rows_per_s": int(rows / figures["load"])},
        {"operation": f"20 rules on the frame ({figures['findings']} findings)", "size": label, "seconds": round(figures["rules"], 3), "rows_per_s": int(rows / figures["rules"])},
        {
            "operation": f"flags_scan_contract, first scan ({figures['flags']} flags stored)",
            "size": label,
            "seconds": round(figures["full"], 3),
            "rows_per_s": int(rows / figures["full"]),
            "peak_mb": figures["peak_mb"],
            "goal": "1M rows < 30 s, < 2 GB, ≤ 3× read_csv",
            "baseline": f"{ratio:.2f}× read_csv" if ratio else None,
        },
        {"operation": "flags_scan_contract, re-scan (no changes)", "size": label, "seconds": round(figures["rescan"], 3), "rows_per_s": int(rows / figures["rescan"]), "baseline": f"{figures['rescan'] / baseline:.2f}× read_csv"},
    ]  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--scan":
        _setup(reset=False)
        print(json.dumps(scan(sys.argv[2])))
    else:
        size = sys.argv[1] if len(sys.argv) > 1 else "default"
        for row in run(size):
            print(row)
