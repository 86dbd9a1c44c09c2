"""The demo world a rule's example is written against, and what an example returns.

A rule's ``example(world)`` says which ledger rows (and which policy overrides) make it fire in
the demo agency. It reads only this plain description of the demo's contracts and staff, so
rule modules stay free of the database: ``finance/flags/demo.py`` builds the world from the
seeded records and turns the returned rows into expenditures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class DemoLine:
    code: str
    category: str


@dataclass(frozen=True)
class DemoContract:
    """One of the demo agency's contracts: its lines in their order, who is assigned to it."""

    code: str
    start: dt.date
    end: dt.date
    total: Decimal
    lines: tuple[DemoLine, ...] = ()
    assigned_staff: frozenset[int] = frozenset()

    def line_of(self, category: str) -> str | None:
        """The first line of ``category``, or None."""
        return next((line.code for line in self.lines if line.category == category), None)

    def line(self, *categories: str) -> str | None:
        """The first line of the first of ``categories`` the contract has, else its first
        non-personnel line."""
        for category in categories:
            code = self.line_of(category)
            if code is not None:
                return code
        return next((line.code for line in self.lines if line.category != "personnel"), None)


@dataclass(frozen=True)
class DemoSpell:
    staff_id: int
    hire_date: dt.date
    exit_date: dt.date | None


@dataclass(frozen=True)
class DemoStaff:
    staff_id: int
    staff_no: str
    name: str


@dataclass(frozen=True)
class DemoWorld:
    """The demo agency as examples see it.

    ``contracts``: the agency's two current contracts of ``year``, the first project's (信丰)
    then the second bureau's (安远). ``staff``:
    every staff member in staff-number order; ``spells``: every employment spell in the
    database's order. ``workday(day)`` is the day itself or the next official working day.
    ``window_start``..``window_end`` is the demo's data window (core/demo.py: 1 January to the
    end of last month): what has happened so far on the current contracts, where every planted
    row of them is dated. ``closed`` is last year's closed contract, where the examples that
    need a whole contract year (caps on the year's spending, overspending and end-of-contract
    surges, a late posting caught at the year-end closing) are planted.
    """

    year: int
    contracts: tuple[DemoContract, ...]
    staff: tuple[DemoStaff, ...]
    spells: tuple[DemoSpell, ...]
    workday: Callable[[dt.date], dt.date]
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    closed: DemoContract | None = None
    #: (first day, Chinese name) of each official holiday of the window, else of its weekends
    rest_days: tuple[tuple[dt.date, str], ...] = ()

    @property
    def first(self) -> DemoContract:
        return self.contracts[0]

    @property
    def second(self) -> DemoContract:
        return self.contracts[1]

    def member(self, staff_id: int) -> DemoStaff:
        return next(member for member in self.staff if member.staff_id == staff_id)

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        return (
            self.window_start or dt.date(self.year, 1, 1),
            self.window_end or dt.date(self.year, 12, 31),
        )

    def in_window(self, day: dt.date) -> dt.date:
        """The working day at or after ``day`` inside the data window, else the last one before
        it (the window's last day when it has no working day)."""
        start, end = self.window
        found = self.workday(max(day, start))
        if found <= end:
            return found
        candidate = min(day, end)
        while candidate >= start:
            if self.workday(candidate) == candidate:
                return candidate
            candidate -= dt.timedelta(days=1)
        return end

    def working_day(self, month: int, day: int) -> dt.date:
        """A working day of the data window at the point where ``month``/``day`` falls in a year
        (core.demo_window.window_day): the examples keep their order whatever the window's length."""
        from core.demo_window import window_day

        return self.in_window(window_day(*self.window, month, day))

    def spread(self, i: int, n: int) -> dt.date:
        """The ``i``-th of ``n`` working days spread evenly over the data window."""
        start, end = self.window
        return self.in_window(start + dt.timedelta(days=(i * (end - start).days) // n))

    def rest_day(self) -> tuple[dt.date, str]:
        """The first day of the window's latest official holiday (else weekend) and its name:
        once the window has passed October, the National Day of 1 October (or the Mid-autumn
        Festival when it falls in the National Day week)."""
        start, end = self.window
        days = [(d, name) for d, name in self.rest_days if start <= d <= end]
        return days[-1] if days else (end, "周末")

    def activity(
        self,
        day: dt.date,
        amount: Decimal | str,
        payee: str,
        description: str,
        contract: DemoContract | None = None,
        **extra,
    ) -> DemoExample:
        """One purchase on the activities line of ``contract`` (the first contract unless
        given): the example most rules need."""
        on = contract or self.first
        return DemoExample(
            rows=(DemoRow(on.code, on.line("activities"), day, amount, payee, description, **extra),)
        )


@dataclass(frozen=True)
class DemoRow:
    """One planted expenditure. ``invoice_no=None`` gives it the next demo invoice number (``""``
    is no invoice); ``posted_on=None`` posts it on its date."""

    contract: str
    line: str
    date: dt.date
    amount: Decimal | str
    payee: str
    description: str
    invoice_no: str | None = None
    payment_method: str = "bank"
    posted_on: dt.date | None = None
    staff_id: int | None = None


@dataclass(frozen=True)
class DemoExample:
    """What a rule's example plants: ledger rows, and policy overrides per contract code."""

    rows: tuple[DemoRow, ...] = ()
    policy: dict[str, dict] = field(default_factory=dict)
