"""Benchmark: a flag scan with tens of thousands of findings, against pandas' read of the same file.

Issue 17, "the scan in sets, not rows". Builds an ordinary ledger of 100,000 expenditures over
three years (2023–2025) from one seeded RNG: 3,000 payees, a third of the rows dated on a
Saturday or Sunday, amounts of 300–7,000 with cents, so the scan finds about 31,000
WEEKEND_HOLIDAY and 3,400 SPLIT_PURCHASE findings. It writes the same rows as a CSV and times
pandas' ``read_csv`` of it (the baseline, best of three), then, in a child process (so the peak
resident memory is the scan's own), times the first ``flags_scan_contract`` and a re-scan with
nothing changed, and counts the rows the re-scan wrote (it must write none). It then times the
parts of a re-scan alone (the frame, the rules' context, the rules) and, on PostgreSQL, the
database's own floor for the first scan's writes (``bench.floor``: the same flags, links, events
and history stored again by binary ``COPY`` into twins of their tables, keys, indexes and foreign
keys included), so the figures say how much of a scan is the database's and how much ours.

Goal: each scan within 3× the read, peak memory under 1.5 GB. ``make bench`` runs it on a fresh
PostgreSQL database; alone: ``DATABASE_URL=postgres://… .venv/bin/python -m bench.bench_scan
[small|default]`` (scratch SQLite under /tmp without ``DATABASE_URL``); ``--profile`` also prints
where the scan's time goes (cProfile, top 25 by cumulative time).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

from bench import django_setup

SIZES = {"small": 10_000, "default": 100_000}
PAYEES = {"small": 300, "default": 3_000}
SEED = 20261201
CSV_PATH = os.path.join(tempfile.gettempdir(), "bench_scan_rows.csv")
GOAL_RATIO = 3.0
GOAL_PEAK_MB = 1536
CODE = "BENCH-SCAN"


def _setup(reset: bool) -> None:
    django_setup("bench_scan", reset)


def ledger_rows(rows: int, payees: int) -> list[tuple]:
    """(date, cents, line code, payee, invoice, voucher) of the bench ledger, from one seeded RNG."""
    import chinese_calendar

    rng = random.Random(SEED)
    start, end = dt.date(2023, 1, 1), dt.date(2025, 12, 31)
    days = [start + dt.timedelta(days=k) for k in range((end - start).days + 1)]
    weekend = [d for d in days if d.weekday() >= 5]
    workdays = [d for d in days if chinese_calendar.is_workday(d)]
    codes = ("A1", "M1", "S1", "E1")
    out = []
    for i in range(rows):
        day = rng.choice(weekend) if i % 3 == 0 else rng.choice(workdays)
        cents = int(math.exp(rng.uniform(math.log(300), math.log(7000))) * 100)
        if cents % 100 == 0:
            cents += 37
        payee = f"供应商{rng.randrange(payees):04d}"
        out.append((day, cents, codes[i % len(codes)], payee, f"{20_000_000 + i}", f"V-{i:07d}"))
    return out


def build(size: str) -> str:
    """Create the agency, contract and ledger (no per-row history, as the large demo); write the CSV."""
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from core.demo import write_rows
    from core.models import Agency
    from finance.models import BudgetLine, Contract, Expenditure, Funder

    rows = ledger_rows(SIZES[size], PAYEES[size])
    slug = f"bench-scan-{int(time.time())}"
    with transaction.atomic():
        agency = Agency.objects.create(name="Bench scan", slug=slug)
        funder = Funder.objects.create(agency=agency, name="Bench funder")
        contract = Contract.objects.create(
            agency=agency, code=CODE, title="Bench scan", funder=funder,
            start=dt.date(2023, 1, 1), end=dt.date(2025, 12, 31), total=Decimal("500000000.00"),
        )  # fmt: skip
        specs = [("A1", "activities"), ("M1", "materials"), ("S1", "services"), ("E1", "equipment")]
        lines = {
            code: BudgetLine.objects.create(
                agency=agency, contract=contract, code=code, name=code, category=category,
                amount=Decimal("100000000.00"), approved_amount=Decimal("100000000.00"), position=i,
            ).pk
            for i, (code, category) in enumerate(specs)
        }  # fmt: skip
        now = timezone.now()
        fields = [
            "agency", "contract", "budget_line", "date", "amount", "payee", "description", "invoice_no",
            "payment_method", "voucher_no", "posted_on", "status", "void_reason", "source", "created_at",
        ]  # fmt: skip
        write_rows(
            Expenditure,
            fields,
            (
                (agency.pk, contract.pk, lines[code], day, Decimal(cents) / 100, payee, "活动物资", invoice,
                 "bank", voucher, day + dt.timedelta(days=2), "posted", "", "import", now)
                for day, cents, code, payee, invoice, voucher in rows
            ),
        )  # fmt: skip
    with open(CSV_PATH, "w", encoding="utf-8") as handle:
        handle.write("date,amount,line,payee,description,invoice_no,payment_method,voucher_no,posted_on\n")
        for day, cents, code, payee, invoice, voucher in rows:
            handle.write(
                f"{day},{cents // 100}.{cents % 100:02d},{code},{payee},活动物资,{invoice},bank,{voucher},"
                f"{day + dt.timedelta(days=2)}\n"
            )
    if os.environ["DATABASE_URL"].startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE finance_expenditure")
    return slug


def _count_writes():
    """A query wrapper counting the INSERT, UPDATE and DELETE statements (and COPY) it sees."""
    counts = {"writes": 0, "queries": 0}

    def wrapper(execute, sql, params, many, context):
        counts["queries"] += 1
        if sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE") or sql.lstrip().upper().startswith(
            "COPY"
        ):
            counts["writes"] += 1
        return execute(sql, params, many, context)

    return counts, wrapper


def scan(slug: str, profile: bool) -> dict:
    """First scan and a no-change re-scan, timed (run in a child process: its own peak memory)."""
    from collections import Counter

    from django.db import connection

    from finance.flags.services import flags_scan_contract
    from finance.models import Contract, Flag

    contract = Contract.objects.get(agency__slug=slug, code=CODE)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    first = flags_scan_contract(contract=contract)
    first_seconds = time.perf_counter() - started
    counts, wrapper = _count_writes()
    started = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        again = flags_scan_contract(contract=contract)
    rescan_seconds = time.perf_counter() - started
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue(), file=sys.stderr)
    by_rule = Counter(Flag.objects.filter(contract=contract, active=True).values_list("rule", flat=True))
    parts = _phases(contract)
    floor = _flag_floor(contract) if connection.vendor == "postgresql" else None
    return {
        "phases": parts,
        "floor": floor,
        "first": first_seconds,
        "rescan": rescan_seconds,
        "created": first.created,
        "unchanged": again.unchanged,
        "rescan_writes": counts["writes"],
        "rescan_queries": counts["queries"],
        "by_rule": dict(by_rule.most_common()),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _phases(contract) -> dict:
    """Seconds of the parts of a no-change re-scan, each timed alone (best of 3): reading the
    frame (the database's query and its transfer included), the rules' context, the rules."""
    from finance.flags import selectors
    from finance.rules import REGISTRY, run_rules

    best = {"frame": math.inf, "context": math.inf, "rules": math.inf}
    policy = contract.effective_policy()
    codes = [c for c in REGISTRY.order() if c not in policy["disabled_rules"]]
    for _ in range(3):
        started = time.perf_counter()
        frame = selectors.contract_frame(contract)
        best["frame"] = min(best["frame"], time.perf_counter() - started)
        started = time.perf_counter()
        context = selectors.rule_context(contract, frame)
        best["context"] = min(best["context"], time.perf_counter() - started)
        started = time.perf_counter()
        run_rules(frame, policy, context, codes=codes)
        best["rules"] = min(best["rules"], time.perf_counter() - started)
    return best


def _flag_floor(contract) -> dict:
    """The database's floor for the first scan's writes: the contract's flags, their links,
    events and history stored again by ``COPY`` into twins with the same keys, indexes and
    foreign keys (``bench.floor``)."""
    from bench.floor import storage_floor
    from finance.models import Flag, FlagEvent

    of_contract = "contract_id = %s"
    flag_ids = "flag_id IN (SELECT id FROM finance_flag WHERE contract_id = %s)"
    tables = [
        (Flag._meta.db_table, of_contract, [contract.pk]),
        (Flag.history.model._meta.db_table, "id IN (SELECT id FROM finance_flag WHERE contract_id = %s)", [contract.pk]),
        (Flag.expenditures.through._meta.db_table, flag_ids, [contract.pk]),
        (Flag.contracts.through._meta.db_table, flag_ids, [contract.pk]),
        (FlagEvent._meta.db_table, flag_ids, [contract.pk]),
        (
            FlagEvent.history.model._meta.db_table,
            f"id IN (SELECT id FROM finance_flagevent WHERE {flag_ids})",  # noqa: S608 (bench: no input)
            [contract.pk],
        ),
    ]  # fmt: skip
    return storage_floor(tables)


def run(size: str = "default", profile: bool = False) -> list[dict]:
    size = size if size in SIZES else "default"
    rows = SIZES[size]
    _setup(reset=True)
    started = time.perf_counter()
    slug = build(size)
    built = time.perf_counter() - started

    import pandas as pd

    reads = []
    for _ in range(3):
        started = time.perf_counter()
        frame = pd.read_csv(CSV_PATH, dtype={"invoice_no": str})
        reads.append(time.perf_counter() - started)
        assert len(frame) == rows
        del frame
    baseline = min(reads)

    command = [sys.executable, "-m", "bench.bench_scan", "--scan", slug]
    if profile:
        command.append("--profile")
    child = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ.copy())
    if profile or child.returncode:
        print(child.stderr, file=sys.stderr)
    child.check_returncode()
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    rules = ", ".join(f"{n:,} {rule}" for rule, n in figures["by_rule"].items())
    label = f"{rows:,} expenditures"
    db = os.environ["DATABASE_URL"].split(":", 1)[0]
    first_ratio = figures["first"] / baseline
    rescan_ratio = figures["rescan"] / baseline

    def verdict(ratio: float) -> str:
        ok = ratio <= GOAL_RATIO and figures["peak_mb"] < GOAL_PEAK_MB
        return f"{ratio:.2f}× read_csv: {'PASS' if ok else 'FAIL'}"

    goal = f"≤ {GOAL_RATIO:g}× read_csv, < {GOAL_PEAK_MB / 1024:g} GB"
    phases = figures["phases"]
    parts = [
        {
            "operation": f"re-scan part alone (best of 3): {name}",
            "size": label, "seconds": round(phases[key], 3), "rows_per_s": int(rows / phases[key]),
            "baseline": f"{phases[key] / baseline:.2f}× read_csv",
        }
        for key, name in (
            ("frame", "the contract's frame (query, transfer, typed columns)"),
            ("context", "the rules' context (other contracts' invoices, staff, assignments)"),
            ("rules", "every rule on the frame"),
        )
    ]  # fmt: skip
    floor = figures["floor"]
    if floor is not None:
        parts.append(
            {
                "operation": (
                    f"database floor of the first scan's writes: its {floor['rows']:,} rows (flags, links, "
                    "events, history) stored again by binary COPY into twins with the same keys, indexes "
                    "and foreign keys, commit included"
                ),
                "size": label, "seconds": round(floor["seconds"], 3), "rows_per_s": int(floor["rows"] / floor["seconds"]),
                "baseline": f"{floor['seconds'] / baseline:.2f}× read_csv",
            }
        )  # fmt: skip
    return [
        {"operation": f"scan bench: build ledger ({db}, {'COPY' if db.startswith('postgres') else 'bulk_create'})", "size": label, "seconds": round(built, 2), "rows_per_s": int(rows / built)},
        {"operation": "scan bench: pandas read_csv of the same rows (best of 3)", "size": label, "seconds": round(baseline, 3), "rows_per_s": int(rows / baseline), "baseline": "reference"},
        {
            "operation": f"flags_scan_contract, first scan ({figures['created']:,} flags: {rules})",
            "size": label, "seconds": round(figures["first"], 3), "rows_per_s": int(rows / figures["first"]),
            "peak_mb": f"{figures['peak_mb']:,} RSS", "goal": goal, "baseline": verdict(first_ratio),
        },
        {
            "operation": (
                f"flags_scan_contract, re-scan, nothing changed ({figures['unchanged']:,} unchanged, "
                f"{figures['rescan_writes']} writes in {figures['rescan_queries']} queries)"
            ),
            "size": label, "seconds": round(figures["rescan"], 3), "rows_per_s": int(rows / figures["rescan"]),
            "peak_mb": f"{figures['peak_mb']:,} RSS", "goal": f"{goal}, 0 writes",
            "baseline": verdict(rescan_ratio) if figures["rescan_writes"] == 0 else f"{rescan_ratio:.2f}× read_csv: FAIL (writes)",
        },
        *parts,
    ]  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--scan":
        _setup(reset=False)
        print(json.dumps(scan(sys.argv[2], profile="--profile" in sys.argv)))
    else:
        args = [a for a in sys.argv[1:] if not a.startswith("--")]
        for row in run(args[0] if args else "default", profile="--profile" in sys.argv):
            print(row)
