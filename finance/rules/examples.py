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

    ``contracts``: the agency's first three contracts (code order). ``staff``: every staff
    member in staff-number order; ``spells``: every employment spell in the database's order.
    ``workday(day)`` is the day itself or the next official working day.
    """

    year: int
    contracts: tuple[DemoContract, ...]
    staff: tuple[DemoStaff, ...]
    spells: tuple[DemoSpell, ...]
    workday: Callable[[dt.date], dt.date]

    @property
    def first(self) -> DemoContract:
        return self.contracts[0]

    @property
    def second(self) -> DemoContract:
        return self.contracts[1]

    @property
    def third(self) -> DemoContract:
        return self.contracts[2]

    def member(self, staff_id: int) -> DemoStaff:
        return next(member for member in self.staff if member.staff_id == staff_id)

    def working_day(self, month: int, day: int) -> dt.date:
        """That day of the demo year, or the next official working day."""
        return self.workday(dt.date(self.year, month, day))

    def activity(
        self, day: dt.date, amount: Decimal | str, payee: str, description: str, **extra
    ) -> DemoExample:
        """One purchase on the first contract's activities line: the example most rules need."""
        first = self.first
        return DemoExample(
            rows=(DemoRow(first.code, first.line("activities"), day, amount, payee, description, **extra),)
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
