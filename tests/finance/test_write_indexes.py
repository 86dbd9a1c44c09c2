"""The tables a flag scan and a ledger import write in bulk carry no index that no query needs.

Every index is kept up to date by every row written: on a first scan of 100,000 expenditures
(35,000 flags, their events and history) an index costs about 0.02 s a table, and an index whose
columns lead another index (or a unique constraint) answers nothing the longer one cannot.
"""

import pytest
from django.db import connection

from finance.models import Expenditure, Flag, FlagEvent

BULK_WRITTEN = [
    Flag,
    FlagEvent,
    Expenditure,
    Flag.history.model,
    FlagEvent.history.model,
    Expenditure.history.model,
]


def btree_indexes(table: str) -> dict[str, tuple[tuple[str, ...], bool]]:
    """name → (columns, unique) of the table's ordinary indexes and unique constraints."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name: (tuple(info["columns"]), bool(info["unique"] or info["primary_key"]))
        for name, info in constraints.items()
        if (info["index"] or info["unique"] or info["primary_key"])
        and info["columns"]
        and info.get("type") in (None, "idx", "btree")
        and not name.endswith("_like")  # PostgreSQL's pattern-ops twin of a text index
    }


@pytest.mark.parametrize("model", BULK_WRITTEN, ids=lambda m: m._meta.db_table)
def test_no_index_of_a_bulk_written_table_is_led_by_another(db, model):
    indexes = btree_indexes(model._meta.db_table)
    redundant = [
        (name, columns, other)
        for name, (columns, unique) in indexes.items()
        if not unique
        for other, (longer, _u) in indexes.items()
        if other != name and len(longer) > len(columns) and longer[: len(columns)] == columns
    ]
    assert redundant == []


@pytest.mark.parametrize("model", [Flag, FlagEvent], ids=lambda m: m._meta.object_name)
def test_the_history_of_flags_and_events_is_indexed_for_reading_one_object(db, model):
    # core/selectors.py reads a record's history by its id, newest first; who made a change is
    # a foreign key to the user (kept indexed for the user's deletion, which sets it null).
    columns = sorted(
        columns for columns, _unique in btree_indexes(model.history.model._meta.db_table).values()
    )
    assert columns == [("history_date",), ("history_id",), ("history_user_id",), ("id",)]


def test_the_flag_queries_are_led_by_the_remaining_indexes(db):
    columns = {columns for columns, _unique in btree_indexes(Flag._meta.db_table).values()}
    assert columns == {
        ("id",),
        ("agency_id", "rule", "subject"),  # one finding per rule and subject; the list's rule filter
        ("agency_id", "status", "severity"),  # the triage queue
        ("contract_id", "active", "rule"),  # a scan's stored flags; a contract's findings
        ("assignee_id",),  # "assigned to me"
    }
