"""Database-level guards that Django's schema editor cannot express on every backend.

SQLite rebuilds a table on many ``ALTER`` operations and drops its triggers with it, so the
no-overlap triggers of migration 0003 are re-created (idempotently) after every ``migrate``.
"""

from __future__ import annotations

from django.db import connections

CONSTRAINT = "staff_employmentspell_no_overlap"

PG_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE staff_employmentspell ADD CONSTRAINT {CONSTRAINT}
        EXCLUDE USING gist (staff_id WITH =, daterange(hire_date, exit_date, '[]') WITH &&)""",
]
PG_DROP = [f"ALTER TABLE staff_employmentspell DROP CONSTRAINT IF EXISTS {CONSTRAINT}"]

_SQLITE_CONDITION = """
    EXISTS (
        SELECT 1 FROM staff_employmentspell AS other
        WHERE other.staff_id = NEW.staff_id
          {exclude_self}
          AND other.hire_date <= COALESCE(NEW.exit_date, '9999-12-31')
          AND NEW.hire_date <= COALESCE(other.exit_date, '9999-12-31')
    )
"""
SQLITE_CREATE = [
    f"""CREATE TRIGGER {CONSTRAINT}_insert BEFORE INSERT ON staff_employmentspell
        WHEN {_SQLITE_CONDITION.format(exclude_self="")}
        BEGIN SELECT RAISE(ABORT, '{CONSTRAINT}: employment spells of one person overlap'); END""",
    f"""CREATE TRIGGER {CONSTRAINT}_update BEFORE UPDATE OF staff_id, hire_date, exit_date
        ON staff_employmentspell
        WHEN {_SQLITE_CONDITION.format(exclude_self="AND other.id <> NEW.id")}
        BEGIN SELECT RAISE(ABORT, '{CONSTRAINT}: employment spells of one person overlap'); END""",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {CONSTRAINT}_insert", f"DROP TRIGGER IF EXISTS {CONSTRAINT}_update"]


def ensure_spell_overlap_guard(sender=None, using: str = "default", **kwargs) -> None:
    """Re-create the SQLite no-overlap triggers if a table rebuild removed them."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if "staff_employmentspell" not in tables:
            return
        for statement in SQLITE_CREATE:
            cursor.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))
