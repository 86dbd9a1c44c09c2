"""Run every benchmark module and print one table.

Usage: ``python -m bench [--only staff,finance] [--size default|large]``. Each module builds its
own data (in a scratch database unless DATABASE_URL is set) and returns rows of
operation, size, seconds, rows/s, peak memory (MB) and the baseline it is compared with.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import platform
import sys
import time
import traceback
from pathlib import Path

COLUMNS = [
    ("operation", "operation", "<"),
    ("size", "size", "<"),
    ("seconds", "seconds", ">"),
    ("rows_per_s", "rows/s", ">"),
    ("peak_mb", "peak MB", ">"),
    ("goal", "goal", "<"),
    ("baseline", "baseline", "<"),
]


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(rows: list[dict]) -> str:
    cells = [[_fmt(row.get(key)) for key, _, _ in COLUMNS] for row in rows]
    widths = [
        max(len(title), *(len(c[i]) for c in cells)) if cells else len(title)
        for i, (_, title, _) in enumerate(COLUMNS)
    ]
    lines = [
        "| " + " | ".join(title.ljust(w) for (_, title, _), w in zip(COLUMNS, widths, strict=True)) + " |"
    ]
    lines.append(
        "| "
        + " | ".join(
            ("-" * w) if a == "<" else ("-" * (w - 1) + ":")
            for (_, _, a), w in zip(COLUMNS, widths, strict=True)
        )
        + " |"
    )
    for row in cells:
        lines.append(
            "| "
            + " | ".join(
                c.ljust(w) if a == "<" else c.rjust(w)
                for c, w, (_, _, a) in zip(row, widths, COLUMNS, strict=True)
            )
            + " |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", default="", help="comma-separated topics, e.g. staff,finance")
    parser.add_argument("--size", default="default")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    wanted = {t.strip() for t in args.only.split(",") if t.strip()}
    rows: list[dict] = []
    failures = 0
    bench_dir = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(bench_dir)]), key=lambda m: m.name):
        if not info.name.startswith("bench_"):
            continue
        topic = info.name.removeprefix("bench_")
        if wanted and topic not in wanted:
            continue
        started = time.perf_counter()
        print(f"running {info.name} …", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"bench.{info.name}")
            rows.extend(module.run(args.size))
        except Exception:  # a broken benchmark must not hide the others' figures
            failures += 1
            traceback.print_exc()
        print(f"  {info.name} took {time.perf_counter() - started:,.1f} s", file=sys.stderr, flush=True)
    db = os.environ.get("DATABASE_URL", "sqlite (scratch file)").split("@")[-1]
    print(
        f"Machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · DB {db}"
    )
    print(table(rows))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
