"""Demo training data: 18 months of events and attendance, external submissions (some
pending), and certified people in every continuing-education status.

Every record is dated by the end of the demo's data window (core/demo.py: the last day of the
previous month; in January, yesterday): the current month's training is still to come.

``seed_large(ctx)`` writes the large data set's ``ctx.counts["training_records"]`` records in
bulk over ``ctx.shared["large_staff"]`` (staff/demo.py): half attendance of about one event per
hundred records, half submitted or imported online courses, one record per person, date and
title.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.demo import BATCH, CITIES, write_rows
from staff.demo import LARGE_YEARS
from staff.models import EmploymentSpell, Qualification, StaffMember
from training import services
from training.compliance import compliance_rows
from training.models import (
    Delivery,
    RecordSource,
    RecordStatus,
    TrainingCategory,
    TrainingEvent,
    TrainingPolicy,
    TrainingRecord,
)

EVENT_TITLES = [
    ("儿童保护个案管理实务", TrainingCategory.CHILD_PROTECTION, Delivery.INTERNAL, "中心督导团队"),
    ("困境儿童家庭走访与风险评估", TrainingCategory.CHILD_PROTECTION, Delivery.EXTERNAL, "赣州市民政局"),
    ("社会工作伦理与保密", TrainingCategory.ETHICS, Delivery.INTERNAL, "中心督导团队"),
    ("未成年人保护法解读", TrainingCategory.POLICY, Delivery.EXTERNAL, "信丰县司法局"),
    ("小组工作技巧工作坊", TrainingCategory.PRACTICE, Delivery.EXTERNAL, "江西省社会工作协会"),
    ("项目管理与绩效评估", TrainingCategory.MANAGEMENT, Delivery.EXTERNAL, "江西师范大学"),
    ("同伴督导与个案研讨", TrainingCategory.SUPERVISION, Delivery.INTERNAL, "中心督导团队"),
    ("压力管理与自我照顾", TrainingCategory.SELF_CARE, Delivery.INTERNAL, "中心督导团队"),
]
HOURS = [Decimal("3"), Decimal("6"), Decimal("6"), Decimal("12"), Decimal("4"), Decimal("8")]


def _employed_on(spells: dict[int, list], staff_id: int, day: dt.date) -> bool:
    return any(h <= day and (e is None or e >= day) for h, e in spells.get(staff_id, []))


def _seed_agency(ctx, agency, director, months: int, per_month: int, caps=None) -> list[TrainingRecord]:
    """Monthly events with attendance; ``caps`` maps staff id → (cycle_start, cycle_end, max
    hours in that cycle) for people the demo keeps short of their requirement."""
    rng = ctx.rng
    caps = caps or {}
    credited: dict[int, Decimal] = {}
    staff = list(StaffMember.objects.filter(agency=agency).order_by("staff_no"))
    spells: dict[int, list] = {}
    for staff_id, hire, exit_date in EmploymentSpell.objects.filter(agency=agency).values_list(
        "staff_id", "hire_date", "exit_date"
    ):
        spells.setdefault(staff_id, []).append((hire, exit_date))
    services.requirement_defaults_ensure(agency=agency)
    start = (ctx.today - relativedelta(months=months)).replace(day=1)
    records: list[TrainingRecord] = []
    day = start
    n = 0
    while day <= ctx.window_end:
        for _i in range(per_month):
            title, category, delivery, provider = EVENT_TITLES[n % len(EVENT_TITLES)]
            n += 1
            first = day + dt.timedelta(days=rng.randrange(0, 25))
            hours = rng.choice(HOURS)
            last = first + dt.timedelta(days=1 if hours >= 12 else 0)
            if last > ctx.window_end:
                continue
            event = services.event_create(
                agency=agency,
                user=director,
                title=f"{title}（{first:%Y年%m月}）",
                provider=provider,
                delivery=delivery,
                category=category,
                start_date=first,
                end_date=last,
                hours=hours,
                ce_eligible=category != TrainingCategory.SELF_CARE,
                location=f"{agency.name[:3]}社工站" if delivery == Delivery.INTERNAL else "赣州市",
                online=rng.random() < 0.2,
            )
            entries = []
            for member in staff:
                if not _employed_on(spells, member.pk, last) or rng.random() >= 0.6:
                    continue
                credit = hours if rng.random() < 0.85 else hours / 2
                cap = caps.get(member.pk)
                if cap and cap[0] < last <= cap[1]:
                    if credited.get(member.pk, Decimal("0")) + credit > cap[2]:
                        continue
                    credited[member.pk] = credited.get(member.pk, Decimal("0")) + credit
                entries.append((member, credit))
            if entries:
                records += services.attendance_record(event=event, entries=entries, user=director)
        day += relativedelta(months=1)
    return records


def _external(ctx, agency, member, *, title, date, hours, status, reviewer=None, note=""):
    record = TrainingRecord(
        agency=agency,
        staff=member,
        date=date,
        title=title,
        provider="江西省社会工作协会",
        category=TrainingCategory.PRACTICE,
        hours=hours,
        ce_eligible=True,
        source=RecordSource.SUBMISSION,
        status=status,
        submitted_by=member.user,
        reviewed_by=reviewer if status != RecordStatus.PENDING else None,
        reviewed_at=None,
        review_note=note,
    )
    record.full_clean(exclude=["evidence"])
    return record


def _plan_statuses(ctx, agency) -> dict[int, tuple]:
    """Choose who stays short so the certified staff show every status where certificates
    allow it: overdue needs a lapsed cycle, at risk one ending within 180 days. Returns the
    attendance caps for ``_seed_agency``."""
    rows = compliance_rows(agency, ctx.today)
    if len(rows) >= 4 and not any(r.days_to_cycle_end < 0 for r in rows):
        # No registration has lapsed: let one lapse last month so "overdue" can be shown.
        victim = rows[-1]
        Qualification.objects.filter(staff_id=victim.staff_id, cert_no=victim.cert_no).update(
            registration_expires=ctx.today - dt.timedelta(days=30)
        )
        ctx.log(f"training demo: registration of {victim.staff_no} set to have lapsed, to show 'overdue'")
        rows = compliance_rows(agency, ctx.today)
    lapsed = [r for r in rows if r.days_to_cycle_end < 0][:1]
    ending = [r for r in rows if 0 <= r.days_to_cycle_end <= 180][:2]
    later = [r for r in rows if r.days_to_cycle_end > 180]
    short = [*lapsed, *ending, *later[1::3]]
    return {r.staff_id: (r.cycle_start, r.cycle_end, r.required_hours / 2) for r in short}


def _top_up(ctx, agency, director, caps) -> None:
    """Everyone else certified whose cycle is still open reaches the requirement with an
    approved online course (the compliant people of the demo)."""
    extra: list[TrainingRecord] = []
    for row in compliance_rows(agency, ctx.today):
        if row.staff_id in caps or row.days_to_cycle_end < 0 or row.shortfall_hours == 0:
            continue
        if row.cycle_start > ctx.window_end:
            continue  # a cycle that began this month: nothing to catch up yet
        date = max(row.cycle_start, ctx.today - relativedelta(months=10))
        remaining = row.shortfall_hours
        j = 0
        while remaining > 0:
            hours = min(remaining, Decimal("60"))
            extra.append(
                TrainingRecord(
                    agency=agency,
                    staff_id=row.staff_id,
                    date=min(date + dt.timedelta(days=7 * j), ctx.window_end),
                    title=f"社会工作继续教育网络课程 第{j + 1}期",
                    provider="中国社会工作联合会继续教育平台",
                    category=TrainingCategory.PRACTICE,
                    hours=hours,
                    ce_eligible=True,
                    source=RecordSource.ENTRY,
                    status=RecordStatus.APPROVED,
                    submitted_by=director,
                    reviewed_by=director,
                )
            )
            remaining -= hours
            j += 1
    bulk_create_with_history(extra, TrainingRecord, default_user=director)


def seed(ctx) -> None:
    """Seed both demo agencies; safe with few or no staff (then only events are created)."""
    director = ctx.users.get("director")
    months = 18
    caps = _plan_statuses(ctx, ctx.agency)
    records = _seed_agency(
        ctx, ctx.agency, director, months=months, per_month=2 if ctx.size == "small" else 4, caps=caps
    )
    TrainingPolicy.objects.update_or_create(
        agency=ctx.agency, defaults={"annual_minimum_hours": Decimal("20")}
    )

    staff = list(StaffMember.objects.filter(agency=ctx.agency).select_related("user").order_by("staff_no"))
    by_user = {m.user.username: m for m in staff if m.user_id}
    reviewer = ctx.users.get("supervisor")
    submissions = []
    own = by_user.get("staff")
    others = [m for m in staff if m.user_id is None][:3]
    for k, member in enumerate([m for m in [own, *others] if m is not None]):
        submissions.append(
            _external(
                ctx,
                ctx.agency,
                member,
                title="农村留守儿童心理支持线上课程",
                date=ctx.window_end - dt.timedelta(days=12 + k),
                hours=Decimal("8"),
                status=RecordStatus.PENDING,
            )
        )
        if member.pk in caps:
            continue  # kept short on purpose: its pending hours do not count
        submissions.append(
            _external(
                ctx,
                ctx.agency,
                member,
                title="家庭社会工作高级研修班",
                date=ctx.window_end - dt.timedelta(days=160 + k),
                hours=Decimal("16"),
                status=RecordStatus.APPROVED,
                reviewer=reviewer or director,
            )
        )
    if own is not None:
        submissions.append(
            _external(
                ctx,
                ctx.agency,
                own,
                title="读书会（无证明）",
                date=ctx.window_end - dt.timedelta(days=40),
                hours=Decimal("2"),
                status=RecordStatus.REJECTED,
                reviewer=reviewer or director,
                note="请上传主办方出具的学时证明。",
            )
        )
    bulk_create_with_history(submissions, TrainingRecord, default_user=director)
    _top_up(ctx, ctx.agency, director, caps)

    outsider = ctx.users.get("outsider")
    outsider_records = _seed_agency(ctx, ctx.outsider_agency, outsider, months=4, per_month=1)
    ctx.log(
        f"training: {TrainingEvent.objects.filter(agency=ctx.agency).count()} events, "
        f"{len(records) + len(submissions)} records; outsider {len(outsider_records)} records"
    )


# ---- the large data set ---------------------------------------------------------------------

LARGE_COURSES = [
    ("儿童保护个案管理实务", "child_protection"),
    ("社会工作伦理与保密", "ethics"),
    ("未成年人保护法解读", "policy"),
    ("小组工作技巧", "practice"),
    ("项目管理与绩效评估", "management"),
    ("同伴督导与个案研讨", "supervision"),
    ("压力管理与自我照顾", "self_care"),
    ("社区工作方法", "practice"),
]
LARGE_PROVIDERS = [
    "江西省社会工作协会",
    "省民政厅培训中心",
    "江西师范大学",
    "南昌大学社会工作系",
    "机构督导团队",
]


def seed_large(ctx) -> None:
    """The large agency's training events and records (see the module docstring)."""
    rng, today, agency = ctx.rng, ctx.today, ctx.agency
    staff, n_records, director = (
        ctx.shared["large_staff"],
        ctx.counts["training_records"],
        ctx.users["director"],
    )
    services.requirement_defaults_ensure(agency=agency)
    TrainingPolicy.objects.update_or_create(agency=agency, defaults={"annual_minimum_hours": Decimal("20")})
    now = timezone.now()
    n_events = max(1, n_records // 100)
    first = dt.date(today.year - LARGE_YEARS + 1, 1, 1)
    span = (today - dt.timedelta(days=3) - first).days
    events = []
    for k in range(n_events):
        title, category = LARGE_COURSES[k % len(LARGE_COURSES)]
        start = first + dt.timedelta(days=rng.randrange(span))
        hours = Decimal(rng.choice([3, 4, 6, 6, 8, 12]))
        events.append(
            TrainingEvent(
                agency=agency,
                title=f"{title}（{start:%Y年%m月}第{k + 1}期）",
                provider=rng.choice(LARGE_PROVIDERS),
                delivery="internal" if k % 3 else "external",
                category=category,
                start_date=start,
                end_date=start + dt.timedelta(days=1 if hours >= 12 else 0),
                hours=hours,
                ce_eligible=category != "self_care",
                location=rng.choice(CITIES),
                created_by=director,
            )
        )
    events = TrainingEvent.objects.bulk_create(events, batch_size=BATCH)

    fields = [
        "agency", "staff", "event", "date", "title", "provider", "category", "hours", "ce_eligible",
        "source", "status", "evidence", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at",
        "review_note", "import_batch",
    ]  # fmt: skip
    per_event = n_records // 2 // n_events
    rows = []
    for event in events:
        employed = sorted(set(staff.employed_on(event.end_date.toordinal()).tolist()))
        chosen = rng.sample(employed, min(per_event, len(employed)))
        for i in chosen:
            credit = event.hours if rng.random() < 0.9 else event.hours / 2
            rows.append(
                (agency.pk, staff.ids[i], event.pk, event.end_date, event.title, event.provider,
                 event.category, credit, event.ce_eligible, "attendance", "approved", "",
                 director.pk if director else None, now, None, None, "", None)
            )  # fmt: skip
    attendance = len(rows)
    n_spells = len(staff.spell_staff)
    today_ord = today.toordinal()
    for k in range(n_records - attendance):
        s = rng.randrange(n_spells)
        hire, exit_ = int(staff.spell_hire[s]), min(int(staff.spell_exit[s]), today_ord)
        day = dt.date.fromordinal(rng.randint(hire, max(hire, exit_)))
        title, category = LARGE_COURSES[rng.randrange(len(LARGE_COURSES))]
        roll = rng.random()
        status = "approved" if roll < 0.95 else ("pending" if roll < 0.99 else "rejected")
        source = "import" if k % 4 else "submission"
        reviewed = status != "pending" and source == "submission"
        rows.append(
            (agency.pk, staff.ids[int(staff.spell_staff[s])], None, day, f"{title}（网络课程第{k + 1}讲）",
             rng.choice(LARGE_PROVIDERS), category, Decimal(rng.randrange(5, 160)) / 10, rng.random() < 0.93,
             source, status, "", director.pk if director else None, now,
             director.pk if reviewed and director else None, now if reviewed else None,
             "请补充学时证明。" if status == "rejected" else "", None)
        )  # fmt: skip
    write_rows(TrainingRecord, fields, rows)
    ctx.log(
        f"large: {n_events:,} training events, {len(rows):,} training records ({attendance:,} attendance)"
    )
