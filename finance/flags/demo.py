"""Demo data for the flags: every rule's own demo example planted, then a scan of every contract.

``plant_irregularities(ctx)`` is called at the end of ``finance/demo.py: seed(ctx)``. It uses
``ctx.shared["contracts"]`` (the agency's three contracts) and ``ctx.shared["outsider_contract"]``.
Each rule module declares its example (``finance.rules.examples``); this module describes the
seeded agency to the examples and turns the rows they return into expenditures.
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


def demo_world(ctx, contracts: list[Contract]) -> DemoWorld:
    """The seeded agency as the rules' examples see it."""
    described = []
    for contract in contracts[:3]:
        lines = _first(contract.budget_lines.all())
        assigned = StaffAssignment.objects.filter(contract=contract).values_list("staff_id", flat=True)
        described.append(
            DemoContract(
                code=contract.code,
                start=contract.start,
                end=contract.end,
                total=contract.total,
                lines=tuple(DemoLine(line.code, line.category) for line in lines),
                assigned_staff=frozenset(assigned),
            )
        )
    staff = StaffMember.objects.filter(agency=ctx.agency).order_by("staff_no")
    spells = _first(EmploymentSpell.objects.filter(agency=ctx.agency))
    return DemoWorld(
        year=contracts[0].start.year,
        contracts=tuple(described),
        staff=tuple(DemoStaff(m.pk, m.staff_no, m.name) for m in staff),
        spells=tuple(DemoSpell(s.staff_id, s.hire_date, s.exit_date) for s in spells),
        workday=_workday,
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
    if len(contracts) < 3:
        ctx.log("flags demo: fewer than three contracts, nothing planted")
        return
    world = demo_world(ctx, contracts)
    by_code = {contract.code: contract for contract in contracts}
    lines = {
        (line.contract_id, line.code): line
        for contract in contracts[:3]
        for line in contract.budget_lines.all()
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
    results = [flags_scan_contract(contract=c, user=None) for c in contracts]
    outsider = ctx.shared.get("outsider_contract")
    if outsider is not None:
        flags_scan_contract(contract=outsider)
    # Show the workflow: one flag dismissed with a note, one explained.
    finance_user = ctx.users.get("finance")
    flags = [flag for result in results for flag in result.flags]
    weekend = next((f for f in flags if f.rule == "WEEKEND_HOLIDAY"), None)
    if weekend is not None and finance_user is not None:
        flag_set_status(
            flag=weekend,
            user=finance_user,
            status=FlagStatus.DISMISSED,
            note="国庆游园会为项目活动，已报备。",
        )
    ctx.log(
        f"flags: planted {len(rows)} expenditures; {sum(len(r.flags) for r in results)} flags on the agency's contracts"
    )
