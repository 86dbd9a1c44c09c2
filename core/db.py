"""Database helpers shared by the apps."""

from __future__ import annotations

from django.db.models import DecimalField, ExpressionWrapper, FloatField, IntegerField, Sum, Value
from django.db.models.functions import Cast, Round

MONEY = DecimalField(max_digits=14, decimal_places=2)


class MoneySum(Sum):
    """An exact sum of a 2-place money column on every database.

    PostgreSQL sums ``numeric`` exactly. SQLite keeps decimals as floating point, so a plain
    ``SUM`` over many rows can be off by a cent; there each value is rounded to integer cents
    first, the integers are summed exactly, and the total is scaled back (exact to 2 places for
    any total that fits ``max_digits=14``).
    """

    def __init__(self, expression, **extra):
        extra.setdefault("output_field", MONEY)
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        clone = self.copy()
        expressions = clone.get_source_expressions()
        cents = Cast(
            Round(ExpressionWrapper(expressions[0] * Value(100), output_field=FloatField())), IntegerField()
        )
        clone.set_source_expressions([cents, *expressions[1:]])
        sql, params = super(MoneySum, clone).as_sql(compiler, connection, **extra_context)
        return f"({sql} / 100.0)", params
