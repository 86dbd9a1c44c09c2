"""Demo data for the flags: every rule's own demo example planted, then a scan of every contract.

``plant_irregularities(ctx)`` is called at the end of ``finance/demo.py: seed(ctx)``. It uses
``ctx.shared["contracts"]`` (the agency's two current contracts), ``ctx.shared["closed_contract"]``
(last year's) and ``ctx.shared["outsider_contract"]``. Each rule module declares its example
(``finance.rules.examples``); this module describes the seeded agency to the examples (with the
data window of core/demo.py and the window's official holidays, from core/official_calendar.py)
and turns the rows they return into expenditures. The examples on the current contracts are
dated inside the window at fixed fractions of it, so every rule keeps its example whatever the
date; those that need a whole contract year are planted on last year's closed contract.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from finance.flags.services import flag_set_status, flags_scan_contract
from finance.models import Contract, Expenditure, FlagStatus, StaffAssignment
from finance.rules import all_rules
from finance.rules.examples import DemoContract, DemoExample, DemoLine, DemoSpell, DemoStaff, DemoWorld
from staff.models import EmploymentSpell, StaffMember

#: Chinese names of the official holidays (chinesecalendar names them in English).
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午",
    "Mid-autumn Festival": "中秋",
    "National Day": "国庆",
}


def _workday(day: dt.date) -> dt.date:
    import chinese_calendar

    while True:
        try:
            if chinese_calendar.is_workday(day):
                return day
        except NotImplementedError:
            if day.weekday() < 5:
                return day
        day += dt.timedelta(days=1)


def _first(qs):
    """``qs`` in the order ``.first()`` reads it."""
    return qs if qs.ordered else qs.order_by("pk")


def _described(contract: Contract) -> DemoContract:
    lines = _first(contract.budget_lines.all())
    assigned = StaffAssignment.objects.filter(contract=contract).values_list("staff_id", flat=True)
    return DemoContract(
        code=contract.code,
        start=contract.start,
        end=contract.end,
        total=contract.total,
        lines=tuple(DemoLine(line.code, line.category) for line in lines),
        assigned_staff=frozenset(assigned),
    )


def rest_days(start: dt.date, end: dt.date) -> tuple[tuple[dt.date, str], ...]:
    """(first day, name) of each official holiday from ``start`` to ``end``; the Saturdays when
    the official calendar does not know the year (the weekend rule then checks weekends)."""
    from core.official_calendar import package_days

    found: list[tuple[dt.date, str]] = []
    for year in range(start.year, end.year + 1):
        days = package_days(year)
        if days is None:
            every = (start + dt.timedelta(days=i) for i in range((end - start).days + 1))
            found += [(d, "周末") for d in every if d.year == year and d.weekday() == 5]
            continue
        seen = set()
        for day, kind, name in days:
            if kind == "holiday" and start <= day <= end and name not in seen:
                seen.add(name)
                found.append((day, HOLIDAY_NAMES.get(name, name)))
    return tuple(sorted(found))


def demo_world(ctx, contracts: list[Contract], closed: Contract | None = None) -> DemoWorld:
    """The seeded agency as the rules' examples see it."""
    described = [_described(contract) for contract in contracts[:2]]
    start, end = ctx.window_start, ctx.window_end
    staff = StaffMember.objects.filter(agency=ctx.agency).order_by("staff_no")
    spells = _first(EmploymentSpell.objects.filter(agency=ctx.agency))
    return DemoWorld(
        year=contracts[0].start.year,
        contracts=tuple(described),
        staff=tuple(DemoStaff(m.pk, m.staff_no, m.name) for m in staff),
        spells=tuple(DemoSpell(s.staff_id, s.hire_date, s.exit_date) for s in spells),
        workday=_workday,
        window_start=start,
        window_end=end,
        closed=_described(closed) if closed is not None else None,
        rest_days=rest_days(start, end),
    )


def demo_examples(world: DemoWorld) -> list[tuple[str, DemoExample]]:
    """Every rule's example, in planting order (rules that fire on another's example plant none)."""
    rules = sorted(
        (rule for rule in all_rules() if rule.example is not None), key=lambda rule: rule.example_order
    )
    return [(rule.code, rule.example(world)) for rule in rules]


def plant_irregularities(ctx) -> None:
    """Add one example of every rule of docs/rules.md to the demo ledgers, then scan."""
    contracts = list(
        ctx.shared.get("contracts") or Contract.objects.filter(agency=ctx.agency).order_by("code")
    )
    if len(contracts) < 2:
        ctx.log("flags demo: fewer than two current contracts, nothing planted")
        return
    closed = ctx.shared.get("closed_contract")
    world = demo_world(ctx, contracts, closed)
    planted_on = [*contracts[:2], *([closed] if closed is not None else [])]
    by_code = {contract.code: contract for contract in planted_on}
    lines = {
        (line.contract_id, line.code): line for contract in planted_on for line in contract.budget_lines.all()
    }
    rows: list[Expenditure] = []
    for _code, example in demo_examples(world):
        for code, overrides in example.policy.items():
            contract = by_code[code]
            contract.policy = {**(contract.policy or {}), **overrides}
            contract.save(update_fields=["policy"])
        for row in example.rows:
            n = len(rows) + 1
            contract = by_code[row.contract]
            rows.append(
                Expenditure(
                    agency=contract.agency,
                    contract=contract,
                    budget_line=lines[(contract.pk, row.line)],
                    date=row.date,
                    amount=Decimal(str(row.amount)),
                    payee=row.payee,
                    description=row.description,
                    voucher_no=f"F-{n:04d}",
                    source="import",
                    invoice_no=f"F{world.year}{n:05d}" if row.invoice_no is None else row.invoice_no,
                    payment_method=row.payment_method,
                    posted_on=row.posted_on or row.date,
                    staff_id=row.staff_id,
                )
            )

    bulk_create_with_history(rows, Expenditure, batch_size=1000, default_user=ctx.users.get("finance"))
    results = [flags_scan_contract(contract=c, user=None) for c in [*contracts, *planted_on[2:]]]
    outsider = ctx.shared.get("outsider_contract")
    if outsider is not None:
        flags_scan_contract(contract=outsider)
    # Show the workflow: one flag dismissed with a note, one explained.
    finance_user = ctx.users.get("finance")
    flags = [flag for result in results for flag in result.flags]
    day, name = world.rest_day()
    weekend = next(
        (f for f in flags if f.rule == "WEEKEND_HOLIDAY" and day.isoformat() in str(f.evidence)), None
    ) or next((f for f in flags if f.rule == "WEEKEND_HOLIDAY"), None)
    if weekend is not None and finance_user is not None:
        flag_set_status(
            flag=weekend,
            user=finance_user,
            status=FlagStatus.DISMISSED,
            note=f"{name}游园会为项目活动，已报备。",
        )
    ctx.log(
        f"flags: planted {len(rows)} expenditures; {sum(len(r.flags) for r in results)} flags on the agency's contracts"
    )
