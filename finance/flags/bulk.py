"""Set-at-a-time writes for the flag scan: rows in, a constant number of statements out.

A scan of a large contract stores tens of thousands of flags, their links, events and history.
These helpers write them as sets, the same on every database, with a statement count that does
not depend on the number of rows:

- ``insert_rows`` writes rows (dicts of attribute name → Python value) with PostgreSQL ``COPY``
  (binary for a table without JSON, as ``core.db`` sends the ledger), or ``bulk_create`` in large
  batches elsewhere; asked for, it returns the new primary keys (reserved from the sequence first
  on PostgreSQL, since ``COPY`` returns nothing);
- ``update_rows`` runs one parameterised ``UPDATE … WHERE id = …`` for many rows
  (``executemany``: psycopg pipelines it, SQLite loops in C);
- ``history_from_rows`` snapshots rows, as they now are in the table, into their
  django-simple-history table with one ``INSERT … SELECT`` (the same columns
  ``bulk_create_with_history`` / ``bulk_update_with_history`` would write);
- ``ids_in`` is an ``IN`` over any number of ids as one parameter (``= ANY(array)`` on
  PostgreSQL, ``json_each`` on SQLite).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from django.db import connection, models

from core.db import binary_copy_types

#: Rows per ``bulk_create`` batch where there is no ``COPY``.
BATCH = 5000


def _encode_json(value: Any) -> str:
    """The JSON text of a value written to a JSON column (orjson: 0.2 µs a value, not 1.4)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def ids_in(column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """SQL ``column IN (ids)`` with the ids as one parameter, however many there are."""
    if _postgres():
        # One text literal: psycopg would otherwise adapt the list value by value.
        return f"{column} = ANY(%s::bigint[])", ["{" + ",".join(str(int(i)) for i in ids) + "}"]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]  # noqa: S608 (names from the models, values bound)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys of ``model`` (PostgreSQL: taken from its sequence, so a
    concurrent insert can never reuse them)."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return [fields[name] for name in names]


def _column_values(model: type[models.Model], names: Sequence[str]) -> list:
    """(column name, is JSON) for each attribute name."""
    return [(field.column, isinstance(field, models.JSONField)) for field in _fields(model, names)]


def insert_rows(
    model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]], *, returning: bool = False
) -> list[int]:
    """Insert ``rows`` (values in the order of the attribute ``names``) as a set.

    JSON fields take Python values. With ``returning``, the new primary keys are returned in
    the order of ``rows``. Foreign keys are ids, and nothing sends signals or writes history.
    """
    rows = list(rows)
    if not rows:
        return []
    if _postgres():
        ids: list[int] = []
        names = list(names)
        if returning:
            ids = reserve_ids(model, len(rows))
            names = [model._meta.pk.attname, *names]
            rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        columns = _column_values(model, names)
        json_at = [i for i, (_c, is_json) in enumerate(columns) if is_json]
        # JSON values go as text; a table without them goes in binary (no text form to parse).
        types = None if json_at else binary_copy_types(_fields(model, names), connection)
        options = " (FORMAT BINARY)" if types else ""
        sql = f"COPY {_quote(model._meta.db_table)} ({', '.join(_quote(c) for c, _j in columns)}) FROM STDIN{options}"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            if types:
                copy.set_types(types)
            write = copy.write_row
            if json_at:
                for row in rows:
                    row = list(row)
                    for i in json_at:
                        row[i] = _encode_json(row[i])
                    write(row)
            else:
                for row in rows:
                    write(row)
        return ids
    objects = [model(**dict(zip(names, row, strict=True))) for row in rows]
    model.objects.bulk_create(objects, batch_size=BATCH)
    if returning and any(o.pk is None for o in objects):  # pragma: no cover - databases without RETURNING
        raise RuntimeError(f"{connection.vendor} returns no primary keys from a bulk insert")
    return [o.pk for o in objects]


def update_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """``UPDATE`` the attributes ``names`` of many rows: each row is (values…, primary key)."""
    rows = list(rows)
    if not rows:
        return
    columns = _column_values(model, names)
    cast = "::jsonb" if _postgres() else ""
    assignments = ", ".join(f"{_quote(c)} = %s{cast if is_json else ''}" for c, is_json in columns)
    table, pk = _quote(model._meta.db_table), _quote(model._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 (names from the models, values bound)
    json_at = [i for i, (_c, is_json) in enumerate(columns) if is_json]
    params = []
    for row in rows:
        row = list(row)
        for i in json_at:
            row[i] = _encode_json(row[i])
        params.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def history_from_rows(
    model: type[models.Model], ids: Sequence[int], *, history_type: str, at, user_id: int | None
) -> None:
    """Snapshot the rows ``ids`` of ``model`` into its historical table, as they are now."""
    if not ids:
        return
    historical = model.history.model
    tracked = [f.column for f in historical.tracked_fields]
    columns = [*tracked, "history_date", "history_change_reason", "history_type", "history_user_id"]
    where, params = ids_in(_quote(model._meta.pk.column), ids)
    into = f"{_quote(historical._meta.db_table)} ({', '.join(_quote(c) for c in columns)})"
    select = f"{', '.join(_quote(c) for c in tracked)}, %s, %s, %s, %s"
    sql = f"INSERT INTO {into} SELECT {select} FROM {_quote(model._meta.db_table)} WHERE {where}"  # noqa: S608 (as above)
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [connection.ops.adapt_datetimefield_value(at), "", history_type, user_id, *params]
        )


def locked_values(model: type[models.Model], ids: Sequence[int], names: Sequence[str]) -> list[tuple]:
    """(primary key, *values of the attributes ``names``) of the rows ``ids``, locked ``FOR UPDATE``
    until the transaction ends (no lock is needed on SQLite, which has one writer at a time)."""
    if not ids:
        return []
    columns = ", ".join(_quote(c) for c, _j in _column_values(model, [model._meta.pk.attname, *names]))
    where, params = ids_in(_quote(model._meta.pk.column), ids)
    lock = " FOR UPDATE" if _postgres() else ""
    sql = f"SELECT {columns} FROM {_quote(model._meta.db_table)} WHERE {where}{lock}"  # noqa: S608 (as above)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def delete_where_in(model: type[models.Model], column: str, ids: Sequence[int]) -> None:
    """``DELETE`` the rows of ``model`` whose ``column`` is one of ``ids`` (no signals)."""
    if not ids:
        return
    where, params = ids_in(_quote(column), ids)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_quote(model._meta.db_table)} WHERE {where}", params)  # noqa: S608 (as above)
