"""Benchmark: the delivery rules and target progress on one contract's service activities.

Builds a one-year contract with four targets and N activities (default 200,000) by 400 staff,
with a few planted irregularities, in a scratch SQLite database unless ``DATABASE_URL`` is set,
then times (a) loading the activities and their context, (b) the eight delivery rules, and (c)
target progress (one grouped query). ``.venv/bin/python -m bench.bench_delivery [small|default]``.
"""

from __future__ import annotations

import os
import random
import resource
import sys
import time

SIZES = {"small": 20_000, "default": 200_000, "large": 200_000}


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
    return contract


def run(size: str = "default") -> list[dict]:
    rows = SIZES.get(size, SIZES["default"])
    _setup()
    started = time.perf_counter()
    contract = build(rows)
    built = time.perf_counter() - started

    from delivery.flags import activities_frame, delivery_context
    from delivery.rules import run_delivery_rules
    from delivery.selectors import contract_progress

    started = time.perf_counter()
    frame = activities_frame(contract)
    context = delivery_context(contract, frame)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    findings = run_delivery_rules(frame, contract.effective_policy(), context)
    ruled = time.perf_counter() - started
    started = time.perf_counter()
    contract_progress(contract)
    progressed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    label = f"{rows:,} activities"
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
    return [
        {"operation": "build bench activities", "size": label, "seconds": round(built, 2), "rows_per_s": int(rows / built)},
        {"operation": "load activities and context", "size": label, "seconds": round(loaded, 3), "rows_per_s": int(rows / loaded)},
        {"operation": f"8 delivery rules ({len(findings)} findings: {counts})", "size": label, "seconds": round(ruled, 3),
         "rows_per_s": int(rows / ruled), "peak_mb": round(peak)},
        {"operation": "target progress (one grouped query)", "size": label, "seconds": round(progressed, 3),
         "rows_per_s": int(rows / progressed)},
    ]  # fmt: skip


if __name__ == "__main__":
    for row in run(sys.argv[1] if len(sys.argv) > 1 else "default"):
        print(row)
