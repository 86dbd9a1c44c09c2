"""Benchmark: the heavy operations on the large data set, next to PostgreSQL COPY and pandas.

Needs the large data set (``seed_demo --size large``, agency ``provincial``) in PostgreSQL:
``make seed-large`` makes it in the database ``bench``. The measurements run in a child process
whose ``DATABASE_URL`` is ``BENCH_LARGE_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/bench``), so ``python -m bench`` may point the other
modules at a scratch database. Alone: ``.venv/bin/python -m bench.bench_scale``.

Baselines: ``COPY (SELECT ...) TO STDOUT`` of the ledger rows into a CSV file, ``COPY FROM`` of
that file into an unindexed temporary table, and pandas ``read_csv`` of the same file (amounts
read as text, as the app keeps money out of floats). Then, through the apps' own selectors and
services: retention analytics, training compliance, supervision compliance, budget vs actual and
a flag scan of the largest contract (in a transaction that is rolled back, so every run measures
the same scan), the contract pack, and a deep page of the ledger by OFFSET and by keyset.
Seconds are one run; peak MB is tracemalloc's peak of a second, traced run (Python and numpy
allocations), or the process's peak resident size where marked "RSS".
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench"
MARK = "BENCH_SCALE_ROWS="


def run(size: str = "default") -> list[dict]:
    """Measure in a child process on the large database and return its rows."""
    env = dict(os.environ)
    env["DATABASE_URL"] = os.environ.get("BENCH_LARGE_DATABASE_URL", DEFAULT_URL)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env.setdefault("DEBUG", "1")
    env.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    done = subprocess.run(  # our own module, fixed arguments
        [sys.executable, "-m", "bench.bench_scale", "--worker"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stderr.write(done.stderr)
    line = next((x for x in done.stdout.splitlines() if x.startswith(MARK)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"bench_scale worker failed (exit {done.returncode}); see the messages above")
    return json.loads(line.removeprefix(MARK))


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed(func, *, traced: bool = True):
    """(result, seconds, peak MB): seconds of one plain run, tracemalloc peak of a second run."""
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    if not traced:
        return result, seconds, None
    tracemalloc.start()
    func()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, round(peak / 1048576, 1)


def _row(
    operation: str, size: str, seconds: float, rows: int | None, peak, goal: str = "", baseline: str = ""
):
    return {
        "operation": operation,
        "size": size,
        "seconds": round(seconds, 3),
        "rows_per_s": int(rows / seconds) if rows and seconds else None,
        "peak_mb": peak,
        "goal": goal,
        "baseline": baseline,
    }


def _worker() -> list[dict]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import pandas as pd
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from core.models import Agency
    from finance.flags.services import flags_scan_contract
    from finance.models import Contract, Expenditure
    from finance.selectors import budget_vs_actual
    from overview.demo import LARGE_SLUG
    from staff import analytics
    from staff.models import EmploymentSpell, StaffMember
    from supervision.selectors import compliance_frame
    from training.compliance import compliance_rows
    from training.models import TrainingRecord

    if connection.vendor != "postgresql":
        raise SystemExit("bench_scale needs PostgreSQL (BENCH_LARGE_DATABASE_URL)")
    agency = Agency.objects.filter(slug=LARGE_SLUG).first()
    if agency is None:
        raise SystemExit(f"no agency {LARGE_SLUG!r} in this database: run `make seed-large` first")
    today = timezone.localdate()
    year = today.year - 1
    results: list[dict] = []
    ledger = Expenditure.objects.filter(agency=agency)
    n_ledger = ledger.count()
    n_staff = StaffMember.objects.filter(agency=agency).count()
    n_spells = EmploymentSpell.objects.filter(agency=agency).count()
    n_records = TrainingRecord.objects.filter(agency=agency).count()
    print(
        f"bench_scale: {n_staff:,} staff, {n_records:,} training records, {n_ledger:,} ledger rows",
        file=sys.stderr,
    )

    # The flag scan first: its peak resident size is then its own (RSS never goes down).
    contract = max(Contract.objects.filter(agency=agency), key=lambda c: c.expenditures.count())
    n_contract = contract.expenditures.count()
    csize = f"{n_contract:,} rows ({contract.code})"
    _r, seconds, peak = _timed(lambda: budget_vs_actual(contract))
    results.append(
        _row("finance: budget vs actual, largest contract", csize, seconds, n_contract, peak, "< 1 s")
    )

    existing = contract.flags.count()
    started = time.perf_counter()
    with transaction.atomic():
        scan = flags_scan_contract(contract=contract)
        transaction.set_rollback(True)  # every run measures the same scan
    seconds = time.perf_counter() - started
    kind = "re-scan" if existing else "first scan"
    results.append(
        _row(f"finance: flag scan, largest contract ({kind}, rolled back)", csize, seconds, n_contract, f"{_peak_rss_mb()} RSS", "", f"{scan.created + scan.updated + scan.unchanged + scan.reopened:,} findings")
    )  # fmt: skip

    try:
        from core.reports.renderers import render
        from finance.reports.pack import contract_pack
    except ImportError:
        contract_pack = None
    if contract_pack is not None:
        director = get_user_model().objects.filter(username="prov_director").first()
        report, seconds, _peak = _timed(lambda: contract_pack(contract, user=director), traced=False)
        results.append(
            _row("finance: contract pack (report data)", csize, seconds, n_contract, f"{_peak_rss_mb()} RSS")
        )
        started = time.perf_counter()
        pdf, _mime, _name = render(report, "pdf")
        seconds = time.perf_counter() - started
        results.append(_row("finance: contract pack PDF render", f"{len(pdf) // 1024:,} KB PDF", seconds, None, f"{_peak_rss_mb()} RSS"))  # fmt: skip

    # ---- baselines: PostgreSQL COPY out and in, pandas read_csv of the same file -----------
    columns = "id, contract_id, budget_line_id, date, amount, payee, description, invoice_no, payment_method, voucher_no, posted_on, status"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.csv"
        with connection.cursor() as cursor:
            started = time.perf_counter()
            with (
                path.open("wb") as out,
                cursor.cursor.copy(
                    f"COPY (SELECT {columns} FROM finance_expenditure WHERE agency_id = {int(agency.pk)}) "  # noqa: S608
                    "TO STDOUT WITH (FORMAT csv, HEADER)"
                ) as copy,
            ):
                for chunk in copy:
                    out.write(chunk)
            seconds = time.perf_counter() - started
        mb = path.stat().st_size / 1048576
        results.append(
            _row("baseline: PostgreSQL COPY TO (ledger → CSV file)", f"{n_ledger:,} rows ({mb:,.0f} MB)", seconds, n_ledger, None, baseline="PostgreSQL COPY")
        )  # fmt: skip
        with transaction.atomic(), connection.cursor() as cursor:
            like = f"SELECT {columns} FROM finance_expenditure WITH NO DATA"  # noqa: S608 - constants
            cursor.execute(f"CREATE TEMP TABLE bench_ledger ON COMMIT DROP AS {like}")
            started = time.perf_counter()
            with (
                path.open("rb") as source,
                cursor.cursor.copy(
                    f"COPY bench_ledger ({columns}) FROM STDIN WITH (FORMAT csv, HEADER)"
                ) as copy,
            ):
                while block := source.read(1 << 20):
                    copy.write(block)
            seconds = time.perf_counter() - started
        results.append(
            _row("baseline: PostgreSQL COPY FROM (CSV → unindexed temp table)", f"{n_ledger:,} rows", seconds, n_ledger, None, baseline="PostgreSQL COPY")
        )  # fmt: skip
        frame, seconds, peak = _timed(lambda: pd.read_csv(path, dtype={"amount": str, "invoice_no": str, "voucher_no": str}))  # fmt: skip
        assert len(frame) == n_ledger
        del frame
        results.append(
            _row("baseline: pandas read_csv of the same CSV", f"{n_ledger:,} rows", seconds, n_ledger, peak, baseline="pandas read_csv")
        )  # fmt: skip

    # ---- the apps' heavy operations --------------------------------------------------------
    size = f"{n_staff:,} staff / 10 years ({n_spells:,} spells)"
    _r, seconds, peak = _timed(lambda: analytics.retention_for_year(agency, year))
    results.append(_row("staff: retention_for_year", size, seconds, n_spells, peak, "< 1 s"))
    _r, seconds, peak = _timed(lambda: analytics.retention_dashboard(agency, year, today))
    results.append(_row("staff: retention dashboard (all years)", size, seconds, n_spells, peak, "< 1 s"))

    rows, seconds, peak = _timed(lambda: compliance_rows(agency, today))
    results.append(
        _row("training: compliance, whole agency", f"{n_staff:,} staff / {n_records:,} records", seconds, n_records, peak, "< 2 s", f"{len(rows):,} certified people")
    )  # fmt: skip

    from supervision.models import SessionAttendance

    n_att = SessionAttendance.objects.filter(agency=agency, session__date__year=year).count()
    frame, seconds, peak = _timed(lambda: compliance_frame(agency=agency, year=year, today=today))
    results.append(
        _row(f"supervision: compliance, year {year}", f"{n_att:,} attendances that year", seconds, n_att, peak, "< 1 s", f"{len(frame):,} supervisee-months")
    )  # fmt: skip

    # ---- a deep page of the ledger: OFFSET against keyset ----------------------------------
    page = ledger.order_by("-id")
    deep = n_ledger - 100
    _r, seconds, _p = _timed(lambda: list(page[deep : deep + 50].values_list("id", flat=True)), traced=False)
    results.append(_row("ledger list: page at OFFSET ~1M (ORDER BY id DESC)", f"{n_ledger:,} rows", seconds, None, None, "", "what page numbers cost"))  # fmt: skip
    last = page.values_list("id", flat=True)[deep]
    _r, seconds, _p = _timed(
        lambda: list(page.filter(id__lt=last)[:50].values_list("id", flat=True)), traced=False
    )
    results.append(_row("ledger list: same page by keyset (WHERE id < cursor)", f"{n_ledger:,} rows", seconds, None, None, "", "KeysetPagination"))  # fmt: skip
    _r, seconds, _p = _timed(lambda: ledger.count(), traced=False)
    results.append(_row("ledger list: COUNT(*) for a page count", f"{n_ledger:,} rows", seconds, n_ledger, None, "", "skipped by keyset"))  # fmt: skip
    return results


if __name__ == "__main__":
    if "--worker" in sys.argv:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        os.environ.setdefault("DEBUG", "1")
        print(MARK + json.dumps(_worker(), default=str))
    else:
        for item in run(sys.argv[1] if len(sys.argv) > 1 else "default"):
            print(item)
