"""Query results as pandas frames without a Python object per row or per value.

The rules (finance/rules, delivery/rules) work on frames of a contract's whole ledger or all its
service activities: 100,000 to 1,000,000 rows. Fetching them through a cursor builds a Python
tuple per row and an object per value before pandas sees them, and ``COPY … TO STDOUT`` hands
them over one row per call; either costs several times pandas' own ``read_csv`` of the rows.

``read_frame(sql, params, columns)`` asks PostgreSQL for each column as one text instead
(``string_agg`` over the query, one row back): numbers are parsed by numpy in C, text columns
are split by a separator no accepted value contains (the unit separator, U+001F), dates travel as
day numbers. Row order is restored in numpy (``order``), since an aggregate keeps none. If a text
value does hold the separator the count of pieces tells, and the rows are fetched the ordinary
way instead, as they always are on SQLite: both paths give the same frame, column for column.

Column kinds: ``int`` (NULL → 0), ``id`` (a key that may be NULL: float64, NULL → NaN; ids are
never 0), ``text`` (NULL → ""), ``date`` (datetime64[ns], NULL → NaT).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from django.db import connection

from core.timestamps import as_timestamps, clipped_days

KINDS = ("int", "id", "text", "date")
SEPARATOR = "\x1f"
#: A NULL date travels as this day number (no date in a ledger is 5.8 million years old).
_NULL_DAY = -(2**31)
_EPOCH = np.datetime64("1970-01-01", "D")
#: Rows per fetch on the ordinary path (the full list of tuples never exists beside the frame).
CHUNK_ROWS = 100_000


def _check(columns: Sequence[tuple[str, str]]) -> None:
    for name, kind in columns:
        if kind not in KINDS:
            raise ValueError(f"column {name!r}: unknown kind {kind!r} (one of {', '.join(KINDS)})")


def empty_frame(columns: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """A frame with no rows and the dtypes ``read_frame`` gives."""
    dtypes = {"int": "int64", "id": "float64", "text": object, "date": "datetime64[ns]"}
    return pd.DataFrame({name: pd.Series([], dtype=dtypes[kind]) for name, kind in columns})


def _typed(frame: pd.DataFrame, columns: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Give a frame of raw database values the kinds' dtypes (the ordinary path)."""
    for name, kind in columns:
        series = frame[name]
        if kind == "int":
            frame[name] = series.fillna(0).astype("int64")
        elif kind == "id":
            frame[name] = pd.to_numeric(series, errors="raise").astype("float64")
        elif kind == "text":
            frame[name] = series.fillna("").astype(str).astype(object)
        else:
            # SQLite hands back ISO text, PostgreSQL dates; a year beyond pandas' is held at
            # its edge (core.timestamps).
            frame[name] = as_timestamps(series)
    return frame


def _fetched(sql: str, params: Sequence, columns: Sequence[tuple[str, str]]) -> pd.DataFrame:
    names = [name for name, _kind in columns]
    chunks = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK_ROWS):
            chunks.append(_typed(pd.DataFrame.from_records(rows, columns=names), columns))
            del rows
    if not chunks:
        return empty_frame(columns)
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def _aggregate_sql(sql: str, columns: Sequence[tuple[str, str]]) -> str:
    quote = connection.ops.quote_name
    parts = ["count(*)"]
    for name, kind in columns:
        column = f"q.{quote(name)}"
        if kind in ("int", "id"):
            parts.append(f"string_agg(coalesce({column}, 0)::text, ',')")
        elif kind == "text":
            parts.append(f"string_agg(coalesce({column}::text, ''), E'\\x1f')")
        else:
            parts.append(f"string_agg(coalesce(({column} - DATE '1970-01-01'), {_NULL_DAY})::text, ',')")
    # The query's own column names do not matter: the alias list names them in order.
    names = ", ".join(quote(name) for name, _kind in columns)
    return f"SELECT {', '.join(parts)} FROM ({sql}) q ({names})"  # noqa: S608 (names from the caller's code, values bound)


def _ints(text: str, count: int) -> np.ndarray | None:
    values = np.fromstring(text, dtype=np.int64, sep=",") if count else np.zeros(0, dtype=np.int64)
    return values if len(values) == count else None


def _aggregated(sql: str, params: Sequence, columns: Sequence[tuple[str, str]]) -> pd.DataFrame | None:
    with connection.cursor() as cursor:
        cursor.execute(_aggregate_sql(sql, columns), params)
        count, *texts = cursor.fetchone()
    if not count:
        return empty_frame(columns)
    data = {}
    for (name, kind), text in zip(columns, texts, strict=True):
        if kind == "text":
            pieces = text.split(SEPARATOR)
            if len(pieces) != count:  # a value holds the separator: fetch the ordinary way
                return None
            data[name] = np.array(pieces, dtype=object)
            continue
        values = _ints(text, count)
        if values is None:  # pragma: no cover - numbers always print as digits
            return None
        if kind == "int":
            data[name] = values
        elif kind == "id":
            floats = values.astype("float64")
            floats[values == 0] = np.nan
            data[name] = floats
        else:
            days = values.astype("datetime64[D]")
            days[values == _NULL_DAY] = np.datetime64("NaT")
            data[name] = clipped_days(days)
    return pd.DataFrame(data, columns=[name for name, _kind in columns])


def read_frame(
    sql: str, params: Sequence, columns: Sequence[tuple[str, str]], *, order: Sequence[str] = ()
) -> pd.DataFrame:
    """The rows of ``sql`` (a SELECT of ``columns``' values, in that order) as a frame.

    ``columns``: (name, kind) pairs (see the module); the names are the frame's, whatever the
    query calls its columns. ``order``: columns to sort the rows by, ascending, the first the
    most significant (``("date", "id")``: by date, then id); both paths give that order.
    """
    _check(columns)
    frame = None
    if connection.vendor == "postgresql":
        frame = _aggregated(sql, params, columns)
    if frame is None:
        frame = _fetched(sql, params, columns)
    if order and len(frame) > 1:
        keys = [frame[name].to_numpy() for name in reversed(order)]
        positions = np.lexsort(keys)
        if not (positions[1:] > positions[:-1]).all():
            frame = frame.take(positions).reset_index(drop=True)
    return frame
