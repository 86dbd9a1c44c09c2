"""Continuing-education compliance (docs/metrics.md) computed in the database, for paging.

``training.compliance`` computes every certified person's figures in numpy; that is the
reference, and what the downloads use. A page of ``/training/compliance/`` ordered most urgent
first, or filtered by a status, needs everyone's status and shortfall to choose its 50 people, so
here the same figures are SQL expressions (``compliance_queryset``): the database orders, filters,
counts and slices, and only the page's rows come back.

The expressions follow ``training.compliance`` step for step, so the figures, the statuses and the
order are the same (tests/training/test_compliance_db.py compares the two):

- the person's certificate: the highest national level issued on or before D, the most recently
  issued one among those (a tie on both, two certificates of one level issued the same day, goes
  to the lower id; the engine takes whichever the database returned first);
- the cycle: ``cycle_bounds``, with the same "full months from issue to D" estimate of the
  rolled-forward cycle and its one-step correction, written out for the one case it applies to
  (issued on 29 February, D a common year's 28 February: see ``_with_cycle``); adding years to
  29 February gives 28 February in a common year (``AddYears``: PostgreSQL's interval arithmetic
  does it, SQLite's ``date()`` is corrected to);
- earned hours: integer tenths (``ROUND(hours * 10)``) summed over the approved, eligible records
  dated in the cycle, exactly the numbers ``training.compliance`` sums.

``urgency`` is the status as its place in the most-urgent order (``STATUS_ORDER``): 0 overdue,
1 at risk, 2 on track, 3 compliant. Since ``earned < required`` already means a shortfall, the
status needs the earned hours once: compliant when ``earned ≥ required``; else overdue when the
cycle ended before D; else at risk when it ends within ``AT_RISK_DAYS`` of D; else on track.
"""

from __future__ import annotations

import datetime as dt

from django.db import NotSupportedError
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Mod, Round

from staff.models import LEVEL_RANK, EmploymentSpell, Qualification
from training.compliance import (
    AT_RISK_DAYS,
    STATUS_ORDER,
    ComplianceRow,
    Requirement,
    _tenths_to_decimal,
    requirements_for,
)
from training.models import NATIONAL_LEVELS, RecordStatus, TrainingRecord

#: ``urgency`` → status, the inverse of ``STATUS_ORDER``.
STATUS_OF_URGENCY = {rank: status for status, rank in STATUS_ORDER.items()}


class _DateFunc(Func):
    """A date expression written per database (PostgreSQL, SQLite): a template of the compiled
    arguments ``{0}``, ``{1}``, and the order the arguments appear in it (for their parameters)."""

    def _compiled(self, compiler, connection):
        return [compiler.compile(expression) for expression in self.get_source_expressions()]

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(
            f"{type(self).__name__} is written for PostgreSQL and SQLite, not {connection.vendor}"
        )

    def _render(self, compiler, connection, template: str, uses: list[int]):
        parts = self._compiled(compiler, connection)
        params = [param for index in uses for param in parts[index][1]]
        return template.format(*[sql for sql, _ in parts]), params


class AddYears(_DateFunc):
    """``date`` plus ``years`` (an integer expression, may be negative) calendar years;
    29 February becomes 28 February in a common year (``training.compliance.add_years``)."""

    arity = 2
    output_field = DateField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # PostgreSQL clamps a day past the month's end to its last day: 2024-02-29 + 1 year = 2025-02-28.
        return self._render(
            compiler, connection, "CAST(({0}) + make_interval(years => ({1})) AS date)", [0, 1]
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite rolls 2025-02-29 over to 2025-03-01; the month's last day is the smaller.
        template = (
            "MIN(date({0}, CAST(({1}) AS TEXT) || ' years'),"
            " date({0}, 'start of month', CAST(({1}) AS TEXT) || ' years', '+1 months', '-1 days'))"
        )
        return self._render(compiler, connection, template, [0, 1, 0, 1])


class AddDays(_DateFunc):
    """``date`` plus a whole number of days (a Python int)."""

    output_field = DateField()

    def __init__(self, expression, days: int, **extra):
        self.days = int(days)
        super().__init__(expression, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._render(compiler, connection, f"CAST(({{0}}) + {self.days} AS date)", [0])

    def as_sqlite(self, compiler, connection, **extra_context):
        return self._render(compiler, connection, f"date({{0}}, '{self.days:+d} days')", [0])


class DaysBetween(_DateFunc):
    """Whole days from the second date to the first (``first − second``)."""

    arity = 2
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._render(compiler, connection, "(({0}) - ({1}))", [0, 1])

    def as_sqlite(self, compiler, connection, **extra_context):
        return self._render(compiler, connection, "CAST(julianday({0}) - julianday({1}) AS INTEGER)", [0, 1])


class DatePart(_DateFunc):
    """The year, month or day of a date as an integer."""

    output_field = IntegerField()
    PARTS = {"year": "%%Y", "month": "%%m", "day": "%%d"}

    def __init__(self, expression, part: str, **extra):
        if part not in self.PARTS:
            raise ValueError(part)
        self.part = part
        super().__init__(expression, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._render(
            compiler, connection, f"CAST(EXTRACT({self.part.upper()} FROM {{0}}) AS integer)", [0]
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self._render(
            compiler, connection, f"CAST(strftime('{self.PARTS[self.part]}', {{0}}) AS INTEGER)", [0]
        )


def _by_level(values: dict[str, int]) -> Case:
    return Case(
        *[When(level=level, then=Value(value)) for level, value in values.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def _is_common_feb_28(day: dt.date) -> bool:
    return (day.month, day.day) == (2, 28) and (day + dt.timedelta(days=1)).month == 3


def _with_cycle(qs, as_of: dt.date):
    """``qs`` (with ``cycle_years``) annotated with ``cycle_start`` and ``cycle_end``, both days
    inside the cycle (``training.compliance.cycle_bounds``)."""
    issued, years = F("issued"), F("cycle_years")
    # Rolled forward from the issue date: full months from issue to D decide k ...
    months = (
        Value(as_of.year * 12 + as_of.month)
        - (DatePart(issued, "year") * Value(12) + DatePart(issued, "month"))
        - Case(When(Q(day_of_issue__gt=as_of.day), then=Value(1)), default=Value(0))
    )
    qs = qs.alias(day_of_issue=DatePart(issued, "day"))
    cycles_past = Greatest(months, Value(0)) / (Value(12) * years)
    if _is_common_feb_28(as_of):
        # ... then cycle_bounds' correction step, "the next anniversary is on or before D", which
        # only the 29-February clamp can make true: issued on 29 February, D is 28 February of a
        # common year, a whole number of cycles after the issue year (its anniversary is D).
        # For any other D the step never applies, and the expression is spared it.
        cycles_past = cycles_past + Case(
            When(
                Q(day_of_issue=29, issued__month=2, cycle_phase=0),
                then=Value(1),
            ),
            default=Value(0),
        )
        qs = qs.alias(cycle_phase=Mod(Value(as_of.year) - DatePart(issued, "year"), years))
    qs = qs.alias(cycles_past=cycles_past)
    known = Q(registration_expires__isnull=False)
    expires = F("registration_expires")
    return qs.annotate(
        cycle_start=Case(
            When(known, then=AddDays(AddYears(expires, -years), 1)),
            default=AddYears(issued, F("cycles_past") * years),
            output_field=DateField(),
        ),
        cycle_end=Case(
            When(known, then=expires),
            default=AddDays(AddYears(issued, (F("cycles_past") + Value(1)) * years), -1),
            output_field=DateField(),
        ),
    )


def compliance_queryset(
    agency, as_of: dt.date, staff_ids=None, requirements: dict[str, Requirement] | None = None
):
    """One ``Qualification`` row per person ``training.compliance.compliance_frame`` lists (their
    certificate), annotated with ``cycle_start``, ``cycle_end``, ``required_tenths``,
    ``earned_tenths``, ``shortfall_tenths``, ``days_to_cycle_end`` and ``urgency``; unordered.

    ``staff_ids`` limits it as there; ``requirements`` saves the query for them when known.
    """
    if requirements is None:
        requirements = requirements_for(agency)
    national = [str(level) for level in NATIONAL_LEVELS]
    employed = EmploymentSpell.objects.filter(staff_id=OuterRef("staff_id"), hire_date__lte=as_of).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=as_of)
    )
    rank = _by_level({str(level): rank for level, rank in LEVEL_RANK.items()})
    held = Qualification.objects.filter(agency=agency, level__in=national, issued__lte=as_of)
    better = (
        held.filter(staff_id=OuterRef("staff_id"))
        .annotate(rank=rank)
        .filter(
            Q(rank__gt=OuterRef("rank"))
            | Q(rank=OuterRef("rank"), issued__gt=OuterRef("issued"))
            | Q(rank=OuterRef("rank"), issued=OuterRef("issued"), pk__lt=OuterRef("pk"))
        )
    )
    qs = held.filter(Exists(employed)).alias(rank=rank).filter(~Exists(better))
    if staff_ids is not None:
        qs = qs.filter(staff_id__in=staff_ids)

    years = _by_level({level: req.cycle_years for level, req in requirements.items()})
    required = _by_level({level: int(req.hours.scaleb(1)) for level, req in requirements.items()})
    qs = _with_cycle(qs.alias(cycle_years=years), as_of).annotate(required_tenths=required)

    earned = (
        TrainingRecord.objects.filter(
            agency=agency,
            status=RecordStatus.APPROVED,
            ce_eligible=True,
            staff_id=OuterRef("staff_id"),
            date__gte=OuterRef("cycle_start"),
            date__lte=OuterRef("cycle_end"),
        )
        .order_by()
        .values("staff_id")
        .annotate(tenths=Sum(Cast(Round(F("hours") * 10), IntegerField())))
        .values("tenths")
    )
    qs = qs.annotate(earned_tenths=Coalesce(Subquery(earned, output_field=IntegerField()), Value(0)))
    return qs.annotate(
        shortfall_tenths=Greatest(F("required_tenths") - F("earned_tenths"), Value(0)),
        days_to_cycle_end=DaysBetween(F("cycle_end"), Value(as_of, output_field=DateField())),
        urgency=Case(
            When(Q(earned_tenths__gte=F("required_tenths")), then=Value(STATUS_ORDER["compliant"])),
            When(Q(cycle_end__lt=as_of), then=Value(STATUS_ORDER["overdue"])),
            When(
                Q(cycle_end__lte=as_of + dt.timedelta(days=AT_RISK_DAYS)), then=Value(STATUS_ORDER["at_risk"])
            ),
            default=Value(STATUS_ORDER["on_track"]),
            output_field=IntegerField(),
        ),
    )


FIELDS = (
    "staff_id",
    "staff__staff_no",
    "staff__name",
    "level",
    "cert_no",
    "registration_expires",
    "cycle_start",
    "cycle_end",
    "required_tenths",
    "earned_tenths",
    "shortfall_tenths",
    "days_to_cycle_end",
    "urgency",
)


def listing(qs, order: str = "staff_no"):
    """The rows ``rows_of`` reads, by staff number or (``order="urgency"``) most urgent first:
    overdue, at risk, on track, compliant; then the largest shortfall; then staff number
    (``training.compliance.ordered_frame``). Slice it for a page."""
    keys = ("urgency", "-shortfall_tenths", "staff__staff_no") if order == "urgency" else ("staff__staff_no",)
    return qs.order_by(*keys).values_list(*FIELDS)


def with_status(qs, status: str):
    """Only the people of one status (a key of ``STATUS_ORDER``)."""
    return qs.filter(urgency=STATUS_ORDER[status])


def status_counts_db(qs) -> dict[str, int]:
    """People per status, one grouped query (``training.compliance.status_counts``)."""
    counts = {status: 0 for status in STATUS_ORDER}
    for urgency, n in (
        qs.order_by().values_list("urgency").annotate(n=Count("pk")).values_list("urgency", "n")
    ):
        counts[STATUS_OF_URGENCY[urgency]] += n
    return counts


def rows_of(rows) -> list[ComplianceRow]:
    """Rows of ``listing`` (possibly a slice of it) as ``ComplianceRow``s, in their order."""
    return [
        ComplianceRow(
            staff_id=staff_id,
            staff_no=staff_no,
            name=name,
            level=level,
            cert_no=cert_no,
            registration_expires=expires,
            cycle_start=start,
            cycle_end=end,
            required_hours=_tenths_to_decimal(required),
            earned_hours=_tenths_to_decimal(earned),
            shortfall_hours=_tenths_to_decimal(shortfall),
            status=STATUS_OF_URGENCY[urgency],
            days_to_cycle_end=days,
        )
        for (
            staff_id,
            staff_no,
            name,
            level,
            cert_no,
            expires,
            start,
            end,
            required,
            earned,
            shortfall,
            days,
            urgency,
        ) in rows
    ]
