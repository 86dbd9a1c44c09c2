"""Benchmark: retention analytics for 5,000 staff over 10 years, and a 10,000-row roster import.

Runs on a scratch database of its own (SQLite under /tmp unless DATABASE_URL is set):
``.venv/bin/python -m bench.bench_staff``. Goals (issue 3): analytics < 1 s, import < 5 s.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"default": (5_000, 10_000), "small": (500, 1_000), "large": (5_000, 10_000)}


def _setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    if "DATABASE_URL" not in os.environ:
        path = Path("/tmp/bench_staff.sqlite3")  # noqa: S108 - a scratch benchmark database
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _build_workforce(slug: str, people: int, rng: random.Random):
    """``people`` staff over 10 years; a tenth re-hired once; 45 % certified."""
    from core.models import Agency
    from staff.models import EmploymentSpell, Qualification, StaffMember

    agency = Agency.objects.create(name=f"Bench {slug}", slug=slug)
    StaffMember.objects.bulk_create(
        [
            StaffMember(
                agency=agency,
                staff_no=f"B{i:05d}",
                name=f"社工{i}",
                position=rng.choice(["一线社工", "项目主管", "财务"]),
            )
            for i in range(people)
        ],
        batch_size=2000,
    )
    ids = list(StaffMember.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True))
    start = dt.date(2016, 1, 1)
    spells, quals = [], []
    reasons = [
        "salary",
        "career",
        "workload",
        "relocation",
        "study",
        "family",
        "contract_end",
        "dismissal",
        "other",
    ]
    for n, staff_id in enumerate(ids):
        hire = start + dt.timedelta(days=rng.randrange(0, 3500))
        kind = rng.choice(["full_time"] * 8 + ["part_time", "contract", "intern"])
        exit_ = None
        if rng.random() < 0.45:
            exit_ = hire + dt.timedelta(days=rng.randrange(30, 1800))
        spells.append(
            EmploymentSpell(
                agency=agency,
                staff_id=staff_id,
                hire_date=hire,
                exit_date=exit_,
                exit_reason=rng.choice(reasons) if exit_ else "",
                employment_type=kind,
            )
        )
        if exit_ and n % 10 == 0:
            again = exit_ + dt.timedelta(days=rng.randrange(30, 700))
            spells.append(
                EmploymentSpell(agency=agency, staff_id=staff_id, hire_date=again, employment_type=kind)
            )
        if rng.random() < 0.45:
            issued = hire + dt.timedelta(days=rng.randrange(-700, 900))
            quals.append(
                Qualification(
                    agency=agency,
                    staff_id=staff_id,
                    level=rng.choice(["assistant_social_worker", "social_worker", "senior_social_worker"]),
                    cert_no=f"{slug}-{n}",
                    issued=issued,
                    registration_expires=issued + dt.timedelta(days=1095),
                )
            )
    EmploymentSpell.objects.bulk_create(spells, batch_size=2000)
    Qualification.objects.bulk_create(quals, batch_size=2000)
    return agency, len(spells)


def _roster_csv(rows: int, rng: random.Random) -> bytes:
    header = "员工编号,姓名,岗位,用工形式,入职日期,离职日期,离职原因,学历,社工专业,证书等级,证书编号,发证日期,登记有效期至"
    lines = [header]
    person = 0
    while len(lines) <= rows:
        person += 1
        hire = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(0, 2500))
        cert = (
            f"助理社会工作师,R{person:06d},{hire.isoformat()},{(hire + dt.timedelta(days=1095)).isoformat()}"
            if person % 2
            else ",,,"
        )
        if person % 5 == 0 and len(lines) < rows:  # a re-hire: two rows for one person
            exit_ = hire + dt.timedelta(days=400)
            lines.append(f"S{person:06d},社工{person},一线社工,全职,{hire},{exit_},薪酬待遇,本科,是,{cert}")
            hire = exit_ + dt.timedelta(days=200)
        lines.append(f"S{person:06d},社工{person},一线社工,全职,{hire},,,本科,是,{cert}")
    return ("\n".join(lines[: rows + 1]) + "\n").encode()


def _timed(func, again=None):
    """Seconds of one call (without tracemalloc, which slows Python down several-fold), and the
    peak traced memory of a second call (``again``, or ``func`` once more)."""
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    (again or func)()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, round(peak / 1048576, 1)


def run(size: str = "default") -> list[dict]:
    _setup_django()
    from core.models import Agency
    from staff import analytics
    from staff.roster import roster_import

    people, rows = SIZES.get(size, SIZES["default"])
    rng = random.Random(3)
    suffix = str(int(time.time()))
    agency, spell_count = _build_workforce(f"bench-staff-{suffix}", people, rng)

    metrics, year_seconds, year_mb = _timed(lambda: analytics.retention_for_year(agency, 2024))
    dashboard, dash_seconds, dash_mb = _timed(
        lambda: analytics.retention_dashboard(agency, 2024, dt.date(2025, 12, 31))
    )
    assert metrics == dashboard["metrics"]

    target = Agency.objects.create(name="Bench roster", slug=f"bench-roster-{suffix}")
    data = _roster_csv(rows, rng)
    result, import_seconds, import_mb = _timed(
        lambda: roster_import(data=data, filename="roster.csv", agency=target)
    )
    if not result.ok:
        raise RuntimeError("; ".join(result.error_lines()[:5]))
    label = f"{people:,} staff / 10 years ({spell_count:,} spells)"
    return [
        {
            "operation": "staff: retention_for_year (one year)",
            "size": label,
            "seconds": round(year_seconds, 3),
            "rows_per_s": int(spell_count / year_seconds),
            "peak_mb": year_mb,
            "goal": "< 1 s",
            "baseline": "issue 3 goal",
        },
        {
            "operation": "staff: retention dashboard (year + trend of all years + breakdowns + monthly)",
            "size": label,
            "seconds": round(dash_seconds, 3),
            "rows_per_s": int(spell_count / dash_seconds),
            "peak_mb": dash_mb,
            "goal": "< 1 s",
            "baseline": "issue 3 goal",
        },
        {
            "operation": "staff: roster import (CSV, validate + write + history)",
            "size": f"{rows:,} rows",
            "seconds": round(import_seconds, 3),
            "rows_per_s": int(rows / import_seconds),
            "peak_mb": import_mb,
            "goal": "< 5 s",
            "baseline": "issue 3 goal",
        },
    ]


if __name__ == "__main__":
    for row in run(sys.argv[1] if len(sys.argv) > 1 else "default"):
        print(row)
