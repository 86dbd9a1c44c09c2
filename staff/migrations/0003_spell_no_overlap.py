"""The database itself refuses overlapping employment spells of one person.

PostgreSQL: an exclusion constraint over (staff_id, daterange(hire_date, exit_date, '[]'))
with btree_gist. SQLite: triggers that abort an insert or update that would overlap. Both
raise IntegrityError; ``EmploymentSpell.clean()`` gives the friendly message first.
"""

from django.db import migrations

from staff.db import PG_CREATE, PG_DROP, SQLITE_CREATE, SQLITE_DROP


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_CREATE)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_DROP)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("staff", "0002_qualification_scan")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
