"""Generated ledgers for the rule tests: clean by construction, plus helpers to plant one irregularity.

Everything here is plain pandas: no database. Money is given in yuan (Decimal/str) and stored in
the frame in integer cents, as the rules expect.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

import chinese_calendar
import pandas as pd

from finance.policy import default_policy
from finance.rules import RuleContext, prepare_frame, run_rules, to_cents

START = dt.date(2025, 1, 1)
END = dt.date(2025, 12, 31)

#: code -> (name, category, approved yuan)
LINES = {
    "P1": ("人员经费", "personnel", Decimal("300000.00")),
    "A1": ("服务活动", "activities", Decimal("220000.00")),
    "M1": ("物资耗材", "materials", Decimal("120000.00")),
    "E1": ("设备购置", "equipment", Decimal("60000.00")),
    "S1": ("专业服务", "services", Decimal("60000.00")),
    "AD": ("行政管理", "admin", Decimal("40000.00")),
}
CATEGORY = {code: spec[1] for code, spec in LINES.items()}

SAFE_WORDS = [
    "文具",
    "活动场地",
    "交通费",
    "打印",
    "培训教材",
    "儿童读物",
    "餐费",
    "电话费",
    "资料印刷",
    "租车",
]


def policy(**overrides) -> dict:
    p = default_policy()
    p.update(overrides)
    return p


def workdays(start: dt.date = START, end: dt.date = END) -> list[dt.date]:
    days = []
    day = start
    while day <= end:
        if chinese_calendar.is_workday(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@dataclass
class Book:
    """A contract's ledger and the agency data around it, as the rules see them."""

    rows: list[dict] = field(default_factory=list)
    lines: dict = field(default_factory=lambda: dict(LINES))
    staff: list[dict] = field(default_factory=list)  # staff_id, staff_no, name
    spells: list[dict] = field(default_factory=list)  # staff_id, hire_date, exit_date
    assignments: list[dict] = field(default_factory=list)  # staff_id, start, end
    others: list[dict] = field(default_factory=list)  # other contracts' rows
    rules_off: dict = field(default_factory=dict)  # other contract's code -> rules it does not run
    start: dt.date = START
    end: dt.date = END
    contract: str = "C1"
    next_id: int = 1
    calendar: dict | None = None  # the agency's official calendar; None: the package's years

    @property
    def total(self) -> Decimal:
        return sum((spec[2] for spec in self.lines.values()), Decimal(0))

    def add(self, *, date, amount, line="M1", payee="赣州文具店", description="文具", **extra) -> int:
        """Append an expenditure; returns its id."""
        row_id = self.next_id
        self.next_id += 1
        row = {
            "id": row_id,
            "contract": extra.pop("contract", self.contract),
            "date": date,
            "amount": to_cents(amount),
            "line": line,
            "category": self.lines[line][1] if line in self.lines else "other",
            "payee": payee,
            "description": description,
            "invoice_no": extra.pop("invoice_no", f"INV{row_id:07d}"),
            "payment_method": extra.pop("payment_method", "bank"),
            "voucher_no": extra.pop("voucher_no", f"V-{row_id:05d}"),
            "staff_id": extra.pop("staff_id", None),
            "posted_on": extra.pop("posted_on", date),
        }
        assert not extra, extra
        if row["contract"] == self.contract:
            self.rows.append(row)
        else:
            self.others.append(row)
        return row_id

    def frame(self) -> pd.DataFrame:
        return prepare_frame(pd.DataFrame(self.rows))

    def context(self) -> RuleContext:
        lines = pd.DataFrame(
            [
                {"code": code, "name": name, "category": cat, "approved": to_cents(amount)}
                for code, (name, cat, amount) in self.lines.items()
            ]
        )
        spells = pd.DataFrame(self.spells or [], columns=["staff_id", "hire_date", "exit_date"])
        spells["hire_date"] = pd.to_datetime(spells["hire_date"])
        spells["exit_date"] = pd.to_datetime(spells["exit_date"])
        assignments = pd.DataFrame(self.assignments or [], columns=["staff_id", "start", "end"])
        assignments["start"] = pd.to_datetime(assignments["start"])
        assignments["end"] = pd.to_datetime(assignments["end"])
        return RuleContext(
            contract=self.contract,
            start=self.start,
            end=self.end,
            total=to_cents(self.total),
            lines=lines,
            agency_invoices=prepare_frame(pd.DataFrame(self.others)),
            rules_off={code: frozenset(rules) for code, rules in self.rules_off.items()},
            spells=spells,
            assignments=assignments,
            staff=pd.DataFrame(self.staff or [], columns=["staff_id", "staff_no", "name"]),
            calendar=self.calendar,
        )

    def scan(self, codes=None, **policy_overrides):
        return run_rules(self.frame(), policy(**policy_overrides), self.context(), codes=codes)


def _log_uniform(rng: random.Random, low: float, high: float) -> Decimal:
    """A non-round amount whose first digits follow Benford's law (log-uniform)."""
    while True:
        value = Decimal(str(round(10 ** rng.uniform(low, high), 2)))
        if value % 1 != 0:
            return value


def clean_book(rows: int = 3000, seed: int = 7) -> Book:
    """A year's ledger that breaks no rule: weekdays, in budget, receipts, varied payees and amounts."""
    rng = random.Random(seed)
    book = Book()
    days = workdays()
    staff_count = 8
    for i in range(staff_count):
        book.staff.append({"staff_id": 100 + i, "staff_no": f"S{100 + i}", "name": f"社工{i:02d}号"})
        book.spells.append({"staff_id": 100 + i, "hire_date": dt.date(2020, 1, 1), "exit_date": None})
        book.assignments.append({"staff_id": 100 + i, "start": START, "end": END})
    # Salaries: one per staff member per month, paid on a working day around the 10th.
    for month in range(1, 13):
        payday = next(d for d in days if d.month == month and d.day >= 10)
        for i in range(staff_count):
            book.add(
                date=payday,
                amount=_log_uniform(rng, 3.3, 3.55),
                line="P1",
                payee=f"社工{i:02d}号",
                description="工资",
                staff_id=100 + i,
                invoice_no="",
            )
    purchases = rows - len(book.rows)
    last_paid: dict[str, dt.date] = {}
    lines = ["A1", "A1", "A1", "M1", "M1", "E1", "S1", "AD"]
    for k in range(purchases):
        day = days[int(k * len(days) / purchases)]
        # Each payee at most once every 8 days: no split purchases, no duplicate payments.
        while True:
            payee = f"供应商{rng.randrange(600):03d}"
            if payee not in last_paid or (day - last_paid[payee]).days > 8:
                break
        last_paid[payee] = day
        amount = _log_uniform(rng, 1.0, 3.0)  # 10 .. 1000, two whole decades: Benford-conforming
        line = lines[k % len(lines)]
        book.add(
            date=day,
            amount=amount,
            line=line,
            payee=payee,
            description=rng.choice(SAFE_WORDS),
            payment_method=rng.choice(["bank", "wechat", "alipay", "card", "cash"]),
            posted_on=day + dt.timedelta(days=rng.randrange(0, 10)),
        )
    # Budget lines a quarter above what was spent: nothing overspends, admin stays under 10 %.
    actual: dict[str, int] = {}
    for row in book.rows:
        actual[row["line"]] = actual.get(row["line"], 0) + row["amount"]
    for code, (name, category, _amount) in LINES.items():
        approved = -(-actual.get(code, 0) * 125 // 100 // 100_000) * 1000  # yuan, rounded up to 1,000
        book.lines[code] = (name, category, Decimal(approved))
    return book


def found(findings, rule: str | None = None) -> list[tuple]:
    """(rule, sorted expenditure ids) of findings, optionally of one rule."""
    return sorted((f.rule, tuple(sorted(f.expenditure_ids))) for f in findings if rule in (None, f.rule))


def rules_of(findings) -> set[str]:
    return {f.rule for f in findings}


#: A Monday, a working day: the date of most hand-planted rows.
D = dt.date(2025, 3, 3)


def small_book(**lines) -> Book:
    """An empty ledger with only the given lines: ``code=(category, approved yuan)``."""
    book = Book()
    book.lines = {code: (code, category, Decimal(amount)) for code, (category, amount) in lines.items()}
    return book


def line_actual(book, code) -> Decimal:
    """What the book spent on line ``code``, in yuan."""
    return Decimal(sum(r["amount"] for r in book.rows if r["line"] == code)) / 100


def staffed_book(*, exit_date=None, assigned=True) -> Book:
    """An empty ledger with staff member 7 (张三), employed since 2020, assigned to January–June."""
    book = Book()
    book.staff.append({"staff_id": 7, "staff_no": "S007", "name": "张三"})
    book.spells.append({"staff_id": 7, "hire_date": dt.date(2020, 1, 1), "exit_date": exit_date})
    if assigned:
        book.assignments.append({"staff_id": 7, "start": dt.date(2025, 1, 1), "end": dt.date(2025, 6, 30)})
    return book
