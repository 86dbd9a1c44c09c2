"""Benchmark: every role's home dashboard on the seeded small demo.

Seeds the small demo (``overview.demo.seed``) into a scratch database of its own (SQLite under /tmp
unless DATABASE_URL is set), then renders each demo login's home page with Django's test client
and reports the median of 20 renders and the number of queries of one render. Goal: under
300 ms each, with a query count that does not grow with the data (pinned in
tests/overview/test_dashboards.py). Alone: ``.venv/bin/python -m bench.bench_dashboards``.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RENDERS = {"default": 20, "small": 5}
PERSONAS = ("director", "finance", "supervisor", "staff", "auditor", "outsider")
GOAL_MS = 300


def _setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    if "DATABASE_URL" not in os.environ:
        path = Path("/tmp/bench_dashboards.sqlite3")  # noqa: S108 - a scratch benchmark database
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.conf import settings

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def run(size: str = "default") -> list[dict]:
    """Seed the small demo and time each role's home page (median of ``RENDERS[size]`` renders)."""
    _setup_django()
    from django.test.utils import setup_test_environment

    with contextlib.suppress(RuntimeError):  # already set up by an earlier run in this process
        setup_test_environment()  # response.context, as in tests
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from overview.demo import seed

    started = time.perf_counter()
    seed(size="small", password="bench-only-pass-2025", log=lambda *_: None, force=True)  # noqa: S106 - scratch demo
    seeded = time.perf_counter() - started
    renders = RENDERS.get(size, RENDERS["default"])
    users = {u.username: u for u in get_user_model().objects.filter(username__in=PERSONAS)}
    rows = []
    for persona in PERSONAS:
        client = Client()
        client.force_login(users[persona])
        response = client.get("/")  # warm caches (content types, templates, fonts)
        assert response.status_code == 200, (persona, response.status_code)
        reset_queries()  # the capture counts from the log's length, which a request resets
        with CaptureQueriesContext(connection) as queries:
            client.get("/")
        times = []
        for _ in range(renders):
            t0 = time.perf_counter()
            client.get("/")
            times.append(time.perf_counter() - t0)
        tracemalloc.start()
        client.get("/")
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        median = statistics.median(times)
        rows.append(
            {
                "operation": f"home page: {persona}",
                "size": f"small demo, median of {renders} renders",
                "seconds": round(median, 4),
                "ms": round(median * 1000, 1),
                "queries": len(queries.captured_queries),
                "panels": len(response.context["panels"]) if response.context else None,
                "peak_mb": round(peak / 1048576, 1),
                "goal": f"< {GOAL_MS} ms, fixed queries",
                "baseline": f"demo seeded in {seeded:.1f} s",
            }
        )
    return rows


if __name__ == "__main__":
    for row in run(sys.argv[1] if len(sys.argv) > 1 else "default"):
        print(
            f"{row['operation']:<24} {row['ms']:>8.1f} ms  {row['queries']:>3} queries  "
            f"{row['panels']} panels  peak {row['peak_mb']} MB"
        )
