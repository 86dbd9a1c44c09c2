"""Demo finance data: two county civil-affairs bureaus, three contracts, a year of ledger each.

Called by ``seed_demo`` after the staff seeder (``ctx.shared["staff_members"]``). The
outsider agency gets one contract of its own. The demo auditor is granted the first contract.
Ends with the flags work's ``plant_irregularities(ctx)`` (finance/flags/demo.py), which uses
``ctx.shared["contracts"]`` and ``ctx.shared["outsider_contract"]``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib.util import find_spec

from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from finance.models import Contract, Expenditure
from finance.services import (
    LineSpec,
    assignment_create,
    auditor_grant,
    contract_create,
    disbursement_create,
    funder_get_or_create,
    ledger_import,
)

PAYEES = {
    "activities": [
        ("信丰县新华书店", "儿童绘本"),
        ("赣州文具店", "活动物资"),
        ("信丰县印刷厂", "宣传册印刷"),
        ("万隆超市", "活动茶歇"),
    ],
    "training_supervision": [("江西师范大学社会工作系", "督导费"), ("赣州市社工协会", "培训报名费")],
    "travel": [("信丰县公交公司", "下乡交通"), ("滴滴出行", "入户走访打车"), ("中国石化加油站", "车辆油费")],
    "materials": [("赣州文具店", "办公耗材"), ("京东商城", "入户慰问物资"), ("万隆超市", "儿童生活用品")],
    "admin": [("中国电信信丰分公司", "宽带费"), ("信丰县自来水公司", "水费"), ("国网信丰供电公司", "电费")],
    "services": [("赣州明信会计师事务所", "审计服务费"), ("信丰县心理咨询中心", "心理咨询服务")],
    "equipment": [("苏宁易购", "笔记本电脑"), ("京东商城", "打印机")],
}
METHODS = ["bank", "bank", "bank", "wechat", "alipay", "card", "cash"]

CONTRACTS = [
    # code, title, funder, total, lines (code, name, category, share)
    (
        "JX-XF-{y}-01",
        "信丰县农村留守儿童关爱保护服务项目",
        "信丰县民政局",
        Decimal("300000.00"),
        [
            ("P1", "人员经费", "personnel", 50),
            ("A1", "服务活动", "activities", 25),
            ("T1", "培训督导", "training_supervision", 5),
            ("R1", "差旅交通", "travel", 5),
            ("M1", "物资耗材", "materials", 7),
            ("X1", "行政管理", "admin", 8),
        ],
    ),
    (
        "JX-XF-{y}-02",
        "信丰县困难老年人居家探访服务项目",
        "信丰县民政局",
        Decimal("180000.00"),
        [
            ("P1", "人员经费", "personnel", 55),
            ("A1", "服务活动", "activities", 25),
            ("R1", "差旅交通", "travel", 10),
            ("X1", "行政管理", "admin", 10),
        ],
    ),
    (
        "JX-AY-{y}-01",
        "安远县社区矫正社会工作服务项目",
        "安远县民政局",
        Decimal("240000.00"),
        [
            ("P1", "人员经费", "personnel", 50),
            ("A1", "服务活动", "activities", 20),
            ("S1", "专业服务", "services", 10),
            ("E1", "设备购置", "equipment", 5),
            ("M1", "物资耗材", "materials", 7),
            ("X1", "行政管理", "admin", 8),
        ],
    ),
]


def _lines(total: Decimal, spec) -> list[LineSpec]:
    lines = [
        LineSpec(code, name, cat, (total * share / 100).quantize(Decimal("0.01")))
        for code, name, cat, share in spec
    ]
    # Rounding goes to the first line so the lines add up to the total exactly.
    diff = total - sum(line.amount for line in lines)
    lines[0] = LineSpec(lines[0].code, lines[0].name, lines[0].category, lines[0].amount + diff)
    return lines


def _workday(day: dt.date, last: dt.date) -> dt.date:
    """The day itself or the next official working day (back to the previous one at the end).

    The demo's ordinary spending happens on working days, so the weekend/holiday rule shows
    only the planted examples rather than a hundred random dates.
    """
    try:
        import chinese_calendar

        def working(d: dt.date) -> bool:
            return chinese_calendar.is_workday(d)

        working(day)
    except (ImportError, NotImplementedError):

        def working(d: dt.date) -> bool:
            return d.weekday() < 5

    step = dt.timedelta(days=1)
    candidate = day
    while not working(candidate) and candidate < last:
        candidate += step
    while not working(candidate):
        candidate -= step
    return candidate


def _ledger(ctx, contract: Contract, staff: list, count: int) -> list[Expenditure]:
    rng = ctx.rng
    lines = list(contract.budget_lines.all())
    rows: list[Expenditure] = []
    days = (contract.end - contract.start).days
    voucher = 0
    personnel = next((line for line in lines if line.category == "personnel"), None)
    # Monthly salaries of the assigned staff.
    if personnel is not None:
        monthly = (personnel.approved_amount * Decimal("0.9") / 12 / max(1, len(staff))).quantize(
            Decimal("1")
        )
        for month in range(1, 13):
            for member in staff:
                voucher += 1
                date = _workday(dt.date(contract.start.year, month, 10), contract.end)
                rows.append(
                    Expenditure(
                        agency=contract.agency, contract=contract, budget_line=personnel, date=date,
                        amount=monthly, payee=member.name, description=f"{month}月工资",
                        payment_method="bank", voucher_no=f"V-{voucher:04d}", staff=member,
                        posted_on=date + dt.timedelta(days=rng.randint(0, 5)), source="import",
                    )
                )  # fmt: skip
    others = [line for line in lines if line.category != "personnel"]
    for _ in range(count):
        line = rng.choice(others)
        budget_per_row = line.approved_amount / max(1, count // len(others))
        amount = (budget_per_row * Decimal(rng.uniform(0.3, 1.5))).quantize(Decimal("0.01"))
        payee, what = rng.choice(PAYEES.get(line.category, PAYEES["materials"]))
        date = _workday(contract.start + dt.timedelta(days=rng.randint(0, days)), contract.end)
        voucher += 1
        rows.append(
            Expenditure(
                agency=contract.agency, contract=contract, budget_line=line, date=date, amount=max(amount, Decimal("10.00")),
                payee=payee, description=what, invoice_no=f"{rng.randint(10_000_000, 99_999_999)}",
                payment_method=rng.choice(METHODS), voucher_no=f"V-{voucher:04d}",
                posted_on=date + dt.timedelta(days=rng.randint(0, 10)), source="import",
            )
        )  # fmt: skip
    # A refund (红字冲销) of one purchase.
    refunded = rows[-1]
    voucher += 1
    rows.append(
        Expenditure(
            agency=contract.agency, contract=contract, budget_line=refunded.budget_line, date=refunded.date + dt.timedelta(days=3),
            amount=-refunded.amount, payee=refunded.payee, description=f"红字冲销 {refunded.description}",
            invoice_no=refunded.invoice_no, payment_method="bank", voucher_no=f"V-{voucher:04d}", source="import",
        )
    )  # fmt: skip
    return rows


def _imports(ctx, contracts: list[Contract]) -> None:
    """December's purchases of the first contract arrive as a ledger file, through the real import;
    a file with two bad rows for the second contract is refused (both outcomes show on the pages)."""
    rng = ctx.rng
    year = contracts[0].start.year
    rows = ["日期,金额,预算科目,收款方,摘要,发票号,支付方式,凭证号"]
    for n in range(1, 13):
        payee, what = rng.choice(PAYEES["activities"])
        amount = Decimal(rng.randint(5_000, 30_000)) / 100
        rows.append(
            f"{year}-12-{n + 10},{amount:.2f},服务活动,{payee},{what},{rng.randint(10_000_000, 99_999_999)},微信,V-9{n:03d}"
        )
    ledger_import(
        contract=contracts[0], data=("\r\n".join(rows) + "\r\n").encode("gb18030"),
        filename=f"{contracts[0].code}-12月明细账.csv", user=ctx.users.get("finance"),
    )  # fmt: skip
    refused = [
        rows[0],
        f"{year}-11-31,120.00,服务活动,万隆超市,活动茶歇,,现金,V-9901",
        f"{year}-11-30,80.00,宣传费,信丰县印刷厂,海报,,现金,V-9902",
    ]
    ledger_import(
        contract=contracts[1], data=("\r\n".join(refused) + "\r\n").encode(),
        filename=f"{contracts[1].code}-11月明细账.csv", user=ctx.users.get("finance"),
    )  # fmt: skip


def seed(ctx) -> None:
    year = ctx.today.year - 1
    # Salaried staff of the contracts: people employed for the whole contract year, so the
    # demo's payroll never pays someone who had left (that irregularity is planted on purpose).
    staff = [
        member
        for member in ctx.shared.get("staff_members", [])
        if member.spells.filter(hire_date__lte=dt.date(year, 1, 1))
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=dt.date(year + 1, 1, 31)))
        .exists()
    ][:6] or list(ctx.shared.get("staff_members", []))[:6]
    contracts = []
    for code, title, funder_name, total, spec in CONTRACTS:
        funder = funder_get_or_create(agency=ctx.agency, name=funder_name)
        contract = contract_create(
            agency=ctx.agency, code=code.format(y=year), title=title, funder=funder,
            start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), total=total,
            policy={"overspend_action": "warn"}, lines=_lines(total, spec),
        )  # fmt: skip
        disbursement_create(
            contract=contract,
            date=dt.date(year, 1, 20),
            amount=(total / 2).quantize(Decimal("0.01")),
            reference="首期拨款",
        )
        disbursement_create(
            contract=contract,
            date=dt.date(year, 7, 15),
            amount=(total * Decimal("0.3")).quantize(Decimal("0.01")),
            reference="第二期拨款",
        )
        assigned = staff[len(contracts) * 2 : len(contracts) * 2 + 2] or staff[:2]
        for member in assigned:
            assignment_create(
                contract=contract, staff=member, start=contract.start, end=contract.end, fte=Decimal("0.50")
            )
        count = 900 if ctx.size == "large" else 250
        bulk_create_with_history(
            _ledger(ctx, contract, assigned, count),
            Expenditure,
            batch_size=1000,
            default_user=ctx.users.get("finance"),
        )
        contracts.append(contract)
    ctx.shared["contracts"] = contracts
    _imports(ctx, contracts)
    auditor_grant(contract=contracts[0], auditor=ctx.users["auditor"], granted_by=ctx.users["director"])

    outsider_funder = funder_get_or_create(agency=ctx.outsider_agency, name="安远县民政局")
    outsider_staff = ctx.shared.get("outsider_staff") or []
    outsider = contract_create(
        agency=ctx.outsider_agency, code=f"AY-QH-{year}-01", title="安远县青少年成长服务项目", funder=outsider_funder,
        start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), total=Decimal("120000.00"),
        lines=_lines(Decimal("120000.00"), [("P1", "人员经费", "personnel", 60), ("A1", "服务活动", "activities", 30), ("X1", "行政管理", "admin", 10)]),
    )  # fmt: skip
    members = list(outsider_staff)[:1] if isinstance(outsider_staff, list | tuple) else []
    bulk_create_with_history(_ledger(ctx, outsider, members, 60), Expenditure, batch_size=1000)
    ctx.shared["outsider_contract"] = outsider
    ctx.log(
        f"finance: {len(contracts)} contracts, {Expenditure.objects.filter(agency=ctx.agency).count()} ledger rows"
    )
    # One planted example of every irregularity rule, then a scan (the flags work's seeder).
    if find_spec("finance.flags.demo") is not None:
        from finance.flags.demo import plant_irregularities

        plant_irregularities(ctx)
