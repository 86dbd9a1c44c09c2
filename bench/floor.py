"""The database's own floor for storing rows: what PostgreSQL needs to store again rows a
service has just stored, with nothing of the service around it.

Issue 17's goals compare the import and the scan with a bare read (``COPY`` into a table with no
index or constraint, pandas' ``read_csv``). Those are not what storing a ledger or its flags can
cost: the real tables have primary keys, unique constraints, indexes, checks, foreign keys
(checked at commit) and history tables. ``storage_floor`` measures that part alone, so a
benchmark can say how far a service is from what the database itself needs:

- the rows the service wrote are read out first (``COPY (SELECT …) TO STDOUT``, binary, not timed);
- each table gets a scratch twin in the schema ``bench_floor``: ``LIKE … INCLUDING ALL`` (columns,
  defaults, checks, indexes, primary and unique keys) plus the table's foreign keys, re-created
  from ``pg_get_constraintdef`` with their deferral;
- the timed part is one transaction that ``COPY``-s the rows into the twins in binary (no text
  parsing) and commits, which runs the deferred foreign-key checks;
- the schema is dropped afterwards.

``floor_split`` takes one table's floor apart: the same rows into twins holding only some of what
the table keeps (its columns; its foreign keys; its keys, checks and indexes; everything).

PostgreSQL only (it is the production database and has ``COPY``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

SCHEMA = "bench_floor"


def _quote(name: str) -> str:
    from django.db import connection

    return connection.ops.quote_name(name)


def _dump(cursor, table: str, where: str, params: Sequence) -> tuple[bytes, int]:
    """The rows of ``table`` matching ``where``, in PostgreSQL's binary COPY format."""
    chunks: list[bytes] = []
    select = cursor.mogrify(f"SELECT * FROM {_quote(table)} WHERE {where}", list(params))  # noqa: S608 (bench: names from the models)
    with cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT binary)") as copy:
        for data in copy:
            chunks.append(bytes(data))
    cursor.execute(f"SELECT count(*) FROM {_quote(table)} WHERE {where}", list(params))  # noqa: S608 (as above)
    return b"".join(chunks), cursor.fetchone()[0]


def _twin(cursor, table: str, like: str = "INCLUDING ALL", foreign_keys: bool = True) -> None:
    """An empty ``bench_floor`` copy of ``table``: by default with its keys, indexes, checks and
    foreign keys; ``like`` says what ``LIKE`` copies (``""``: the columns only)."""
    twin = f"{SCHEMA}.{_quote(table)}"
    cursor.execute(f"CREATE TABLE {twin} (LIKE public.{_quote(table)} {like})")
    if not foreign_keys:
        return
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [f"public.{_quote(table)}"],
    )
    for name, definition in cursor.fetchall():
        cursor.execute(f"ALTER TABLE {twin} ADD CONSTRAINT {_quote(name + '_floor')} {definition}")


#: What ``floor_split`` copies into each twin: (label, ``LIKE`` options, with the foreign keys).
SPLIT = (
    ("columns only (no key, index or constraint; logged)", "", False),
    ("the foreign keys alone", "INCLUDING DEFAULTS", True),
    ("primary key, checks and indexes, no foreign key", "INCLUDING ALL", False),
    ("everything", "INCLUDING ALL", True),
)


def floor_split(table: str, where: str, params: Sequence, repeat: int = 3) -> list[tuple[str, float]]:
    """What each part of what ``table`` keeps costs: the best of ``repeat`` binary ``COPY``-s (and
    commits) of the same rows into a twin holding only that part (``SPLIT``), as (label, seconds).

    PostgreSQL checks a foreign key row by row and updates every index for every row, so this
    says how much of a floor no writer of the rows can avoid while it keeps them.
    """
    from django.db import connection, transaction

    raw = connection.cursor().cursor
    with transaction.atomic():
        data, _count = _dump(raw, table, where, params)
    twin = f"{SCHEMA}.{_quote(table)}"
    out = []
    try:
        for label, like, foreign_keys in SPLIT:
            best = float("inf")
            for _ in range(repeat):
                with transaction.atomic():
                    raw.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
                    raw.execute(f"CREATE SCHEMA {SCHEMA}")
                    _twin(raw, table, like, foreign_keys)
                started = time.perf_counter()
                with transaction.atomic(), raw.copy(f"COPY {twin} FROM STDIN (FORMAT binary)") as copy:
                    copy.write(data)
                best = min(best, time.perf_counter() - started)
            out.append((label, best))
    finally:
        with transaction.atomic():
            raw.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    return out


def storage_floor(tables: Sequence[tuple[str, str, Sequence]]) -> dict:
    """Seconds PostgreSQL takes to store again the rows of each (table, SQL condition, params).

    Returns ``{"seconds": …, "rows": total rows, "tables": {table: rows}}``.
    """
    from django.db import connection, transaction

    raw = connection.cursor().cursor  # psycopg's own cursor: COPY and mogrify
    dumps = {}
    with transaction.atomic():
        for table, where, params in tables:
            dumps[table] = _dump(raw, table, where, params)
    try:
        with transaction.atomic():
            raw.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            raw.execute(f"CREATE SCHEMA {SCHEMA}")
            for table, _where, _params in tables:
                _twin(raw, table)
        started = time.perf_counter()
        with transaction.atomic():
            for table, _where, _params in tables:
                data, _count = dumps[table]
                with raw.copy(f"COPY {SCHEMA}.{_quote(table)} FROM STDIN (FORMAT binary)") as copy:
                    copy.write(data)
        seconds = time.perf_counter() - started
        with transaction.atomic():
            for table, _where, _params in tables:
                raw.execute(f"SELECT count(*) FROM {SCHEMA}.{_quote(table)}")  # noqa: S608 (as above)
                stored = raw.fetchone()[0]
                if stored != dumps[table][1]:
                    raise AssertionError(f"{table}: {stored} rows stored again, {dumps[table][1]} read")
    finally:
        with transaction.atomic():
            raw.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    return {
        "seconds": seconds,
        "rows": sum(count for _data, count in dumps.values()),
        "tables": {table: count for table, (_data, count) in dumps.items()},
    }
