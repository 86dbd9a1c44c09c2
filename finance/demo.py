"""Demo finance data: three contracts with two county civil-affairs bureaus, two of them current.

Called by ``seed_demo`` after the staff seeder (``ctx.shared["staff_members"]``). The two
current contracts (``ctx.shared["contracts"]``, one per bureau) run from 1 January to 31 December
of ``ctx.today``'s year and are active; their ledgers hold what has happened so far, inside the
data window of core/demo.py (1 January to the end of last month; in January, to yesterday):
monthly salaries for the months whose pay day is in it, the funder's tranches whose date is in
it (20 January, 15 July), a share of the year's purchases in proportion to the window's length,
and last month's purchases of the first contract arriving as a ledger file through the real
import (a file with two bad rows for the second contract is refused). Last year's contract of
the first project (``ctx.shared["closed_contract"]``, closed) has a whole year: it carries the
examples of the rules that need one (caps, overspending, end-of-contract surges). The outsider
agency gets one current contract of its own. The demo auditor is granted the first contract.
Ends with the flags work's ``plant_irregularities(ctx)`` (finance/flags/demo.py).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal
from importlib.util import find_spec

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core import progress
from core.demo import CITIES, write_rows
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
from finance.services.totals import recompute_totals
from staff.demo import LARGE_YEARS
from staff.models import StaffMember

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
#: The cash limit's default (finance/rules/cash_limit.py): the ordinary ledger pays above it otherwise.
CASH_LIMIT = Decimal("1000")

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


def _ledger(
    ctx, contract: Contract, staff: list, count: int, last: dt.date, scale: Decimal = Decimal(1)
) -> list[Expenditure]:
    """Salaries and ``count`` purchases dated from the contract's start to ``last``, the end of
    its data; a purchase's size is ``scale`` × what a year of ``YEAR_PURCHASES`` would spend per
    row on its line."""
    rng = ctx.rng
    lines = list(contract.budget_lines.all())
    rows: list[Expenditure] = []
    days = (last - contract.start).days
    voucher = 0
    personnel = next((line for line in lines if line.category == "personnel"), None)
    # Monthly salaries of the assigned staff, paid on the 10th: the months paid by ``last``.
    if personnel is not None:
        monthly = (personnel.approved_amount * Decimal("0.9") / 12 / max(1, len(staff))).quantize(
            Decimal("1")
        )
        for month in range(1, 13):
            pay_day = dt.date(contract.start.year, month, 10)
            if pay_day > last:
                break
            for member in staff:
                voucher += 1
                date = _workday(pay_day, last)
                rows.append(
                    Expenditure(
                        agency=contract.agency, contract=contract, budget_line=personnel, date=date,
                        amount=monthly, payee=member.name, description=f"{month}月工资",
                        payment_method="bank", voucher_no=f"V-{voucher:04d}", staff=member,
                        posted_on=min(last, date + dt.timedelta(days=rng.randint(0, 5))), source="import",
                    )
                )  # fmt: skip
    others = [line for line in lines if line.category != "personnel"]
    for _row in range(count):
        line = rng.choice(others)
        budget_per_row = scale * line.approved_amount / max(1, YEAR_PURCHASES // len(others))
        amount = (budget_per_row * Decimal(rng.uniform(0.3, 1.5))).quantize(Decimal("0.01"))
        payee, what = rng.choice(PAYEES.get(line.category, PAYEES["materials"]))
        date = _workday(contract.start + dt.timedelta(days=rng.randint(0, days)), last)
        invoice = f"{rng.randint(10_000_000, 99_999_999)}"
        method = rng.choice(METHODS)
        if method == "cash" and amount > CASH_LIMIT:  # ordinary spending keeps to the cash limit
            method = "bank"
        voucher += 1
        rows.append(
            Expenditure(
                agency=contract.agency, contract=contract, budget_line=line, date=date, amount=max(amount, Decimal("10.00")),
                payee=payee, description=what, invoice_no=invoice, payment_method=method, voucher_no=f"V-{voucher:04d}",
                posted_on=min(last, date + dt.timedelta(days=rng.randint(0, 10))), source="import",
            )
        )  # fmt: skip
    # A refund (红字冲销) of one purchase.
    purchases = [row for row in rows if row.staff is None]
    if purchases:
        refunded = purchases[-1]
        voucher += 1
        rows.append(
            Expenditure(
                agency=contract.agency, contract=contract, budget_line=refunded.budget_line,
                date=_workday(min(last, refunded.date + dt.timedelta(days=3)), last), amount=-refunded.amount, payee=refunded.payee,
                description=f"红字冲销 {refunded.description}", invoice_no=refunded.invoice_no,
                payment_method="bank", voucher_no=f"V-{voucher:04d}", source="import",
            )
        )  # fmt: skip
    return rows


def _imports(ctx, contracts: list[Contract]) -> None:
    """Last month's purchases of the first contract arrive as a ledger file, through the real
    import (12 rows on the working days of the window's last month; in January, of the window);
    a file with two bad rows for the second contract is refused (both outcomes show on the
    pages)."""
    rng = ctx.rng
    start, last = ctx.window_start, ctx.window_end
    month_start = max(start, last.replace(day=1))
    span = (last - month_start).days
    rows = ["日期,金额,预算科目,收款方,摘要,发票号,支付方式,凭证号"]
    for n in range(1, 13):
        payee, what = rng.choice(PAYEES["activities"])
        amount = Decimal(rng.randint(5_000, 30_000)) / 100
        day = _workday(month_start + dt.timedelta(days=((n - 1) * span) // 11), last)
        rows.append(
            f"{day.isoformat()},{amount:.2f},服务活动,{payee},{what},{rng.randint(10_000_000, 99_999_999)},微信,V-9{n:03d}"
        )
    ledger_import(
        contract=contracts[0], data=("\r\n".join(rows) + "\r\n").encode("gb18030"),
        filename=f"{contracts[0].code}-{last.month}月明细账.csv", user=ctx.users.get("finance"),
    )  # fmt: skip
    # A day the month does not have (30 November typed as the 31st) and a line the budget lacks.
    next_month = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    days_in_month = (next_month - last.replace(day=1)).days
    refused = [
        rows[0],
        f"{last.year}-{last.month:02d}-{days_in_month + 1},120.00,服务活动,万隆超市,活动茶歇,,现金,V-9901",
        f"{last.isoformat()},80.00,宣传费,信丰县印刷厂,海报,,现金,V-9902",
    ]
    ledger_import(
        contract=contracts[1], data=("\r\n".join(refused) + "\r\n").encode(),
        filename=f"{contracts[1].code}-{last.month}月明细账.csv", user=ctx.users.get("finance"),
    )  # fmt: skip


# ---- the large data set ---------------------------------------------------------------------
# ``seed_large(ctx)`` writes ``ctx.counts["contracts"]`` yearly contracts with
# ``ctx.counts["expenditures"]`` ledger rows in bulk over ``ctx.shared["large_staff"]``
# (staff/demo.py). The ledger is mostly clean (workdays, cents, invoices, prompt posting);
# voucher numbers are unique in a contract and budget lines are sized so that no line or
# contract overspends; each contract of 1,000 rows or more carries a few planted irregularities
# of the rules a row can break by itself, so a flag scan has something to find.
# The contracts are of the last LARGE_YEARS years up to this one (only this year's active); the
# current year's rows, salaries and tranches stop at the demo's data window (core/demo.py).

#: The largest contract holds this share of the ledger (the benchmarks scan it).
LARGEST_SHARE = Decimal("0.15")
LARGE_FUNDERS = ["江西省民政厅", "南昌市民政局", "赣州市民政局", "九江市民政局"]
#: Non-personnel spending: category, line code, line name, weight, merchants and what they sell.
SPENDING = [
    ("activities", "A1", "服务活动", 45, ["文具店", "印刷厂", "超市", "书店"], ["活动物资", "宣传册印刷", "儿童绘本"]),
    ("materials", "M1", "物资耗材", 20, ["商贸公司", "办公用品店"], ["办公耗材", "入户慰问物资"]),
    ("travel", "R1", "差旅交通", 12, ["公交公司", "加油站", "客运站"], ["下乡交通", "车辆油费"]),
    ("training_supervision", "T1", "培训督导", 8, ["社工协会", "培训学校"], ["督导费", "培训报名费"]),
    ("services", "S1", "专业服务", 6, ["会计师事务所", "心理咨询中心"], ["审计服务费", "心理咨询服务"]),
    ("equipment", "E1", "设备购置", 3, ["电器城", "电脑城"], ["笔记本电脑", "打印机"]),
    ("admin", "X1", "行政管理", 6, ["电信分公司", "自来水公司", "供电公司"], ["宽带费", "水费", "电费"]),
]  # fmt: skip
LARGE_METHODS = ["bank", "bank", "bank", "bank", "wechat", "alipay", "card"]


def large_contract_sizes(total: int, contracts: int) -> list[int]:
    """Rows per contract, oldest first; the last (most recent) is the largest."""
    largest = int(total * LARGEST_SHARE) if contracts > 1 else total
    rest = total - largest
    sizes = [rest // (contracts - 1) + (1 if k < rest % (contracts - 1) else 0) for k in range(contracts - 1)]
    return [*sizes, largest] if contracts > 1 else [largest]


def _workdays(year: int) -> list[dt.date]:
    """Working days of ``year`` in mainland China (official calendar; Monday–Friday outside it)."""
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a declared dependency
        chinese_calendar = None
    days = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        try:
            ok = chinese_calendar.is_workday(day) if chinese_calendar else day.weekday() < 5
        except NotImplementedError:
            ok = day.weekday() < 5
        if ok:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _amount(rng: random.Random, low: float = 10.0, high: float = 10_000.0) -> Decimal:
    # Log-uniform over whole decades: first digits follow Benford's law, amounts carry cents.
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    cents = max(1001, int(value * 100))
    if cents % 100 == 0:
        cents += 37
    return Decimal(cents) / 100


def _budget(spent: Decimal | None) -> Decimal:
    # 5-20 % headroom above the year's spending, rounded up to the hundred yuan.
    base = max(spent or Decimal(0), Decimal(0)) * Decimal("1.1")
    return (base / 100).to_integral_value(rounding="ROUND_CEILING") * 100 + 100


def _tranche(total: Decimal, tenths: int) -> Decimal:
    return (total * tenths / 10).quantize(Decimal("0.01"))


def seed_large(ctx) -> None:
    """The large agency's contracts, budgets, tranches, assignments and ledger (see above)."""
    rng, today, agency, users = ctx.rng, ctx.today, ctx.agency, ctx.users
    staff = ctx.shared["large_staff"]
    sizes = large_contract_sizes(ctx.counts["expenditures"], ctx.counts["contracts"])
    finance_user = users.get("finance")
    funders = [funder_get_or_create(agency=agency, name=name) for name in LARGE_FUNDERS]
    # The last LARGE_YEARS years up to this one, whose rows stop at the demo's data window.
    first_year = today.year - LARGE_YEARS + 1
    invoice = 30_000_000
    contracts = []
    fields = [
        "agency", "contract", "budget_line", "date", "amount", "payee", "description", "invoice_no",
        "payment_method", "voucher_no", "staff", "posted_on", "status", "void_reason", "source",
        "created_by", "created_at",
    ]  # fmt: skip
    for k, size in enumerate(progress.track(sizes, _("Ledgers"), unit=_("contracts"))):
        year = first_year + (k * LARGE_YEARS) // len(sizes)
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        last = min(end, ctx.window_end)
        year_workdays = _workdays(year)
        workdays = [d for d in year_workdays if d <= last] or [last]
        # Salaried staff: employed for the whole year.
        employed = set(staff.employed_on(start.toordinal()).tolist()) & set(
            staff.employed_on(end.toordinal()).tolist()
        )
        assigned = sorted(employed)[: max(1, min(10, size // 500))] if employed else []
        paid_months = sum(1 for month in range(1, 13) if dt.date(year, month, 10) <= last)
        salary_rows = min(len(assigned) * paid_months, size // 5)
        planted = 30 if size >= 1000 else 0
        rows: list[list] = []  # line code stands in for the budget line until the lines exist
        created = timezone.now()
        for n in range(salary_rows):
            month, person = n // max(1, len(assigned)) + 1, assigned[n % len(assigned)]
            day = next((d for d in workdays if d.month == month and d.day >= 10), dt.date(year, month, 10))
            amount = Decimal(rng.randrange(450_000, 780_000)) / 100
            rows.append(
                [agency.pk, None, "P1", day, amount, staff.names[person], f"{month}月工资", "", "bank", None,
                 staff.ids[person], day + dt.timedelta(days=rng.randint(0, 5)), "posted", ""]
            )  # fmt: skip
        categories = SPENDING
        weights = [c[3] for c in categories]
        pool = max(50, (size - salary_rows) * 4)
        n = 0
        while len(rows) < size - planted:
            _category, code, _name, _w, merchants, goods = rng.choices(categories, weights=weights)[0]
            day = rng.choice(workdays)
            amount = _amount(rng)
            method = rng.choice(LARGE_METHODS) if amount > 1000 else rng.choice([*LARGE_METHODS, "cash"])
            invoice += 1
            payee = f"{rng.choice(CITIES)}{rng.choice(merchants)}{rng.randrange(pool):06d}"
            status, reason = ("void", "录入错误，已作废") if rng.random() < 0.001 else ("posted", "")
            rows.append(
                [agency.pk, None, code, day, amount, payee, rng.choice(goods), str(invoice), method, None, None,
                 day + dt.timedelta(days=rng.randint(0, 10)), status, reason]
            )  # fmt: skip
            n += 1
            if n % 1000 == 0 and len(rows) < size - planted:  # now and then a refund (红字冲销)
                refund = rows[-1]
                rows.append(
                    [agency.pk, None, refund[2], refund[3], -min(refund[4], Decimal("150.00")), refund[5],
                     f"红字冲销 {refund[6]}", "", "bank", None, None, refund[11], "posted", ""]
                )  # fmt: skip
        for n in range(planted):  # a few irregularities of the rules a row can break by itself
            kind = n % 6
            day = rng.choice(workdays)
            amount, method, inv, posted, what = (
                _amount(rng, 20, 900),
                "bank",
                str(invoice + 1),
                day,
                "活动物资",
            )
            if kind == 0:
                amount, method = Decimal("1500.00") + n, "cash"  # CASH_LIMIT
            elif kind == 1:
                amount, inv = Decimal("860.50") + n, ""  # MISSING_RECEIPT
            elif kind == 2:
                day = next(
                    d for d in (start + dt.timedelta(days=j) for j in range(14)) if d not in year_workdays
                )
                posted = day  # WEEKEND_HOLIDAY
            elif kind == 3:
                posted = day + dt.timedelta(days=45)  # LATE_POSTING
            elif kind == 4:
                what = "中秋礼品"  # INELIGIBLE_ITEM
            else:
                amount = Decimal(6000 + 1000 * (n % 3))  # ROUND_AMOUNT
            invoice += 1
            rows.append(
                [agency.pk, None, "A1", day, amount, f"{rng.choice(CITIES)}百货商店{n:03d}", what, inv, method,
                 None, None, posted, "posted", ""]
            )  # fmt: skip
        rng.shuffle(rows)
        rows.sort(key=lambda r: r[3])
        # Budget: each line a little above what is spent on it, so nothing overspends.
        spent: dict[str, Decimal] = {}
        for row in rows:
            if row[12] == "posted":
                spent[row[2]] = spent.get(row[2], Decimal(0)) + row[4]
        lines = [LineSpec("P1", "人员经费", "personnel", _budget(spent.get("P1")))]
        lines += [LineSpec(code, name, cat, _budget(spent.get(code))) for cat, code, name, *_r in SPENDING]
        total = sum((line.amount for line in lines), Decimal(0))
        contract = contract_create(
            agency=agency,
            code=f"PV-{year}-{k % 2 + 1:02d}",
            title=f"{CITIES[k % len(CITIES)]}社会工作服务项目（{year}）",
            funder=funders[k % len(funders)],
            start=start,
            end=end,
            total=total,
            status=Contract.Status.ACTIVE if year == today.year else Contract.Status.CLOSED,
            policy={"overspend_action": "warn"},
            lines=lines,
        )
        line_ids = dict(contract.budget_lines.values_list("code", "pk"))
        if dt.date(year, 1, 20) <= last:
            disbursement_create(
                contract=contract, date=dt.date(year, 1, 20), amount=_tranche(total, 6), reference="首期拨款"
            )
        if dt.date(year, 7, 15) <= last:
            disbursement_create(
                contract=contract,
                date=dt.date(year, 7, 15),
                amount=_tranche(total, 4),
                reference="第二期拨款",
            )
        for person in assigned:
            assignment_create(
                contract=contract,
                staff=StaffMember.objects.get(pk=staff.ids[person]),
                start=start,
                end=end,
                fte=Decimal("1.00"),
            )
        by = finance_user.pk if finance_user else None
        write_rows(
            Expenditure,
            fields,
            (
                (r[0], contract.pk, line_ids[r[2]], r[3], r[4], r[5], r[6], r[7], r[8], f"V{v + 1:07d}", r[10],
                 min(r[11], last), r[12], r[13], "import", by, created)
                for v, r in enumerate(rows)
            ),
        )  # fmt: skip
        contracts.append(contract)
        ctx.log(f"large: contract {contract.code}: {len(rows):,} ledger rows")
    auditor, director = users.get("auditor"), users.get("director")
    if auditor is not None and director is not None:
        auditor_grant(contract=contracts[-1], auditor=auditor, granted_by=director)
    recompute_totals(c.pk for c in contracts)  # the rows went in by COPY, past the services


#: Purchases of a whole contract year on each demo contract (the outsider's: ``OUTSIDER_PURCHASES``).
YEAR_PURCHASES = 250
OUTSIDER_PURCHASES = 60
#: The funder's tranches: (month, day, share of the total, reference).
TRANCHES = [(1, 20, Decimal("0.5"), "首期拨款"), (7, 15, Decimal("0.3"), "第二期拨款")]


def _salaried(ctx, year: int) -> list[StaffMember]:
    """Six people employed for the whole of ``year`` (to the end of the data window in the
    current year), so the demo's payroll never pays someone who had left (that irregularity is
    planted on purpose)."""
    members = list(ctx.shared.get("staff_members", []))
    until = min(dt.date(year + 1, 1, 31), ctx.window_end + dt.timedelta(days=31))
    return [
        member
        for member in members
        if member.spells.filter(hire_date__lte=dt.date(year, 1, 1))
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=until))
        .exists()
    ][:6] or members[:6]


def _contract(
    ctx,
    agency,
    code,
    title,
    funder_name,
    total,
    spec,
    *,
    year,
    last,
    status,
    staff,
    purchases,
    own=True,
    scale=Decimal(1),
):
    """One contract of ``year`` with its budget, the tranches and ledger rows dated by ``last``;
    ``staff`` are paid on it (and, for the demo agency's ``own`` contracts, assigned to it)."""
    funder = funder_get_or_create(agency=agency, name=funder_name)
    contract = contract_create(
        agency=agency, code=code.format(y=year), title=title, funder=funder, start=dt.date(year, 1, 1),
        end=dt.date(year, 12, 31), total=total, status=status,
        policy={"overspend_action": "warn"} if own else None, lines=_lines(total, spec),
    )  # fmt: skip
    for month, day, share, reference in TRANCHES if own else []:
        if dt.date(year, month, day) <= last:
            disbursement_create(
                contract=contract,
                date=dt.date(year, month, day),
                amount=(total * share).quantize(Decimal("0.01")),
                reference=reference,
            )
    for member in staff if own else []:
        assignment_create(
            contract=contract, staff=member, start=contract.start, end=contract.end, fte=Decimal("0.50")
        )
    # The year's purchases in proportion to the part of the year the data covers.
    count = round(purchases * ((last - contract.start).days + 1) / contract.period_days)
    bulk_create_with_history(
        _ledger(ctx, contract, staff, count, last, scale),
        Expenditure,
        batch_size=1000,
        default_user=ctx.users.get("finance") if own else None,
    )
    return contract


def seed(ctx) -> None:
    """The demo agency's contracts and ledgers, and the outsider's (see the module docstring)."""
    year, last = ctx.today.year, ctx.window_end
    staff = _salaried(ctx, year)
    contracts = []
    for code, title, funder_name, total, spec in CONTRACTS:
        assigned = staff[len(contracts) * 2 : len(contracts) * 2 + 2] or staff[:2]
        contract = _contract(
            ctx, ctx.agency, code, title, funder_name, total, spec, year=year, last=last,
            status=Contract.Status.ACTIVE, staff=assigned, purchases=YEAR_PURCHASES,
        )  # fmt: skip
        contracts.append(contract)
    ctx.shared["contracts"] = contracts
    # Last year's contract of the first project: a whole closed year, its purchases well inside
    # the lines, so that its year-end event is what overspends them.
    code, title, funder_name, total, spec = CONTRACTS[0]
    before = _salaried(ctx, year - 1)
    ctx.shared["closed_contract"] = _contract(
        ctx, ctx.agency, code, title, funder_name, total, spec, year=year - 1, last=dt.date(year - 1, 12, 31),
        status=Contract.Status.CLOSED, staff=before[:2], purchases=YEAR_PURCHASES, scale=Decimal("0.7"),
    )  # fmt: skip
    _imports(ctx, contracts)
    auditor_grant(contract=contracts[0], auditor=ctx.users["auditor"], granted_by=ctx.users["director"])

    outsider_staff = ctx.shared.get("outsider_staff") or []
    members = list(outsider_staff)[:1] if isinstance(outsider_staff, list | tuple) else []
    outsider_lines = [("P1", "人员经费", "personnel", 60), ("A1", "服务活动", "activities", 30), ("X1", "行政管理", "admin", 10)]  # fmt: skip
    outsider = _contract(
        ctx, ctx.outsider_agency, "AY-QH-{y}-01", "安远县青少年成长服务项目", "安远县民政局", Decimal("120000.00"),
        outsider_lines, year=year, last=last, status=Contract.Status.ACTIVE, staff=members,
        purchases=OUTSIDER_PURCHASES, own=False,
    )  # fmt: skip
    ctx.shared["outsider_contract"] = outsider
    ctx.log(
        f"finance: {len(contracts)} current contracts and last year's, "
        f"{Expenditure.objects.filter(agency=ctx.agency).count()} ledger rows"
    )
    # One planted example of every irregularity rule, then a scan (the flags work's seeder).
    if find_spec("finance.flags.demo") is not None:
        from finance.flags.demo import plant_irregularities

        plant_irregularities(ctx)
    recompute_totals(Contract.objects.filter(agency__in=[ctx.agency, ctx.outsider_agency]).values_list("pk", flat=True))  # fmt: skip
