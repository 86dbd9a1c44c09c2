"""Benchmark: the supervisor's home page and a year of monthly supervision compliance.

Runs on a scratch database of its own (SQLite under /tmp unless DATABASE_URL is set):
``.venv/bin/python -m bench.bench_supervision``.

- home page of a supervisor with 50 supervisees and 5 years of sessions (goal < 200 ms, a
  fixed number of queries, pinned in tests/supervision/test_pages.py);
- compliance (pandas, vectorised) for 500 supervisees over a year (goal < 1 s).

Data is bulk-inserted (no guardian rows): neither measured path reads object permissions.
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
SIZES = {"default": (50, 5, 500), "small": (20, 2, 100)}


def _setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    if "DATABASE_URL" not in os.environ:
        path = Path("/tmp/bench_supervision.sqlite3")  # noqa: S108 - a scratch benchmark database
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.conf import settings

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _build(
    slug: str, supervisees: int, years: int, today: dt.date, rng: random.Random, user=None, start=None
):
    """An agency with one supervisor, ``supervisees`` under plans, and ``years`` of sessions:
    per supervisee and month one individual session (most months), plus a monthly group."""
    from core.models import Agency
    from staff.models import EmploymentSpell, StaffMember
    from supervision.models import ActionItem, SessionAttendance, SupervisionPlan, SupervisionSession

    agency = Agency.objects.create(name=f"Bench {slug}", slug=slug)
    start = start or dt.date(today.year - years, today.month, 1)
    supervisor = StaffMember.objects.create(agency=agency, staff_no="SUP", name="督导", user=user)
    StaffMember.objects.bulk_create(
        [StaffMember(agency=agency, staff_no=f"B{i:05d}", name=f"社工{i}") for i in range(supervisees)]
    )
    people = list(StaffMember.objects.filter(agency=agency).order_by("pk"))
    EmploymentSpell.objects.bulk_create(
        [EmploymentSpell(agency=agency, staff=p, hire_date=start - dt.timedelta(days=30)) for p in people]
    )
    workers = [p for p in people if p.pk != supervisor.pk]
    SupervisionPlan.objects.bulk_create(
        [SupervisionPlan(agency=agency, supervisee=w, supervisor=supervisor, start=start) for w in workers]
    )
    sessions, attendees = [], []
    month = start
    while month <= today:
        group_day = month + dt.timedelta(days=3)
        if group_day <= today:
            sessions.append(
                SupervisionSession(
                    agency=agency,
                    supervisor=supervisor,
                    date=group_day,
                    start_time=dt.time(9),
                    duration_minutes=90,
                    modality="group",
                    notes="group",
                )
            )
            attendees.append(workers)
        for n, worker in enumerate(workers):
            day = month + dt.timedelta(days=5 + n % 20)
            if day <= today and rng.random() < 0.85:
                sessions.append(
                    SupervisionSession(
                        agency=agency,
                        supervisor=supervisor,
                        date=day,
                        start_time=dt.time(10 + n % 6),
                        duration_minutes=rng.choice([45, 60, 75]),
                        modality="individual",
                        notes="individual",
                    )
                )
                attendees.append([worker])
        month = (month + dt.timedelta(days=32)).replace(day=1)
    created = SupervisionSession.objects.bulk_create(sessions, batch_size=2000)
    rows = [
        SessionAttendance(agency=agency, session=s, staff=w, present=True)
        for s, group in zip(created, attendees, strict=True)
        for w in group
    ]
    SessionAttendance.objects.bulk_create(rows, batch_size=5000)
    items = [
        ActionItem(
            agency=agency,
            session=s,
            text="跟进",
            due_date=s.date + dt.timedelta(days=14),
            done=s.date.year < today.year,
        )
        for s in created[::7]
    ]
    ActionItem.objects.bulk_create(items, batch_size=5000)
    return agency, len(created), len(rows)


def run(size: str = "default") -> list[dict]:
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from core.models import Membership
    from core.services import member_set_roles
    from supervision.selectors import compliance_frame

    home_supervisees, years, compliance_supervisees = SIZES.get(size, SIZES["default"])
    rng = random.Random(7)
    today = timezone.localdate()
    results = []

    user = get_user_model().objects.create_user(username="bench-supervisor", password="x")  # noqa: S106
    agency, n_sessions, n_att = _build("bench-home", home_supervisees, years, today, rng, user=user)
    Membership.objects.create(user=user, agency=agency)
    member_set_roles(user=user, roles=["supervisor", "staff"])
    client = Client()
    client.force_login(user)
    client.get("/")  # warm templates and caches
    timings = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get("/")
            timings.append(time.perf_counter() - start)
    assert response.status_code == 200, response.status_code
    seconds = sorted(timings)[len(timings) // 2]
    results.append(
        {
            "operation": "supervisor home page (median of 5)",
            "size": f"{home_supervisees} supervisees / {years} years / {n_sessions:,} sessions",
            "seconds": round(seconds, 3),
            "rows_per_s": None,
            "peak_mb": None,
            "goal": "< 0.2 s",
            "baseline": f"{len(queries)} queries (fixed)",
        }
    )

    year = today.year - 1
    big, n_sessions, n_att = _build(
        "bench-compliance", compliance_supervisees, 1, dt.date(year, 12, 31), rng, start=dt.date(year, 1, 1)
    )
    start = time.perf_counter()
    frame = compliance_frame(agency=big, year=year, today=today)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    compliance_frame(agency=big, year=year, today=today)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    results.append(
        {
            "operation": "supervision compliance, one year",
            "size": f"{compliance_supervisees} supervisees / {n_att:,} attendances",
            "seconds": round(seconds, 3),
            "rows_per_s": int(n_att / seconds) if seconds else None,
            "peak_mb": round(peak / 1048576, 1),
            "goal": "< 1 s",
            "baseline": f"{len(frame):,} supervisee-months",
        }
    )
    return results


if __name__ == "__main__":
    for row in run(sys.argv[1] if len(sys.argv) > 1 else "default"):
        print(row)
