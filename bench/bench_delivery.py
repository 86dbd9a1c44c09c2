"""Benchmark: the delivery rules and target progress on one contract's service activities.

Builds a one-year contract with four targets and N activities (default 200,000) by 400 staff,
with a few planted irregularities, in a scratch SQLite database unless ``DATABASE_URL`` is set,
then times (a) pandas ``read_csv`` of the same rows written as a CSV file (the baseline, best of
three), (b) loading the activities and their context, (c) the eight delivery rules, (d) the
delivery part of a flag scan (load + rules, ``delivery.flags.contract_findings``) with its ratio
to the baseline, (e) the whole flag scan of the contract (``flags_scan_contract``: the finance
rules on its empty ledger, the delivery rules, storing the flags) first and again with nothing
changed, each with its ratio, and (f) target progress (one grouped query). Each scan is the best
of three, as the baseline is (the first scan runs twice rolled back before the one that stays).
``.venv/bin/python -m bench.bench_delivery [small|default]``.

On the large demo (``seed_demo --size large``, agency ``provincial``): when
``BENCH_LARGE_DATABASE_URL`` is set (``make bench`` sets it), a child process on that database
times the delivery scan of the contract with the most activities and of every contract of the
agency (seconds, tracemalloc peak of a second run, findings per rule) and the ``targets`` report
of that contract in each format. Alone: ``DATABASE_URL=... python -m bench.bench_delivery --large``.
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
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "BENCH_DELIVERY_ROWS="
CSV_PATH = Path(tempfile.gettempdir()) / "bench_delivery_activities.csv"

SIZES = {"small": 20_000, "default": 200_000, "large": 200_000}
#: Runs of each timed scan, as of the baseline: the best counts.
RUNS = 3


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/bench_delivery.sqlite3")
    if os.environ["DATABASE_URL"].startswith("sqlite:////tmp/bench_delivery"):
        path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
        if os.path.exists(path):
            os.remove(path)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(rows: int):
    import datetime as dt
    from decimal import Decimal

    from core.models import Agency
    from delivery.models import ServiceActivity, Target
    from finance.models import Contract, Funder
    from staff.models import EmploymentSpell, StaffMember

    rng = random.Random(42)
    agency = Agency.objects.create(name="Bench delivery", slug=f"bench-delivery-{int(time.time())}")
    funder = Funder.objects.create(agency=agency, name="Bench funder")
    contract = Contract.objects.create(
        agency=agency, code="BENCH-DELIVERY", title="Bench", funder=funder, start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31), total=Decimal("1000000.00"),
    )  # fmt: skip
    staff = StaffMember.objects.bulk_create(
        [StaffMember(agency=agency, staff_no=f"B{i:04d}", name=f"社工{i}") for i in range(400)]
    )
    EmploymentSpell.objects.bulk_create(
        [EmploymentSpell(agency=agency, staff=s, hire_date=dt.date(2020, 1, 1)) for s in staff]
    )
    targets = [
        Target.objects.create(agency=agency, contract=contract, code=code, name=code, measure=measure, quantity=q)
        for code, measure, q in (("HV", "activities", rows // 2), ("CS", "cases", 5000), ("GP", "participants", rows),
                                 ("HR", "hours", rows // 4))
    ]  # fmt: skip
    batch = []
    for i in range(rows):
        target = targets[i % 4]
        batch.append(
            ServiceActivity(
                agency=agency,
                contract=contract,
                activity_no=f"A{i:07d}",
                date=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(365)),
                staff=staff[rng.randrange(400)],
                target=target,
                duration_minutes=rng.choice([30, 45, 60, 90]),
                case_code=f"C-{rng.randrange(6000):05d}" if target.measure == "cases" else "",
                participants=rng.randint(1, 20),
            )
        )
    ServiceActivity.objects.bulk_create(batch, batch_size=5000)
    from django.db import connection

    if connection.vendor == "postgresql":
        # Statistics, as autovacuum would gather after such a load (bench_scan does the same).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE delivery_serviceactivity")
    return contract


def _read_csv_baseline(frame) -> float:
    """Best of three pandas ``read_csv`` of ``frame``'s rows as a CSV file (dates parsed)."""
    import pandas as pd

    frame.to_csv(CSV_PATH, index=False)
    reads = []
    for _n in range(3):
        started = time.perf_counter()
        pd.read_csv(CSV_PATH, parse_dates=["date"], dtype={"case_code": str, "activity_no": str})
        reads.append(time.perf_counter() - started)
    CSV_PATH.unlink(missing_ok=True)
    return min(reads)


def _best_of(runs: int, func) -> tuple:
    """(the last result, the seconds of each of ``runs`` runs of ``func``)."""
    seconds, result = [], None
    for _n in range(runs):
        started = time.perf_counter()
        result = func()
        seconds.append(time.perf_counter() - started)
    return result, seconds


def _spread(seconds: list[float]) -> str:
    return f"{min(seconds):.3f}–{max(seconds):.3f} s"


def _counts(findings) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
    return dict(sorted(counts.items()))


def run(size: str = "default") -> list[dict]:
    rows = SIZES.get(size, SIZES["default"])
    _setup()
    started = time.perf_counter()
    contract = build(rows)
    built = time.perf_counter() - started

    from delivery.flags import activities_frame, contract_findings, delivery_context
    from delivery.rules import run_delivery_rules
    from delivery.selectors import contract_progress

    started = time.perf_counter()
    frame = activities_frame(contract)
    context = delivery_context(contract, frame)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    findings = run_delivery_rules(frame, contract.effective_policy(), context)
    ruled = time.perf_counter() - started
    baseline = _read_csv_baseline(frame)
    _result, scans = _best_of(RUNS, lambda: contract_findings(contract))
    scanned = min(scans)
    from django.db import transaction

    from finance.flags.services import flags_scan_contract

    def first_rolled_back():
        with transaction.atomic():
            flags_scan_contract(contract=contract)
            transaction.set_rollback(True)

    # Like the baseline, each scan is the best of three: the first scan runs twice more, rolled
    # back, before the one that stays; every re-scan finds exactly what the first one stored.
    _result, firsts = _best_of(RUNS - 1, first_rolled_back)
    first, last = _best_of(1, lambda: flags_scan_contract(contract=contract))
    firsts += last
    first_scan = min(firsts)
    again, rescans = _best_of(RUNS, lambda: flags_scan_contract(contract=contract))
    rescan = min(rescans)
    started = time.perf_counter()
    contract_progress(contract)
    progressed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    label = f"{rows:,} activities"
    counts = _counts(findings)
    results = [
        {"operation": "build bench activities", "size": label, "seconds": round(built, 2), "rows_per_s": int(rows / built)},
        {"operation": "delivery: pandas read_csv of the same rows (best of 3)", "size": label, "seconds": round(baseline, 3),
         "rows_per_s": int(rows / baseline), "baseline": "reference"},
        {"operation": "load activities and context", "size": label, "seconds": round(loaded, 3), "rows_per_s": int(rows / loaded)},
        {"operation": f"8 delivery rules ({len(findings)} findings: {counts})", "size": label, "seconds": round(ruled, 3),
         "rows_per_s": int(rows / ruled), "peak_mb": f"{round(peak):,} RSS"},
        {"operation": f"delivery scan (load + rules, contract_findings), best of {RUNS} ({_spread(scans)})", "size": label,
         "seconds": round(scanned, 3), "rows_per_s": int(rows / scanned), "baseline": f"{scanned / baseline:.2f}× read_csv"},
        {"operation": f"whole flag scan of the contract, first (flags_scan_contract: finance + delivery rules, {first.created} flags stored), "
                      f"best of {RUNS}, {RUNS - 1} rolled back ({_spread(firsts)})",
         "size": label, "seconds": round(first_scan, 3), "rows_per_s": int(rows / first_scan),
         "baseline": f"{first_scan / baseline:.2f}× read_csv"},
        {"operation": f"whole flag scan, re-scan with nothing changed ({again.unchanged} unchanged), best of {RUNS} ({_spread(rescans)})",
         "size": label, "seconds": round(rescan, 3), "rows_per_s": int(rows / rescan), "baseline": f"{rescan / baseline:.2f}× read_csv"},
        {"operation": "target progress (one grouped query)", "size": label, "seconds": round(progressed, 3),
         "rows_per_s": int(rows / progressed)},
    ]  # fmt: skip
    large_url = os.environ.get("BENCH_LARGE_DATABASE_URL")
    if large_url:
        results += _large_in_child(large_url)
    return results


def _large_in_child(url: str) -> list[dict]:
    env = dict(os.environ)
    env["DATABASE_URL"] = url
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env.setdefault("DEBUG", "1")
    env.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    done = subprocess.run(  # our own module, fixed arguments
        [sys.executable, "-m", "bench.bench_delivery", "--large"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stderr.write(done.stderr)
    line = next((x for x in done.stdout.splitlines() if x.startswith(MARK)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"bench_delivery --large failed (exit {done.returncode}); see the messages above")
    return json.loads(line.removeprefix(MARK))


def _timed(func):
    """(result, seconds of a plain run, tracemalloc peak MB of a second run)."""
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    func()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, round(peak / 1048576, 1)


def large() -> list[dict]:
    """The delivery scan and the targets report on the large demo's agency (see the docstring)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.db.models import Count

    from core.models import Agency
    from core.reports import get, render
    from delivery.flags import activities_frame, contract_findings
    from finance.models import Contract
    from overview.demo import LARGE_SLUG

    agency = Agency.objects.filter(slug=LARGE_SLUG).first()
    if agency is None:
        raise SystemExit(f"no agency {LARGE_SLUG!r} in this database: run `make seed-large` first")
    contracts = list(
        Contract.objects.filter(agency=agency).annotate(n=Count("activities")).order_by("-n", "-end", "code")
    )
    total = sum(c.n for c in contracts)
    biggest = contracts[0]
    results: list[dict] = []
    size = f"{biggest.n:,} activities ({biggest.code})"
    print(f"bench_delivery --large: {total:,} activities in {len(contracts)} contracts", file=sys.stderr)

    frame = activities_frame(biggest)
    baseline = _read_csv_baseline(frame)
    del frame
    results.append(
        {"operation": "large demo: pandas read_csv of the largest contract's activities (best of 3)",
         "size": size, "seconds": round(baseline, 3), "rows_per_s": int(biggest.n / baseline),
         "baseline": "reference"}
    )  # fmt: skip
    findings, seconds, peak = _timed(lambda: contract_findings(biggest))
    results.append(
        {"operation": f"large demo: delivery scan, largest contract ({len(findings)} findings: {_counts(findings)})",
         "size": size, "seconds": round(seconds, 3), "rows_per_s": int(biggest.n / seconds), "peak_mb": peak,
         "baseline": f"{seconds / baseline:.2f}× read_csv"}
    )  # fmt: skip

    def scan_all():
        out = []
        for contract in contracts:
            out += contract_findings(contract)
        return out

    every, seconds, peak = _timed(scan_all)
    results.append(
        {"operation": f"large demo: delivery scan, all {len(contracts)} contracts ({len(every)} findings: "
                      f"{_counts(every)})",
         "size": f"{total:,} activities ({LARGE_SLUG})", "seconds": round(seconds, 3),
         "rows_per_s": int(total / seconds), "peak_mb": peak}
    )  # fmt: skip

    kind = get("targets")
    report, seconds, peak = _timed(lambda: kind.build(agency=agency, contract=biggest.code))
    results.append(
        {"operation": f"large demo: report targets, data ({len(report.data['targets'])} targets)",
         "size": size, "seconds": round(seconds, 3), "rows_per_s": int(biggest.n / seconds), "peak_mb": peak}
    )  # fmt: skip
    for fmt in ("json", "csv", "xlsx", "pdf"):
        started = time.perf_counter()
        render(kind.build(agency=agency, contract=biggest.code), fmt)
        seconds = time.perf_counter() - started
        results.append(
            {"operation": f"large demo: report targets --format {fmt} (build + render)", "size": size,
             "seconds": round(seconds, 3)}
        )  # fmt: skip
    results.append(
        {"operation": "large demo: peak resident size of the measuring process", "size": size,
         "seconds": None, "peak_mb": f"{_own_peak_rss_mb():,} RSS"}
    )  # fmt: skip
    return results


def _own_peak_rss_mb() -> int:
    """This process's peak resident size. Linux keeps ``ru_maxrss`` across ``exec``, so in the
    child it would be the parent's; ``VmHWM`` belongs to the new address space."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


if __name__ == "__main__":
    if "--large" in sys.argv:
        print(MARK + json.dumps(large(), default=str))
    else:
        for row in run(sys.argv[1] if len(sys.argv) > 1 else "default"):
            print(row)
