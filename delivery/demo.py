"""Demo delivery data: targets for every demo contract, its service activities so far, and one
planted example of every delivery rule of docs/rules.md (then a scan raises their flags).

Runs after the finance seeder (``ctx.shared["contracts"]``, ``ctx.shared["closed_contract"]``,
``ctx.shared["outsider_contract"]``). Regular activities are generated only on days their
worker is employed, assigned to the contract and not in a full day of training, at most two a
day, each case seen several times: so the planted records below are the only ones the rules
find. On the current contracts every activity lies in the data window of core/demo.py
(1 January to the end of last month; in January, to yesterday), in number the targets' share of
the year the window covers, so progress is on track "as expected by now". The planted examples
are placed at fixed fractions of the window on distinct working days (in a January window of a
few days they crowd together, each still on its own day while there are working days enough;
on 1 January itself they share that one day). The end-of-contract surge needs a contract that
has ended: it is planted on last year's closed contract, in its last weeks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import numpy as np
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


def _regular(ctx, builder: _Builder, targets: dict, workers: list, skip: set, last: dt.date) -> None:
    """Ordinary work up to ``last``: visits, casework (each case seen 3–5 times), groups and
    support hours, as many as the targets' share of the year to ``last``."""
    rng = ctx.rng
    contract = builder.contract
    share = ((last - contract.start).days + 1) / contract.period_days
    staff_ids = [w.pk for w in workers]
    from finance.models import StaffAssignment
    from staff.models import EmploymentSpell

    employed = _spans(staff_ids, EmploymentSpell, "hire_date", "exit_date")
    assigned = _spans(staff_ids, StaffAssignment, "start", "end", contract=contract)
    days = [contract.start + dt.timedelta(days=i) for i in range((last - contract.start).days + 1)]
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

    def pick(worker, avoid=()):
        for _attempt in range(20):
            day = rng.choice(usable[worker.pk])
            if busy[(worker.pk, day)] < 2 and day not in avoid:
                busy[(worker.pk, day)] += 1
                return day
        return None

    workers = [w for w in workers if usable[w.pk]]
    if not workers:
        return
    for i in range(int(targets["HV"].quantity * 0.9 * share)):
        worker = rng.choice(workers)
        if i == 0:  # a contract's first record is its first worker's, whatever the date
            worker = workers[0]
        day = pick(worker)
        if day:
            builder.add(targets["HV"], worker, day, rng.choice([45, 60, 60, 90]), place=rng.choice(PLACES),
                        note=rng.choice(NOTES["HV"]))  # fmt: skip
    for number in range(1, int(targets["CS"].quantity * 0.9 * share) + 1):
        worker = rng.choice(workers)
        case = f"{builder.prefix}-C-{number:03d}"
        seen: set[dt.date] = set()  # a case is seen once a day: two visits could look duplicated
        for _visit in range(rng.randint(3, 5)):
            day = pick(worker, seen)
            if day:
                seen.add(day)
                builder.add(targets["CS"], worker, day, rng.choice([60, 75, 90, 120]), case=case,
                            place=rng.choice(PLACES), note=rng.choice(NOTES["CS"]))  # fmt: skip
    for _i in range(round(30 * share)):
        worker = rng.choice(workers)
        day = pick(worker)
        if day:
            builder.add(targets["GP"], worker, day, 90, participants=rng.randint(10, 26), place="村小活动室",
                        note=rng.choice(NOTES["GP"]))  # fmt: skip
    for _i in range(int(targets["HR"].quantity * 0.9 * share)):
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


#: The planted examples that need a day of their own, and where in a year they fall.
PLANT_AT = {
    "training": (4, 22),
    "duplicate": (5, 14),
    "unassigned": (6, 17),
    "overload": (9, 9),
    "thin": (11, 3),
}


def plant_days(start: dt.date, end: dt.date) -> dict[str, dt.date]:
    """A distinct working day of the window for each planted example, at its point of a year
    (core.demo_window.window_day), moved on to the next free working day (back from the window's end);
    the window's days in turn when it has too few working days."""
    from core.demo_window import window_day

    every = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    workdays = [d for d in every if d.weekday() < 5] or every
    taken: dict[str, dt.date] = {}
    for kind, (month, day) in PLANT_AT.items():
        wanted = window_day(start, end, month, day)
        free = [d for d in workdays if d not in taken.values()] or workdays
        taken[kind] = next((d for d in free if d >= wanted), free[-1])
    return taken


def _plant(ctx, builder: _Builder, other: _Builder, targets: dict, other_targets: dict, worker, days: dict):
    """One example of every delivery rule but the surge, in the first contract (the auditor's)
    but the overload's second half, in the second contract; all in the data window."""
    from finance.models import StaffAssignment
    from staff.models import EmploymentSpell
    from training.models import RecordSource, RecordStatus, TrainingRecord

    contract = builder.contract
    start, last = ctx.window_start, ctx.window_end
    # ACTIVITY_OUTSIDE_PERIOD: a visit of last December entered on this year's contract.
    builder.add(targets["HV"], worker, contract.start - dt.timedelta(days=5), 60, place="大塘埠镇",
                note="入户探访（上年度记录误记入本项目）")  # fmt: skip
    # ACTIVITY_STAFF_NOT_EMPLOYED: a visit recorded for someone who had left (the latest to leave
    # before the window's end who never came back), ten days after, within the window.
    leaver_spell = (
        EmploymentSpell.objects.filter(agency=contract.agency, exit_date__lt=last)
        .exclude(staff__spells__exit_date__isnull=True)
        .order_by("-exit_date")
        .first()
    )
    if leaver_spell is not None:
        exit_date = leaver_spell.exit_date
        visit = min(last, max(start, exit_date + dt.timedelta(days=10)))
        builder.add(targets["HV"], leaver_spell.staff, visit, 60, place="古陂镇", note="入户探访")
    # ACTIVITY_UNASSIGNED: a current colleague with no assignment to this contract.
    assigned_ids = set(StaffAssignment.objects.filter(contract=contract).values_list("staff_id", flat=True))
    outsider_worker = next(
        (m for m in ctx.shared.get("staff_members", []) if m.pk not in assigned_ids and m.pk != worker.pk),
        None,
    )
    if outsider_worker is not None and assigned_ids:
        builder.add(targets["HV"], outsider_worker, days["unassigned"], 60, place="小河镇", note="入户探访")
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
    # THIN_CASES: ten children "served" with one 20-minute phone call each, on one day.
    for number in range(1, 11):
        builder.add(targets["CS"], worker, days["thin"], 20, case=f"{builder.prefix}-T-{number:03d}",
                    place="西牛镇", note="电话回访")  # fmt: skip


def _plant_surge(builder: _Builder, worker, skip: set) -> None:
    """TARGET_SURGE on last year's closed contract: a publicity target caught up in the last
    month, 9 of its 12 events in December (on days free of the worker's full-day training)."""
    contract = builder.contract
    publicity = target_create(
        contract=contract,
        spec=TargetSpec("PR", "儿童保护宣传活动", "activities", 24),
        source="file",
        record=False,
    )

    def free(day: dt.date) -> dt.date:
        while (worker.pk, day) in skip or day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return day

    year = contract.start.year
    for month in (3, 6, 9):
        builder.add(publicity, worker, free(dt.date(year, month, 12)), 120, participants=40, place="乡镇集市",
                    note="儿童保护宣传")  # fmt: skip
    for i in range(9):
        builder.add(publicity, worker, free(contract.end - dt.timedelta(days=2 + 3 * i)), 120, participants=35,
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
    closed = ctx.shared.get("closed_contract")
    recorded_by = ctx.users.get("director")
    year = contracts[0].start.year
    training_days = _full_training_days(ctx.agency, year) | _full_training_days(ctx.agency, year - 1)
    staff_member = ctx.shared.get("staff_member")
    first_assigned = StaffAssignment.objects.filter(contract=contracts[0]).select_related("staff").first()
    planter = first_assigned.staff if first_assigned else staff_member
    days = plant_days(ctx.window_start, ctx.window_end)
    # The planted examples' days stay free of the planter's ordinary work: each is found once.
    skip = training_days | {(planter.pk, day) for day in days.values()} if planter else training_days
    builders = []
    for index, contract in enumerate([*contracts, *([closed] if closed is not None else [])]):
        targets = _targets(contract, Decimal("1" if contract is closed else ["1", "0.5"][index % 2]))
        workers = [a.staff for a in StaffAssignment.objects.filter(contract=contract).select_related("staff")]
        if index == 0 and staff_member is not None and staff_member not in workers:
            # The demo staff login works on the first contract, so "my records" has this year in it.
            assignment_create(contract=contract, staff=staff_member, start=contract.start, end=contract.end,
                              fte=Decimal("0.50"))  # fmt: skip
            workers.append(staff_member)
        builder = _Builder(contract, f"{contract.code.rsplit('-', 1)[-1]}{index + 1}", recorded_by)
        last = min(contract.end, ctx.window_end)
        _regular(ctx, builder, targets, workers, training_days if contract is closed else skip, last)
        builders.append((builder, targets, workers))
    first, first_targets, _w = builders[0]
    second, second_targets, _w = builders[1] if len(builders) > 1 else builders[0]
    if planter is not None:
        _plant(ctx, first, second, first_targets, second_targets, planter, days)
    if closed is not None and builders[-1][2]:
        _plant_surge(builders[-1][0], builders[-1][2][0], training_days)
    for builder, *_rest in builders:
        bulk_create_with_history(builder.rows, ServiceActivity, batch_size=2000, default_user=recorded_by)
    outsider = ctx.shared.get("outsider_contract")
    outsider_staff = list(ctx.shared.get("outsider_staff") or [])[:1]
    if outsider is not None and outsider_staff:
        targets = _targets(outsider, Decimal("0.3"))
        builder = _Builder(outsider, "AY", ctx.users.get("outsider"))
        for i in range(20):
            day = outsider.start + dt.timedelta(days=7 * i + 3)
            if day <= ctx.window_end:
                builder.add(targets["HV"], outsider_staff[0], day, 60, place="安远县", note="入户探访")
        bulk_create_with_history(builder.rows, ServiceActivity, batch_size=2000)
    for builder, *_rest in builders:
        flags_scan_contract(contract=builder.contract)
    ctx.log(
        f"delivery: {Target.objects.filter(agency=ctx.agency).count()} targets, "
        f"{ServiceActivity.objects.filter(agency=ctx.agency).count()} service activities"
    )


# --- the large data set -----------------------------------------------------------------------

#: Service activities of the large data set at full scale (one for every five ledger rows).
LARGE_ACTIVITIES_PER_EXPENDITURE = 5
#: Service workers added to each large contract beside the staff its ledger pays (at most), so
#: that the work is spread as in a real agency: about one activity a person a workday.
LARGE_EXTRA_WORKERS = 40
#: No generated person-day holds more minutes than this, in all contracts (the overload rule's
#: default is 600): the large set's findings are its real examples, not the generator's noise.
LARGE_DAY_MINUTES = 360


def _employment(ctx, ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """Staff id → (hire, exit) ordinals of each of their spells, for ``ids`` (the large staff)."""
    staff = ctx.shared.get("large_staff")
    if staff is None:
        return {}
    position = {staff_id: i for i, staff_id in enumerate(staff.ids)}
    wanted = {position[i]: i for i in ids if i in position}
    spells: dict[int, list[tuple[int, int]]] = {}
    for k in np.flatnonzero(np.isin(staff.spell_staff, list(wanted))).tolist():
        spells.setdefault(wanted[int(staff.spell_staff[k])], []).append(
            (int(staff.spell_hire[k]), int(staff.spell_exit[k]))
        )
    return spells


def _extra_workers(ctx, contract, base: list[int], taken: set[int], count: int) -> list[int]:
    """Up to ``count`` people with one spell covering the whole contract period, not among
    ``base`` and not yet serving a contract of the same period (``taken``)."""
    staff = ctx.shared.get("large_staff")
    if staff is None or count <= 0:
        return []
    whole = (staff.spell_hire <= contract.start.toordinal()) & (staff.spell_exit >= contract.end.toordinal())
    ids = sorted({staff.ids[int(i)] for i in staff.spell_staff[whole]})
    candidates = [i for i in ids if i not in taken and i not in base]
    return sorted(ctx.rng.sample(candidates, min(count, len(candidates))))


def seed_large(ctx) -> None:
    """Targets for every contract of the large agency and its service activities (200,000 at full
    scale), written without history.

    Each contract's activities are spread over the staff its ledger pays and up to
    ``LARGE_EXTRA_WORKERS`` more people assigned for the contract year, on workdays, never on a
    day of six hours of approved training and never above ``LARGE_DAY_MINUTES`` a person a day in
    all contracts, so the delivery rules find in it only what a real agency's records would show.
    """
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
    busy: dict[tuple[int, dt.date], int] = {}  # minutes per person and day, all contracts
    taken: dict[tuple[dt.date, dt.date], set[int]] = {}  # extra workers per contract period
    training: dict[int, set] = {}  # year → (staff_id, day) of full training days
    for k, contract in enumerate(contracts):
        targets = _targets(contract, Decimal(per_contract) / 800)
        workers = sorted(
            set(StaffAssignment.objects.filter(contract=contract).values_list("staff_id", flat=True))
        )
        if not workers:
            continue
        period = taken.setdefault((contract.start, contract.end), set())
        extra = _extra_workers(ctx, contract, workers, period, min(LARGE_EXTRA_WORKERS, per_contract // 250))
        period.update(extra)
        write_rows(
            StaffAssignment,
            ["agency", "contract", "staff", "start", "end", "fte"],
            ((ctx.agency.pk, contract.pk, i, contract.start, contract.end, Decimal("0.50")) for i in extra),
        )
        workers += extra
        for year in range(contract.start.year, contract.end.year + 1):
            if year not in training:
                training[year] = _full_training_days(ctx.agency, year)
        workdays = [
            contract.start + dt.timedelta(days=i)
            for i in range(contract.period_days)
            if (contract.start + dt.timedelta(days=i)).weekday() < 5
            and contract.start + dt.timedelta(days=i) <= ctx.window_end
        ] or [min(contract.end, ctx.window_end)]
        cases = max(10, per_contract // 16)
        plan = [("HV", 0.45), ("CS", 0.3), ("GP", 0.05), ("HR", 0.2)]

        spells = _employment(ctx, workers)
        used: set[tuple] = set()  # (person, day, target, case, minutes) of the case activities

        def fits(worker, day, minutes, key, spells=spells, used=used) -> bool:
            employed = worker not in spells or any(h <= day.toordinal() <= e for h, e in spells[worker])
            return (
                employed
                and (worker, day) not in training[day.year]
                and busy.get((worker, day), 0) + minutes <= LARGE_DAY_MINUTES
                and (key is None or (worker, day, *key) not in used)
            )

        def place(minutes: int, key, workers=workers, workdays=workdays, fits=fits) -> tuple[int, dt.date]:
            """A person and workday with room for ``minutes`` more, employed that day, not in
            training and not already holding the same case activity (``key``): a few random
            tries, then the least busy such pair in order (the least busy of all if none)."""
            for _try in range(20):
                worker, day = rng.choice(workers), rng.choice(workdays)
                if fits(worker, day, minutes, key):
                    return worker, day
            free = [
                (busy.get((w, d), 0), w, d) for d in workdays for w in workers if fits(w, d, minutes, key)
            ]
            _minutes, worker, day = min(free) if free else (0, workers[0], workdays[0])
            return worker, day

        def rows(contract=contract, targets=targets, cases=cases, plan=plan, k=k, place=place, used=used):
            n = 0
            for code, share in plan:
                target = targets[code]
                for _i in range(int(per_contract * share)):
                    n += 1
                    case = f"P{k:02d}-C-{rng.randrange(cases):05d}" if code == "CS" else ""
                    minutes = rng.choice([30, 45, 60, 90]) if code != "GP" else 90
                    key = (target.pk, case, minutes) if case else None
                    worker, day = place(minutes, key)
                    busy[(worker, day)] = busy.get((worker, day), 0) + minutes
                    if key:
                        used.add((worker, day, *key))
                    yield (
                        ctx.agency.pk, contract.pk, f"PA-{n:07d}", day, worker,
                        target.pk, minutes, case,
                        rng.randint(8, 30) if code == "GP" else 1, rng.choice(PLACES),
                        rng.choice(NOTES[code]), ServiceActivity.Source.IMPORT.value, created,
                    )  # fmt: skip

        written += write_rows(ServiceActivity, fields, rows())
    ctx.log(f"large: {written:,} service activities under {len(contracts)} contracts")
