"""Demo data for the flags: one planted example of every rule, then a scan of every contract.

``plant_irregularities(ctx)`` is called at the end of ``finance/demo.py: seed(ctx)``. It uses
``ctx.shared["contracts"]`` (the agency's three contracts) and ``ctx.shared["outsider_contract"]``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from finance.flags.services import flag_set_status, flags_scan_contract
from finance.models import Contract, Expenditure, FlagStatus, StaffAssignment
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


def _line(contract: Contract, *categories: str):
    for category in categories:
        line = contract.budget_lines.filter(category=category).first()
        if line is not None:
            return line
    return contract.budget_lines.exclude(category="personnel").first()


def plant_irregularities(ctx) -> None:
    """Add one example of every rule of flag-rules.md to the demo ledgers, then scan."""
    contracts = list(
        ctx.shared.get("contracts") or Contract.objects.filter(agency=ctx.agency).order_by("code")
    )
    if len(contracts) < 3:
        ctx.log("flags demo: fewer than three contracts, nothing planted")
        return
    first, second, third = contracts[:3]
    year = first.start.year
    rows: list[Expenditure] = []
    counter = {"n": 0}

    def add(contract: Contract, line, date, amount, payee, description, **extra):
        counter["n"] += 1
        values = {
            "invoice_no": f"F{year}{counter['n']:05d}",
            "payment_method": "bank",
            "posted_on": date,
            **extra,
        }
        rows.append(
            Expenditure(
                agency=contract.agency, contract=contract, budget_line=line, date=date, amount=Decimal(amount),
                payee=payee, description=description, voucher_no=f"F-{counter['n']:04d}", source="import", **values,
            )
        )  # fmt: skip

    a1 = _line(first, "activities")
    day = _workday(dt.date(year, 4, 8))
    # DUPLICATE_INVOICE: one invoice charged to two funders.
    add(first, a1, day, "930.00", "赣州文具店", "活动文具", invoice_no="04419823")
    add(
        second,
        _line(second, "activities"),
        day + dt.timedelta(days=1),
        "930.00",
        "赣州文具店",
        "活动文具",
        invoice_no="04419823",
    )
    # DUPLICATE_PAYMENT and SPLIT_PURCHASE.
    day = _workday(dt.date(year, 5, 12))
    add(first, a1, day, "1280.00", "信丰县印务中心", "宣传册印刷")
    add(first, a1, _workday(day + dt.timedelta(days=2)), "1280.00", "信丰县印务中心", "宣传册印刷")
    day = _workday(dt.date(year, 6, 9))
    add(first, a1, day, "2600.00", "赣南音响租赁", "活动音响租赁")
    add(first, a1, _workday(day + dt.timedelta(days=1)), "2480.50", "赣南音响租赁", "活动音响租赁")
    # CASH_LIMIT, MISSING_RECEIPT, INELIGIBLE_ITEM, ROUND_AMOUNT, LATE_POSTING, WEEKEND_HOLIDAY.
    add(
        first, a1, _workday(dt.date(year, 7, 7)), "1500.00", "农家乐餐馆", "志愿者餐费", payment_method="cash"
    )
    add(first, a1, _workday(dt.date(year, 7, 14)), "860.00", "县城超市", "活动物资", invoice_no="")
    add(first, a1, _workday(dt.date(year, 8, 4)), "368.00", "百货商店", "中秋礼品")
    add(first, a1, _workday(dt.date(year, 8, 11)), "6000.00", "社区活动中心", "场地租用")
    day = _workday(dt.date(year, 3, 3))
    add(first, a1, day, "245.30", "县城超市", "活动物资", posted_on=day + dt.timedelta(days=75))
    add(first, a1, dt.date(year, 10, 1), "188.80", "国庆游园会", "活动物资")
    # OUTSIDE_PERIOD: before the start.
    add(first, a1, _workday(first.start - dt.timedelta(days=20)), "420.00", "县城超市", "筹备物资")
    # PAYEE_IS_STAFF: services bought from a staff member's name.
    staff = list(StaffMember.objects.filter(agency=ctx.agency).order_by("staff_no"))
    services_line = _line(third, "services", "equipment")
    if staff and services_line is not None:
        add(third, services_line, _workday(dt.date(year, 9, 8)), "1800.00", staff[0].name, "个案督导服务")
    # GHOST_PERSONNEL and UNASSIGNED_PERSONNEL.
    personnel = first.budget_lines.filter(category="personnel").first()
    if personnel is not None:
        left = (
            EmploymentSpell.objects.filter(
                agency=ctx.agency, exit_date__lt=first.start - dt.timedelta(days=60)
            )
            .exclude(staff__spells__exit_date__isnull=True)
            .select_related("staff")
            .first()
        )
        if left is not None:
            add(
                first,
                personnel,
                _workday(dt.date(year, 2, 10)),
                "3650.00",
                left.staff.name,
                "2月工资",
                staff=left.staff,
                invoice_no="",
            )
        assigned = StaffAssignment.objects.filter(contract=first).values("staff_id")
        current = (
            StaffMember.objects.filter(
                agency=ctx.agency, spells__exit_date__isnull=True, spells__hire_date__lt=first.start
            )
            .exclude(pk__in=assigned)
            .first()
        )
        if current is not None:
            add(
                first,
                personnel,
                _workday(dt.date(year, 3, 10)),
                "3650.00",
                current.name,
                "3月工资",
                staff=current,
                invoice_no="",
            )
    # PERSONNEL_CAP: the first contract caps personnel at 40 % of its total.
    first.policy = {**(first.policy or {}), "personnel_cap_pct": "40"}
    first.save(update_fields=["policy"])
    # LINE_OVERSPEND, TRANSFER_LIMIT, SPENDING_SURGE (and CONTRACT_OVERSPEND): a big year-end purchase.
    big = (second.total * Decimal("0.3")).quantize(Decimal("0.01")) + Decimal("0.37")
    add(
        second,
        _line(second, "activities"),
        _workday(second.end - dt.timedelta(days=10)),
        str(big),
        "赣州会展公司",
        "年终大型活动",
    )
    # ADMIN_CAP: administration well above its 10 % share.
    admin = third.budget_lines.filter(category="admin").first()
    if admin is not None:
        add(
            third,
            admin,
            _workday(dt.date(year, 11, 3)),
            str((third.total * Decimal("0.06")).quantize(Decimal("0.01")) + Decimal("0.41")),
            "物业公司",
            "办公室租金",
        )
    # BENFORD: 520 small amounts that all start with 1.
    benford_line = _line(third, "materials", "activities")
    for i in range(520):
        day = _workday(third.start + dt.timedelta(days=(i * 300) // 520))
        add(third, benford_line, day, f"{10 + (i % 90) / 10:.2f}", f"小额商户{i:03d}", "零星物资")

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
