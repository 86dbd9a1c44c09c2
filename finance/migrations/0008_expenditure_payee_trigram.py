"""A trigram index for the ledger's payee search, on PostgreSQL only.

The ledger page and the API filter ``payee`` with ``icontains``, which Django writes on
PostgreSQL as ``UPPER("finance_expenditure"."payee"::text) LIKE UPPER('%…%')``: without an
index on that expression every search reads the agency's whole ledger. A GIN index of the same
expression with ``gin_trgm_ops`` (extension ``pg_trgm``) answers it from the trigrams of the
search text (three characters or more; a shorter search still reads the ledger, as before).

The index is not in ``Expenditure.Meta.indexes``: SQLite has neither GIN nor ``pg_trgm``, and
the search there stays a scan. Both operations are no-ops on SQLite. ``pg_trgm`` is a trusted
extension (PostgreSQL 13+): the database's owner may create it; see docs/deploy.md. Reversing
drops the index and keeps the extension (other objects may use it).
"""

from django.db import migrations

INDEX = "finance_exp_payee_upper_trgm"
EXTENSION_HELP = (
    "Could not create the PostgreSQL extension pg_trgm, which the ledger's payee search index "
    "needs. Run the migrations as the database's owner (pg_trgm is a trusted extension), or have "
    "a superuser run CREATE EXTENSION pg_trgm; in this database once, then migrate again. "
    "See docs/deploy.md."
)


def _on_postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def create_index(apps, schema_editor):
    if not _on_postgresql(schema_editor):
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        installed = cursor.fetchone() is not None
    if not installed:
        try:
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as exc:
            raise RuntimeError(EXTENSION_HELP) from exc
    # The exact expression of Django's icontains on PostgreSQL, so the planner can use it.
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "finance_expenditure" '
        'USING gin ((UPPER("payee"::text)) gin_trgm_ops)'
    )


def drop_index(apps, schema_editor):
    if _on_postgresql(schema_editor):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0007_expenditure_fewer_indexes"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
