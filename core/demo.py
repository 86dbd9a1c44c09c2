"""What every app's demo seeder shares: the context it receives and the bulk writers of the
large data set.

Each app's ``<app>.demo`` has ``seed(ctx)`` (the small demo agency) and may have
``seed_large(ctx)`` (the performance data set of ``seed_demo --size large``); the overview app
(``overview/demo.py``) creates the agencies and logins and calls them in order. The large rows
are synthetic and written without per-row audit history: PostgreSQL ``COPY`` (psycopg's
``cursor.copy()``) when the database is PostgreSQL, ``bulk_create(batch_size=BATCH)`` otherwise.

The demo's dates follow ``ctx.today``: its current contracts run from 1 January to 31 December
of today's year, and every dated record the small demo writes lies in the *data window*,
``ctx.window_start`` (1 January) to ``ctx.window_end`` (the last day of the previous month), so
the current month is still to come, as in a real agency's books. In January that window would
be empty, so it runs from 1 January to yesterday (on 1 January itself: that one day).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, models

from core.demo_window import data_window
from core.models import Agency

#: Rows per ``bulk_create`` batch of the large data set.
BATCH = 5000
#: Cities of Jiangxi that demo records mention (venues, payees, project titles).
CITIES = ["南昌", "赣州", "九江", "上饶", "吉安", "宜春", "抚州", "萍乡", "新余", "鹰潭", "景德镇"]


@dataclass
class DemoContext:
    """What every app's seeder receives."""

    agency: Agency
    outsider_agency: Agency
    users: dict  # login role ("director", "finance", "supervisor", "staff", "auditor", "outsider") -> User
    size: str = "small"
    today: dt.date = field(default_factory=dt.date.today)
    rng: random.Random = field(default_factory=lambda: random.Random(20250101))
    log: callable = print
    shared: dict = field(default_factory=dict)  # seeders hand each other records here
    counts: dict = field(default_factory=dict)  # large size: how many rows of each kind to write
    after: list[Callable[[], None]] = field(default_factory=list)  # run once every app has seeded

    @property
    def window_start(self) -> dt.date:
        """The first day of the demo's data window: 1 January of today's year."""
        return data_window(self.today)[0]

    @property
    def window_end(self) -> dt.date:
        """The last day of the demo's data window (see the module docstring)."""
        return data_window(self.today)[1]


def _field(model, name: str):
    return model._meta.get_field(name)


def write_rows(model: type[models.Model], fields: list[str], rows: Iterable[tuple]) -> int:
    """Insert ``rows`` (tuples in the order of ``fields``, foreign keys as ids) without history:
    ``COPY`` on PostgreSQL, ``bulk_create`` in batches elsewhere. Returns the number written."""
    count = 0
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = ", ".join(quote(_field(model, name).column) for name in fields)
        json_at = [i for i, name in enumerate(fields) if isinstance(_field(model, name), models.JSONField)]
        sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)
                count += 1
        return count
    attnames = [_field(model, name).attname for name in fields]
    batch = []
    for row in rows:
        batch.append(model(**dict(zip(attnames, row, strict=True))))
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch, batch_size=BATCH)
            count += len(batch)
            batch = []
    model.objects.bulk_create(batch, batch_size=BATCH)
    return count + len(batch)


def reserve_ids(model: type[models.Model], n: int) -> int:
    """The first of ``n`` consecutive primary keys set aside for rows written with explicit ids."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s)",
                [table, table, max(n - 1, 0)],
            )
            return cursor.fetchone()[0] - max(n - 1, 0)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchone()[0] + 1


def analyze_database() -> None:
    """Fresh PostgreSQL statistics for every table once a bulk seeding is committed, so that
    the first queries on its rows get sensible plans even where autovacuum is off or has not
    come round yet (a table left out, such as the training events once were, is planned as if
    empty: the supervisor's training events took 1.9 s instead of 0.02 s)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
