"""Benchmark: continuing-education compliance for 5,000 staff and 200,000 training records.

Runs on a scratch database of its own (SQLite under /tmp unless DATABASE_URL is set):
``.venv/bin/python -m bench.bench_training``. Also times the compliance page for an agency
of 200 staff and counts its queries.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"default": (5_000, 200_000), "small": (500, 20_000)}


def _setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    if "DATABASE_URL" not in os.environ:
        path = Path("/tmp/bench_training.sqlite3")  # noqa: S108 - a scratch benchmark database
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.conf import settings

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _build(slug: str, people: int, records: int, rng: random.Random):
    from core.models import Agency
    from staff.models import Qualification, QualificationLevel, StaffMember
    from training.models import RecordSource, RecordStatus, TrainingRecord

    agency = Agency.objects.create(name=f"Bench {slug}", slug=slug)
    StaffMember.objects.bulk_create(
        [StaffMember(agency=agency, staff_no=f"B{i:05d}", name=f"社工{i}") for i in range(people)],
        batch_size=2000,
    )
    ids = list(StaffMember.objects.filter(agency=agency).values_list("pk", flat=True))
    levels = list(QualificationLevel)[:3]
    quals = []
    for n, staff_id in enumerate(ids):
        issued = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(0, 4500))
        expires = None if n % 3 == 0 else issued + dt.timedelta(days=rng.randrange(400, 5000))
        quals.append(
            Qualification(
                agency=agency,
                staff_id=staff_id,
                level=levels[n % 3],
                cert_no=f"{slug}-{n}",
                issued=issued,
                registration_expires=expires,
            )
        )
    Qualification.objects.bulk_create(quals, batch_size=2000)
    batch = []
    for n in range(records):
        batch.append(
            TrainingRecord(
                agency=agency,
                staff_id=ids[n % len(ids)],
                date=dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(0, 2800)),
                title=f"课程 {n}",
                hours=Decimal(rng.randrange(5, 200)) / 10,
                ce_eligible=rng.random() < 0.9,
                source=RecordSource.IMPORT,
                status=RecordStatus.APPROVED if rng.random() < 0.95 else RecordStatus.PENDING,
            )
        )
        if len(batch) == 5000:
            TrainingRecord.objects.bulk_create(batch)
            batch = []
    TrainingRecord.objects.bulk_create(batch)
    return agency


def run(size: str = "default") -> list[dict]:
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.models import Membership
    from core.services import member_set_roles
    from training.compliance import compliance_rows

    people, records = SIZES.get(size, SIZES["default"])
    rng = random.Random(42)
    agency = _build("bench-large", people, records, rng)
    as_of = dt.date(2025, 6, 30)

    start = time.perf_counter()
    rows = compliance_rows(agency, as_of)
    seconds = time.perf_counter() - start
    # Memory is measured on a second run: tracing allocations slows Python several-fold.
    tracemalloc.start()
    compliance_rows(agency, as_of)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    results = [
        {
            "operation": "training compliance, whole agency, one date",
            "size": f"{people:,} staff / {records:,} records",
            "seconds": round(seconds, 3),
            "rows_per_s": int(records / seconds) if seconds else None,
            "peak_mb": round(peak / 1048576, 1),
            "baseline": f"< 2 s ({len(rows):,} certified people)",
        }
    ]

    small = _build("bench-page", 200, 8_000, rng)
    user = get_user_model().objects.create_user(username="bench-director", password="x")  # noqa: S106
    Membership.objects.create(user=user, agency=small)
    member_set_roles(user=user, roles=["director"])
    client = Client()
    client.force_login(user)
    client.get("/training/compliance/?as_of=2025-06-30")  # warm templates and caches
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get("/training/compliance/?as_of=2025-06-30")
        seconds = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    results.append(
        {
            "operation": "compliance page, 200 staff",
            "size": "200 staff / 8,000 records",
            "seconds": round(seconds, 3),
            "rows_per_s": None,
            "peak_mb": None,
            "baseline": f"< 0.3 s; {len(queries)} queries",
        }
    )
    return results


if __name__ == "__main__":
    for row in run(sys.argv[1] if len(sys.argv) > 1 else "default"):
        print(row)
