"""The performance data set of ``seed_demo --size large``, generated in bulk for every app.

``seed_large(ctx)`` fills a third agency, ``provincial`` (省级社工网络示范机构), with 5,000 staff
over 10 years, 200,000 training records, 100,000 supervision sessions, 20 contracts and
1,000,000 ledger rows (``scale`` multiplies the record counts; the tests use a tiny scale).
The small demo agency is left as it is, so its pages stay quick to try; the large agency has
its own logins (``prov_director``, ``prov_finance``, ``prov_supervisor``, ``prov_staff``,
``prov_auditor``) with the demo password.

The rows are synthetic and written without per-row audit history: PostgreSQL ``COPY`` (psycopg's
``cursor.copy()``) when the database is PostgreSQL, ``bulk_create(batch_size=5000)`` otherwise.
Everything comes from one ``random.Random(seed)``, so two runs on the same day give the same
data. The generator keeps every database rule: one person's spells never overlap, certificate
numbers are unique, a person has one training record per date and title and one attendance per
event, sessions last 10 minutes to 8 hours, voucher numbers are unique in a contract, budget
lines are sized so no line or contract overspends. The ledger is mostly clean (workdays, cents,
invoices, prompt posting); each contract of 1,000 rows or more carries a few planted
irregularities so a flag scan has something to find.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db import connection, models, transaction
from django.utils import timezone

LARGE_SLUG = "provincial"
LARGE_NAME = "省级社工网络示范机构"
LARGE_LOGINS = [
    # username, roles, given name, family name
    ("prov_director", ["director"], "志远", "罗"),
    ("prov_finance", ["finance"], "丽萍", "邓"),
    ("prov_supervisor", ["supervisor", "staff"], "文静", "曾"),
    ("prov_staff", ["staff"], "子豪", "彭"),
    ("prov_auditor", ["auditor"], "建军", "蒋"),
]

FULL_SIZE = {
    "staff": 5_000,
    "training_records": 200_000,
    "sessions": 100_000,
    "contracts": 20,
    "expenditures": 1_000_000,
}
YEARS = 10
#: The largest contract holds this share of the ledger (the benchmarks scan it).
LARGEST_SHARE = Decimal("0.15")
BATCH = 5000
SEED = 20250601

POSITIONS = ["一线社工", "一线社工", "一线社工", "一线社工", "项目助理", "财务", "行政"]
EXIT_REASONS = [
    ("salary", 30),
    ("career", 20),
    ("workload", 15),
    ("relocation", 8),
    ("study", 7),
    ("family", 10),
    ("contract_end", 6),
    ("dismissal", 2),
    ("other", 2),
]
LEVELS = [("assistant_social_worker", 55), ("social_worker", 35), ("senior_social_worker", 10)]
COURSES = [
    ("儿童保护个案管理实务", "child_protection"),
    ("社会工作伦理与保密", "ethics"),
    ("未成年人保护法解读", "policy"),
    ("小组工作技巧", "practice"),
    ("项目管理与绩效评估", "management"),
    ("同伴督导与个案研讨", "supervision"),
    ("压力管理与自我照顾", "self_care"),
    ("社区工作方法", "practice"),
]
PROVIDERS = ["江西省社会工作协会", "省民政厅培训中心", "江西师范大学", "南昌大学社会工作系", "机构督导团队"]
NOTES = [
    "讨论个案 {ref} 的家庭探访安排，约定下次督导复盘。",
    "梳理儿童保护转介流程，强调发现风险后 24 小时内上报。",
    "复盘小组活动，讨论如何回应青少年的情绪表达。",
    "讨论服务记录书写规范与保密原则，个案资料只用编号 {ref}。",
    "职业发展：准备社会工作者职业水平考试，制定学习计划。",
]
ACTIONS = ["整理个案 {ref} 的评估记录", "阅读机构儿童保护政策并签字确认", "下周前提交小组活动总结"]
FOCUS = ["case_consultation", "ethics", "child_safeguarding", "self_care", "professional_development"]
FUNDERS = ["江西省民政厅", "南昌市民政局", "赣州市民政局", "九江市民政局"]
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
CITIES = ["南昌", "赣州", "九江", "上饶", "吉安", "宜春", "抚州", "萍乡", "新余", "鹰潭", "景德镇"]
METHODS = ["bank", "bank", "bank", "bank", "wechat", "alipay", "card"]
OPEN = 10**7  # ordinal of "no exit yet": beyond any real date


def planned_counts(scale: float = 1.0) -> dict[str, int]:
    """The exact number of staff, training records, sessions, contracts and ledger rows
    ``seed_large`` writes at ``scale`` (at least 20 staff, so supervisors and logins exist)."""
    return {
        "staff": max(20, round(FULL_SIZE["staff"] * scale)),
        "training_records": max(1, round(FULL_SIZE["training_records"] * scale)),
        "sessions": max(1, round(FULL_SIZE["sessions"] * scale)),
        "contracts": FULL_SIZE["contracts"],
        "expenditures": max(FULL_SIZE["contracts"], round(FULL_SIZE["expenditures"] * scale)),
    }


@dataclass
class _Staff:
    """The generated workforce, as parallel lists (index = position in ``ids``)."""

    ids: list[int]
    names: list[str]
    supervisors: list[int]  # indexes of the 项目主管
    spell_staff: np.ndarray  # staff index of each spell
    spell_hire: np.ndarray  # ordinals
    spell_exit: np.ndarray  # ordinals, OPEN while employed
    member_of: dict[str, object] = field(default_factory=dict)  # login → StaffMember

    def employed_on(self, day: int) -> np.ndarray:
        mask = (self.spell_hire <= day) & (self.spell_exit >= day)
        return self.spell_staff[mask]


# ---- writing -------------------------------------------------------------------------------


def _field(model, name: str):
    return model._meta.get_field(name)


def write_rows(model: type[models.Model], fields: list[str], rows: Iterable[tuple]) -> int:
    """Insert ``rows`` (tuples in the order of ``fields``, foreign keys as ids) without history:
    ``COPY`` on PostgreSQL, ``bulk_create`` in batches elsewhere. Returns the number written."""
    count = 0
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = ", ".join(quote(_field(model, name).column) for name in fields)
        json_at = [i for i, name in enumerate(fields) if isinstance(_field(model, name), models.JSONField)]
        sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)
                count += 1
        return count
    attnames = [_field(model, name).attname for name in fields]
    batch = []
    for row in rows:
        batch.append(model(**dict(zip(attnames, row, strict=True))))
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch, batch_size=BATCH)
            count += len(batch)
            batch = []
    model.objects.bulk_create(batch, batch_size=BATCH)
    return count + len(batch)


def reserve_ids(model: type[models.Model], n: int) -> int:
    """The first of ``n`` consecutive primary keys set aside for rows written with explicit ids."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s)",
                [table, table, max(n - 1, 0)],
            )
            return cursor.fetchone()[0] - max(n - 1, 0)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchone()[0] + 1


def _analyze(*models_: type[models.Model]) -> None:
    # Fresh statistics, so the first queries on the new rows get sensible plans.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in models_:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# ---- helpers --------------------------------------------------------------------------------


def _weighted(rng: random.Random, pairs):
    return rng.choices([v for v, _w in pairs], weights=[w for _v, w in pairs])[0]


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


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


# ---- staff ----------------------------------------------------------------------------------


def _seed_staff(ctx, agency, n: int, logins: dict) -> _Staff:
    from staff.demo import GIVEN, SURNAMES
    from staff.models import EmploymentSpell, Qualification, StaffMember

    rng, today = ctx.rng, ctx.today
    first = dt.date(today.year - YEARS + 1, 1, 1) - dt.timedelta(days=730)
    span = (today - dt.timedelta(days=30) - first).days
    people, spells, certs = [], [], []
    for i in range(n):
        supervisor = i % 10 == 0
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        hire = first + dt.timedelta(days=rng.randrange(span))
        exit_, reason = None, ""
        if rng.random() < (0.2 if supervisor else 0.4):
            candidate = hire + dt.timedelta(days=rng.randrange(60, 1500))
            if candidate < today:
                exit_, reason = candidate, _weighted(rng, EXIT_REASONS)
        if i in (0, 1):  # the supervisor and staff logins: employed now, for years
            hire, exit_, reason = _years_later(today, -5 + i * 2), None, ""
        kind = "part_time" if rng.random() < 0.08 else ("contract" if rng.random() < 0.1 else "full_time")
        position = "项目主管" if supervisor else rng.choice(POSITIONS)
        people.append((f"P{i + 1:05d}", name, position, kind))
        spells.append((i, hire, exit_, reason, position, kind))
        if (
            exit_ is not None
            and i % 10 == 5
            and exit_ + dt.timedelta(days=200) < today - dt.timedelta(days=30)
        ):
            again = exit_ + dt.timedelta(days=rng.randrange(30, 200))
            spells.append((i, again, None, "", position, kind))  # a re-hire: a new spell
        if i % 20 < 9:  # 45 % hold a certificate
            issued = min(hire + dt.timedelta(days=rng.randrange(-900, 700)), today - dt.timedelta(days=10))
            expires = _years_later(issued, 3)
            while expires < today - dt.timedelta(days=400):
                expires = _years_later(expires, 3)
            certs.append((i, _weighted(rng, LEVELS), f"PV-{i + 1:05d}", issued, expires))

    users = {0: logins.get("prov_supervisor"), 1: logins.get("prov_staff")}
    members = StaffMember.objects.bulk_create(
        [
            StaffMember(
                agency=agency,
                staff_no=no,
                name=name,
                position=position,
                employment_type=kind,
                education=rng.choice(["大专", "本科", "本科", "硕士"]),
                sw_degree=rng.random() < 0.5,
                user=users.get(i),
            )
            for i, (no, name, position, kind) in enumerate(people)
        ],
        batch_size=BATCH,
    )
    ids = [m.pk for m in members]
    write_rows(
        EmploymentSpell,
        [
            "agency",
            "staff",
            "hire_date",
            "exit_date",
            "exit_reason",
            "position",
            "employment_type",
            "exit_notes",
        ],
        ((agency.pk, ids[i], h, e, r, p, k, "") for i, h, e, r, p, k in spells),
    )
    write_rows(
        Qualification,
        ["agency", "staff", "level", "kind", "cert_no", "issued", "registration_expires", "scan"],
        ((agency.pk, ids[i], level, "", no, issued, expires, "") for i, level, no, issued, expires in certs),
    )
    ctx.log(f"large: {n:,} staff, {len(spells):,} spells, {len(certs):,} certificates")
    return _Staff(
        ids=ids,
        names=[p[1] for p in people],
        supervisors=[i for i in range(n) if i % 10 == 0],
        spell_staff=np.array([s[0] for s in spells]),
        spell_hire=np.array([s[1].toordinal() for s in spells]),
        spell_exit=np.array([s[2].toordinal() if s[2] else OPEN for s in spells]),
        member_of={"prov_supervisor": members[0], "prov_staff": members[1]},
    )


# ---- training -------------------------------------------------------------------------------


def _seed_training(ctx, agency, staff: _Staff, n_records: int, director) -> None:
    from training.models import TrainingEvent, TrainingPolicy, TrainingRecord
    from training.services import requirement_defaults_ensure

    rng, today = ctx.rng, ctx.today
    requirement_defaults_ensure(agency=agency)
    TrainingPolicy.objects.update_or_create(agency=agency, defaults={"annual_minimum_hours": Decimal("20")})
    now = timezone.now()
    n_events = max(1, n_records // 100)
    first = dt.date(today.year - YEARS + 1, 1, 1)
    span = (today - dt.timedelta(days=3) - first).days
    events = []
    for k in range(n_events):
        title, category = COURSES[k % len(COURSES)]
        start = first + dt.timedelta(days=rng.randrange(span))
        hours = Decimal(rng.choice([3, 4, 6, 6, 8, 12]))
        events.append(
            TrainingEvent(
                agency=agency,
                title=f"{title}（{start:%Y年%m月}第{k + 1}期）",
                provider=rng.choice(PROVIDERS),
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
        title, category = COURSES[rng.randrange(len(COURSES))]
        roll = rng.random()
        status = "approved" if roll < 0.95 else ("pending" if roll < 0.99 else "rejected")
        source = "import" if k % 4 else "submission"
        reviewed = status != "pending" and source == "submission"
        rows.append(
            (agency.pk, staff.ids[int(staff.spell_staff[s])], None, day, f"{title}（网络课程第{k + 1}讲）",
             rng.choice(PROVIDERS), category, Decimal(rng.randrange(5, 160)) / 10, rng.random() < 0.93,
             source, status, "", director.pk if director else None, now,
             director.pk if reviewed and director else None, now if reviewed else None,
             "请补充学时证明。" if status == "rejected" else "", None)
        )  # fmt: skip
    write_rows(TrainingRecord, fields, rows)
    ctx.log(
        f"large: {n_events:,} training events, {len(rows):,} training records ({attendance:,} attendance)"
    )


# ---- supervision ----------------------------------------------------------------------------


def _seed_supervision(ctx, agency, staff: _Staff, n_sessions: int, director) -> list:
    from supervision.models import ActionItem, SessionAttendance, SupervisionPlan, SupervisionSession

    rng, today = ctx.rng, ctx.today
    today_ord = today.toordinal()
    is_supervisor = np.zeros(len(staff.ids), dtype=bool)
    is_supervisor[staff.supervisors] = True
    sup_spells = np.flatnonzero(is_supervisor[staff.spell_staff])
    plans = []  # (supervisee index, supervisor index, start ordinal, end ordinal)
    for s in range(len(staff.spell_staff)):
        person = int(staff.spell_staff[s])
        if is_supervisor[person]:
            continue
        hire, exit_ = int(staff.spell_hire[s]), int(staff.spell_exit[s])
        overlap = sup_spells[(staff.spell_hire[sup_spells] <= exit_) & (staff.spell_exit[sup_spells] >= hire)]
        if person == 1:  # the staff login is supervised by the supervisor login
            overlap = overlap[staff.spell_staff[overlap] == 0]
        if len(overlap) == 0:
            continue
        t = int(overlap[rng.randrange(len(overlap))])
        start, end = max(hire, int(staff.spell_hire[t])), min(exit_, int(staff.spell_exit[t]))
        if start <= min(end, today_ord):
            plans.append((person, int(staff.spell_staff[t]), start, end))
    SupervisionPlan.objects.bulk_create(
        [
            SupervisionPlan(
                agency=agency,
                supervisee_id=staff.ids[p],
                supervisor_id=staff.ids[t],
                start=dt.date.fromordinal(start),
                end=None if end == OPEN else dt.date.fromordinal(end),
            )
            for p, t, start, end in plans
        ],
        batch_size=BATCH,
    )
    by_supervisor: dict[int, list[int]] = {}
    for k, (_p, t, _s, _e) in enumerate(plans):
        by_supervisor.setdefault(t, []).append(k)

    first_id = reserve_ids(SupervisionSession, n_sessions)
    sessions, attendances, items = [], [], []
    now = timezone.now()
    tz = now.tzinfo
    for n in range(n_sessions):
        person, leader, start, end = plans[rng.randrange(len(plans))]
        day_ord = rng.randint(start, min(end, today_ord))
        day = dt.date.fromordinal(day_ord)
        group = [person]
        if rng.random() < 0.2:
            others = [
                plans[k][0]
                for k in by_supervisor[leader]
                if plans[k][2] <= day_ord <= plans[k][3] and plans[k][0] != person
            ]
            group += rng.sample(others, min(len(others), rng.randint(2, 5)))
        session_id = first_id + n
        ref = f"PV-{day.year}-{rng.randint(1, 999):03d}"
        locked = day < today - dt.timedelta(days=21) and rng.random() < 0.95
        at_six = dt.datetime.combine(day, dt.time(18, 0), tzinfo=tz)
        sessions.append(
            (session_id, agency.pk, staff.ids[leader], day, dt.time(rng.choice([9, 10, 14, 15]), rng.choice([0, 30])),
             90 if len(group) > 1 else rng.choice([45, 60, 60, 75]), "group" if len(group) > 1 else "individual",
             rng.choice(["in_person", "in_person", "phone", "video"]), rng.sample(FOCUS, 2), 1, [ref],
             rng.choice(NOTES).format(ref=ref), at_six if locked else None, None, now)
        )  # fmt: skip
        for member in group:
            present = rng.random() < 0.97
            attendances.append(
                (agency.pk, session_id, staff.ids[member], present, at_six if locked and present else None)
            )
        if n % 5 == 0:
            due = day + dt.timedelta(days=rng.randint(7, 30))
            done = due < today - dt.timedelta(days=45) and rng.random() < 0.85
            items.append(
                (agency.pk, session_id, rng.choice(ACTIONS).format(ref=ref), staff.ids[group[0]], due, done,
                 dt.datetime.combine(due, dt.time(12, 0), tzinfo=tz) if done else None)
            )  # fmt: skip
    write_rows(
        SupervisionSession,
        ["id", "agency", "supervisor", "date", "start_time", "duration_minutes", "modality", "format",
         "focus_areas", "cases_discussed", "case_refs", "notes", "locked_at", "created_by", "created_at"],
        sessions,
    )  # fmt: skip
    write_rows(SessionAttendance, ["agency", "session", "staff", "present", "acknowledged_at"], attendances)
    write_rows(ActionItem, ["agency", "session", "text", "owner", "due_date", "done", "done_at"], items)
    ctx.log(
        f"large: {len(plans):,} supervision plans, {len(sessions):,} sessions, "
        f"{len(attendances):,} attendances, {len(items):,} action items"
    )
    return plans


# ---- finance --------------------------------------------------------------------------------


def _contract_sizes(total: int, contracts: int) -> list[int]:
    """Rows per contract, oldest first; the last (most recent) is the largest."""
    largest = int(total * LARGEST_SHARE) if contracts > 1 else total
    rest = total - largest
    sizes = [rest // (contracts - 1) + (1 if k < rest % (contracts - 1) else 0) for k in range(contracts - 1)]
    return [*sizes, largest] if contracts > 1 else [largest]


def _amount(rng: random.Random, low: float = 10.0, high: float = 10_000.0) -> Decimal:
    # Log-uniform over whole decades: first digits follow Benford's law, amounts carry cents.
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    cents = max(1001, int(value * 100))
    if cents % 100 == 0:
        cents += 37
    return Decimal(cents) / 100


def _seed_finance(ctx, agency, staff: _Staff, sizes: list[int], users: dict) -> list:
    from finance.models import Contract, Expenditure
    from finance.services import (
        LineSpec,
        assignment_create,
        auditor_grant,
        contract_create,
        disbursement_create,
        funder_get_or_create,
    )

    rng, today = ctx.rng, ctx.today
    finance_user = users.get("prov_finance")
    funders = [funder_get_or_create(agency=agency, name=name) for name in FUNDERS]
    first_year = today.year - YEARS
    invoice = 30_000_000
    contracts = []
    fields = [
        "agency", "contract", "budget_line", "date", "amount", "payee", "description", "invoice_no",
        "payment_method", "voucher_no", "staff", "posted_on", "status", "void_reason", "source",
        "created_by", "created_at",
    ]  # fmt: skip
    for k, size in enumerate(sizes):
        year = first_year + (k * YEARS) // len(sizes)
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        workdays = _workdays(year)
        # Salaried staff: employed for the whole year.
        employed = set(staff.employed_on(start.toordinal()).tolist()) & set(
            staff.employed_on(end.toordinal()).tolist()
        )
        assigned = sorted(employed)[: max(1, min(10, size // 500))] if employed else []
        salary_rows = min(len(assigned) * 12, size // 5)
        planted = 30 if size >= 1000 else 0
        rows: list[list] = []  # line code stands in for the budget line until the lines exist
        created = timezone.now()
        for n in range(salary_rows):
            month, person = n // max(1, len(assigned)) + 1, assigned[n % len(assigned)]
            day = next(d for d in workdays if d.month == month and d.day >= 10)
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
            method = rng.choice(METHODS) if amount > 1000 else rng.choice([*METHODS, "cash"])
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
                day = next(d for d in (start + dt.timedelta(days=j) for j in range(14)) if d not in workdays)
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
            status=Contract.Status.ACTIVE if year >= today.year - 1 else Contract.Status.CLOSED,
            policy={"overspend_action": "warn"},
            lines=lines,
        )
        line_ids = dict(contract.budget_lines.values_list("code", "pk"))
        disbursement_create(
            contract=contract, date=dt.date(year, 1, 20), amount=_tranche(total, 6), reference="首期拨款"
        )
        disbursement_create(
            contract=contract, date=dt.date(year, 7, 15), amount=_tranche(total, 4), reference="第二期拨款"
        )
        for person in assigned:
            assignment_create(
                contract=contract, staff=_member(staff, person), start=start, end=end, fte=Decimal("1.00")
            )
        by = finance_user.pk if finance_user else None
        write_rows(
            Expenditure,
            fields,
            (
                (r[0], contract.pk, line_ids[r[2]], r[3], r[4], r[5], r[6], r[7], r[8], f"V{v + 1:07d}", r[10],
                 r[11], r[12], r[13], "import", by, created)
                for v, r in enumerate(rows)
            ),
        )  # fmt: skip
        contracts.append(contract)
        ctx.log(f"large: contract {contract.code}: {len(rows):,} ledger rows")
    auditor, director = users.get("prov_auditor"), users.get("prov_director")
    if auditor is not None and director is not None:
        auditor_grant(contract=contracts[-1], auditor=auditor, granted_by=director)
    return contracts


def _member(staff: _Staff, index: int):
    from staff.models import StaffMember

    return StaffMember.objects.get(pk=staff.ids[index])


def _budget(spent: Decimal | None) -> Decimal:
    # 5-20 % headroom above the year's spending, rounded up to the hundred yuan.
    base = max(spent or Decimal(0), Decimal(0)) * Decimal("1.1")
    return (base / 100).to_integral_value(rounding="ROUND_CEILING") * 100 + 100


def _tranche(total: Decimal, tenths: int) -> Decimal:
    return (total * tenths / 10).quantize(Decimal("0.01"))


# ---- entry point ----------------------------------------------------------------------------


def large_logins(agency, password: str) -> dict:
    """The provincial agency's logins, one per role, created once."""
    from django.contrib.auth import get_user_model

    from core.services import member_create

    users = {}
    existing = {
        u.username: u for u in get_user_model().objects.filter(username__in=[x[0] for x in LARGE_LOGINS])
    }
    for username, roles, first, last in LARGE_LOGINS:
        users[username] = existing.get(username) or member_create(
            agency=agency,
            username=username,
            password=password,
            roles=roles,
            first_name=first,
            last_name=last,
            validate=False,
        )
    return users


def seed_large(ctx, *, scale: float = 1.0, password: str | None = None, seed: int = SEED) -> dict[str, int]:
    """Create the ``provincial`` agency with the large data set (see the module docstring).

    ``ctx`` is the demo context (``today`` and ``log`` are used; a fresh ``random.Random(seed)``
    replaces its ``rng`` so the large set does not depend on the small demo). Returns the
    number of rows written per kind. Refuses if the agency exists.
    """
    from core.models import Agency
    from core.services import agency_create
    from finance.models import Contract, Expenditure
    from staff.models import EmploymentSpell, Qualification, StaffMember
    from supervision.models import SessionAttendance, SupervisionSession
    from supervision.services import session_permissions_resync_for_staff
    from training.models import TrainingRecord

    if Agency.objects.filter(slug=LARGE_SLUG).exists():
        raise ValueError(f"The agency {LARGE_SLUG!r} already exists; the large data set is created once.")
    counts = planned_counts(scale)
    ctx.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    started = time.perf_counter()
    with transaction.atomic():
        agency = agency_create(name=LARGE_NAME, slug=LARGE_SLUG)
        users = large_logins(agency, password or "")
        director = users["prov_director"]
        staff = _seed_staff(ctx, agency, counts["staff"], users)
        _seed_training(ctx, agency, staff, counts["training_records"], director)
        _seed_supervision(ctx, agency, staff, counts["sessions"], director)
        _seed_finance(ctx, agency, staff, _contract_sizes(counts["expenditures"], counts["contracts"]), users)
        for login in ("prov_supervisor", "prov_staff"):
            session_permissions_resync_for_staff(staff=staff.member_of[login])
    _analyze(
        StaffMember, EmploymentSpell, Qualification, TrainingRecord, SupervisionSession, SessionAttendance,
        Contract, Expenditure,
    )  # fmt: skip
    ctx.log(f"large: agency {LARGE_SLUG} seeded in {time.perf_counter() - started:,.1f} s")
    ctx.log(f"large: logins {', '.join(x[0] for x in LARGE_LOGINS)} (the demo password)")
    return counts
