"""Demo delivery data: targets for every demo contract, a year of service activities, and one
planted example of every delivery rule of docs/rules.md (then a scan raises their flags).

Runs after the finance seeder (``ctx.shared["contracts"]``, ``ctx.shared["outsider_contract"]``).
Regular activities are generated only on days their worker is employed, assigned to the contract
and not in a full day of training, at most two a day, each case seen several times: so the
planted records below are the only ones the rules find.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from simple_history.utils import bulk_create_with_history

from delivery.models import ServiceActivity, Target
from delivery.services import TargetSpec, target_create

TARGETS = [
    # code, name, measure, quantity
    ("HV", "入户探访", "activities", 300),
    ("CS", "困境儿童个案服务", "cases", 40),
    ("GP", "儿童成长小组", "participants", 600),
    ("HR", "心理支持服务时数", "hours", 300),
]
PLACES = ["大塘埠镇", "古陂镇", "小河镇", "西牛镇", "正平镇", "虎山乡", "崇仙乡", "万隆乡"]
NOTES = {
    "HV": ["入户了解孩子生活与学习情况", "与监护人沟通照护安排", "送学习用品并跟进近况"],
    "CS": ["个案面谈，跟进服务计划", "链接学校资源，约谈班主任", "家庭会议，调整照护方案"],
    "GP": ["成长小组活动：情绪认知", "小组活动：安全自护", "小组活动：亲子沟通"],
    "HR": ["一对一心理支持", "哀伤辅导", "沙盘游戏辅导"],
}


def _spans(
    staff_ids, model, start_field, end_field, **filters
) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
    spans = defaultdict(list)
    for staff_id, start, end in model.objects.filter(staff_id__in=staff_ids, **filters).values_list(
        "staff_id", start_field, end_field
    ):
        spans[staff_id].append((start, end))
    return spans


def _inside(day: dt.date, spans) -> bool:
    return any(start <= day and (end is None or end >= day) for start, end in spans)


class _Builder:
    """Collects a contract's activities with numbers, and the minutes per person and day."""

    def __init__(self, contract, prefix: str, recorded_by) -> None:
        self.contract = contract
        self.prefix = prefix
        self.recorded_by = recorded_by
        self.rows: list[ServiceActivity] = []
        self.day_minutes: dict[tuple[int, dt.date], int] = defaultdict(int)

    def add(self, target, staff, day, minutes, case="", participants=1, place="", note="") -> ServiceActivity:
        activity = ServiceActivity(
            agency_id=self.contract.agency_id,
            contract=self.contract,
            target=target,
            staff=staff,
            activity_no=f"{self.prefix}-{len(self.rows) + 1:05d}",
            date=day,
            duration_minutes=minutes,
            case_code=case,
            participants=participants,
            location=place,
            note=note,
            source=ServiceActivity.Source.IMPORT,
            recorded_by=self.recorded_by,
        )
        self.rows.append(activity)
        self.day_minutes[(staff.pk, day)] += minutes
        return activity


def _regular(ctx, builder: _Builder, targets: dict, workers: list, skip: set) -> None:
    """A year of ordinary work: visits, casework (each case seen 3–5 times), groups, support hours."""
    rng = ctx.rng
    contract = builder.contract
    staff_ids = [w.pk for w in workers]
    from finance.models import StaffAssignment
    from staff.models import EmploymentSpell

    employed = _spans(staff_ids, EmploymentSpell, "hire_date", "exit_date")
    assigned = _spans(staff_ids, StaffAssignment, "start", "end", contract=contract)
    days = [contract.start + dt.timedelta(days=i) for i in range(contract.period_days)]
    workdays = [d for d in days if d.weekday() < 5]
    # The last 30 days are as busy as any other month: no surge but the planted one.
    usable = defaultdict(list)
    for worker in workers:
        for day in workdays:
            if (
                _inside(day, employed[worker.pk])
                and (not assigned or _inside(day, assigned[worker.pk]))
                and (worker.pk, day) not in skip
            ):
                usable[worker.pk].append(day)
    busy: dict[tuple[int, dt.date], int] = defaultdict(int)

    def pick(worker):
        for _attempt in range(20):
            day = rng.choice(usable[worker.pk])
            if busy[(worker.pk, day)] < 2:
                busy[(worker.pk, day)] += 1
                return day
        return None

    workers = [w for w in workers if usable[w.pk]]
    if not workers:
        return
    for _i in range(int(targets["HV"].quantity * 0.9)):
        worker = rng.choice(workers)
        day = pick(worker)
        if day:
            builder.add(targets["HV"], worker, day, rng.choice([45, 60, 60, 90]), place=rng.choice(PLACES),
                        note=rng.choice(NOTES["HV"]))  # fmt: skip
    for number in range(1, int(targets["CS"].quantity * 0.9) + 1):
        worker = rng.choice(workers)
        case = f"{builder.prefix}-C-{number:03d}"
        for _visit in range(rng.randint(3, 5)):
            day = pick(worker)
            if day:
                builder.add(targets["CS"], worker, day, rng.choice([60, 75, 90, 120]), case=case,
                            place=rng.choice(PLACES), note=rng.choice(NOTES["CS"]))  # fmt: skip
    for _i in range(30):
        worker = rng.choice(workers)
        day = pick(worker)
        if day:
            builder.add(targets["GP"], worker, day, 90, participants=rng.randint(8, 25), place="村小活动室",
                        note=rng.choice(NOTES["GP"]))  # fmt: skip
    for _i in range(int(targets["HR"].quantity * 0.9)):
        worker = rng.choice(workers)
        day = pick(worker)
        if day:
            builder.add(
                targets["HR"], worker, day, 60, place=rng.choice(PLACES), note=rng.choice(NOTES["HR"])
            )


def _full_training_days(agency, year: int, hours: Decimal = Decimal("6")) -> set[tuple[int, dt.date]]:
    from training.models import RecordStatus, TrainingRecord

    rows = (
        TrainingRecord.objects.filter(agency=agency, status=RecordStatus.APPROVED, date__year=year)
        .values("staff_id", "date")
        .annotate(total=Sum("hours"))
    )
    return {(r["staff_id"], r["date"]) for r in rows if r["total"] >= hours}


def _plant_days(year: int) -> dict[str, dt.date]:
    return {
        "overload": dt.date(year, 9, 9),
        "training": dt.date(year, 4, 22),
        "duplicate": dt.date(year, 5, 14),
    }


def _plant(ctx, builder: _Builder, other: _Builder, targets: dict, other_targets: dict, worker):
    """One example of every delivery rule, in the first contract (the auditor's) but the overload's
    second half, in the second contract."""
    from finance.models import StaffAssignment
    from staff.models import EmploymentSpell
    from training.models import RecordSource, RecordStatus, TrainingRecord

    contract = builder.contract
    year = contract.start.year
    days = _plant_days(year)
    # ACTIVITY_OUTSIDE_PERIOD: a visit dated after the contract ended.
    builder.add(targets["HV"], worker, contract.end + dt.timedelta(days=5), 60, place="大塘埠镇",
                note="入户探访（跨年补记）")  # fmt: skip
    # ACTIVITY_STAFF_NOT_EMPLOYED: a visit recorded for someone who had left.
    leaver_spell = (
        EmploymentSpell.objects.filter(
            agency=contract.agency, exit_date__gte=contract.start, exit_date__lt=contract.end
        )
        .exclude(staff__spells__exit_date__isnull=True)
        .order_by("exit_date")
        .first()
    )
    if leaver_spell is not None:
        builder.add(targets["HV"], leaver_spell.staff, leaver_spell.exit_date + dt.timedelta(days=10), 60,
                    place="古陂镇", note="入户探访")  # fmt: skip
    # ACTIVITY_UNASSIGNED: a current colleague with no assignment to this contract.
    assigned_ids = set(StaffAssignment.objects.filter(contract=contract).values_list("staff_id", flat=True))
    outsider_worker = next(
        (m for m in ctx.shared.get("staff_members", []) if m.pk not in assigned_ids and m.pk != worker.pk),
        None,
    )
    if outsider_worker is not None and assigned_ids:
        builder.add(targets["HV"], outsider_worker, dt.date(year, 6, 17), 60, place="小河镇", note="入户探访")
    # ACTIVITY_OVERLOAD: one day of 360 minutes here and 300 minutes in the second contract.
    day = days["overload"]
    builder.add(targets["HR"], worker, day, 180, place="正平镇", note="一对一心理支持")
    builder.add(targets["HR"], worker, day, 180, place="正平镇", note="哀伤辅导")
    other.add(other_targets["HV"], worker, day, 300, place="虎山乡", note="入户探访")
    # ACTIVITY_DURING_TRAINING: a visit on a day of six hours of approved training.
    training_day = days["training"]
    TrainingRecord.objects.create(
        agency=contract.agency, staff=worker, date=training_day, title="儿童保护个案管理实务培训（全天）",
        hours=Decimal("6.0"), provider="赣州市社工协会", ce_eligible=True, source=RecordSource.ENTRY,
        status=RecordStatus.APPROVED,
    )  # fmt: skip
    builder.add(targets["HV"], worker, training_day, 60, place="万隆乡", note="入户探访")
    # DUPLICATE_ACTIVITY: the same casework visit entered twice.
    for _copy in range(2):
        builder.add(targets["CS"], worker, days["duplicate"], 90, case=f"{builder.prefix}-C-001",
                    place="崇仙乡", note="个案面谈，跟进服务计划")  # fmt: skip
    # THIN_CASES: ten children "served" with one 20-minute contact each.
    for number in range(1, 11):
        builder.add(targets["CS"], worker, dt.date(year, 11, 3) + dt.timedelta(days=number % 5), 20,
                    case=f"{builder.prefix}-T-{number:03d}", place="西牛镇", note="电话回访")  # fmt: skip
    # TARGET_SURGE: a publicity target caught up in the last month: 9 of 12 events in December.
    publicity = target_create(
        contract=contract,
        spec=TargetSpec("PR", "儿童保护宣传活动", "activities", 24),
        source="file",
        record=False,
    )
    for month in (3, 6, 9):
        builder.add(publicity, worker, dt.date(year, month, 12), 120, participants=40, place="乡镇集市",
                    note="儿童保护宣传")  # fmt: skip
    for i in range(9):
        builder.add(publicity, worker, contract.end - dt.timedelta(days=2 + 3 * i), 120, participants=35,
                    place="村委会", note="儿童保护宣传")  # fmt: skip


def _targets(contract, scale: Decimal) -> dict[str, Target]:
    return {
        code: target_create(
            contract=contract,
            spec=TargetSpec(code, name, measure, max(1, int(quantity * scale))),
            source="file",
            record=False,
        )
        for code, name, measure, quantity in TARGETS
    }


def seed(ctx) -> None:
    from finance.flags.services import flags_scan_contract
    from finance.models import StaffAssignment
    from finance.services import assignment_create

    contracts = list(ctx.shared.get("contracts", []))
    if not contracts:
        return
    recorded_by = ctx.users.get("director")
    year = contracts[0].start.year
    training_days = _full_training_days(ctx.agency, year)
    staff_member = ctx.shared.get("staff_member")
    first_assigned = StaffAssignment.objects.filter(contract=contracts[0]).select_related("staff").first()
    planter = first_assigned.staff if first_assigned else staff_member
    # The planted examples' days stay free of the planter's ordinary work: each is found once.
    skip = (
        training_days | {(planter.pk, day) for day in _plant_days(year).values()}
        if planter
        else training_days
    )
    builders = []
    all_targets = []
    for index, contract in enumerate(contracts):
        targets = _targets(contract, Decimal(["1", "0.6", "0.5"][index % 3]))
        workers = [a.staff for a in StaffAssignment.objects.filter(contract=contract).select_related("staff")]
        if index == 0 and staff_member is not None and staff_member not in workers:
            # The demo staff login works on the first contract, so "my records" has a year in it.
            assignment_create(contract=contract, staff=staff_member, start=contract.start, end=contract.end,
                              fte=Decimal("0.50"))  # fmt: skip
            workers.append(staff_member)
        builder = _Builder(contract, f"{contract.code.rsplit('-', 1)[-1]}{index + 1}", recorded_by)
        _regular(ctx, builder, targets, workers, skip)
        builders.append((builder, targets, workers))
        all_targets.append(targets)
    first, first_targets, _w = builders[0]
    second, second_targets, _w = builders[1] if len(builders) > 1 else builders[0]
    if planter is not None:
        _plant(ctx, first, second, first_targets, second_targets, planter)
    for builder, *_rest in builders:
        bulk_create_with_history(builder.rows, ServiceActivity, batch_size=2000, default_user=recorded_by)
    outsider = ctx.shared.get("outsider_contract")
    outsider_staff = list(ctx.shared.get("outsider_staff") or [])[:1]
    if outsider is not None and outsider_staff:
        targets = _targets(outsider, Decimal("0.3"))
        builder = _Builder(outsider, "AY", ctx.users.get("outsider"))
        for i in range(20):
            builder.add(targets["HV"], outsider_staff[0], outsider.start + dt.timedelta(days=7 * i + 3), 60,
                        place="安远县", note="入户探访")  # fmt: skip
        bulk_create_with_history(builder.rows, ServiceActivity, batch_size=2000)
    for contract in contracts:
        flags_scan_contract(contract=contract)
    ctx.log(
        f"delivery: {Target.objects.filter(agency=ctx.agency).count()} targets, "
        f"{ServiceActivity.objects.filter(agency=ctx.agency).count()} service activities"
    )


# --- the large data set -----------------------------------------------------------------------

#: Service activities of the large data set at full scale (one for every five ledger rows).
LARGE_ACTIVITIES_PER_EXPENDITURE = 5


def seed_large(ctx) -> None:
    """Targets for every contract of the large agency and its service activities (200,000 at full
    scale), spread over each contract's assigned staff and workdays; written without history."""
    import random

    from core.demo import write_rows
    from finance.models import Contract, StaffAssignment

    rng: random.Random = ctx.rng
    contracts = list(Contract.objects.filter(agency=ctx.agency).order_by("start", "code"))
    if not contracts:
        return
    total = max(len(contracts) * 20, ctx.counts["expenditures"] // LARGE_ACTIVITIES_PER_EXPENDITURE)
    per_contract = total // len(contracts)
    fields = [
        "agency", "contract", "activity_no", "date", "staff", "target", "duration_minutes", "case_code",
        "participants", "location", "note", "source", "created_at",
    ]  # fmt: skip
    from django.utils import timezone

    created = timezone.now()
    written = 0
    for k, contract in enumerate(contracts):
        targets = _targets(contract, Decimal(per_contract) / 800)
        workers = list(
            StaffAssignment.objects.filter(contract=contract).values_list("staff_id", flat=True).distinct()
        )
        if not workers:
            continue
        workdays = [
            contract.start + dt.timedelta(days=i)
            for i in range(contract.period_days)
            if (contract.start + dt.timedelta(days=i)).weekday() < 5
        ]
        cases = max(10, per_contract // 16)
        plan = [("HV", 0.45), ("CS", 0.3), ("GP", 0.05), ("HR", 0.2)]

        def rows(
            contract=contract,
            targets=targets,
            workers=workers,
            workdays=workdays,
            cases=cases,
            plan=plan,
            k=k,
        ):
            n = 0
            for code, share in plan:
                target = targets[code]
                for _i in range(int(per_contract * share)):
                    n += 1
                    case = f"P{k:02d}-C-{rng.randrange(cases):05d}" if code == "CS" else ""
                    yield (
                        ctx.agency.pk, contract.pk, f"PA-{n:07d}", rng.choice(workdays), rng.choice(workers),
                        target.pk, rng.choice([30, 45, 60, 90]) if code != "GP" else 90, case,
                        rng.randint(8, 30) if code == "GP" else 1, rng.choice(PLACES),
                        rng.choice(NOTES[code]), ServiceActivity.Source.IMPORT.value, created,
                    )  # fmt: skip

        written += write_rows(ServiceActivity, fields, rows())
    ctx.log(f"large: {written:,} service activities under {len(contracts)} contracts")
