"""Demo supervision data: plans and two years of sessions for the demo and outsider agencies.

Sessions are dated by the end of the demo's data window (core/demo.py: the last day of the
previous month; in January, yesterday).

Runs after the staff seeder. The demo supervisor (``ctx.shared["supervisor_member"]``)
supervises the demo staff member (``ctx.shared["staff_member"]``) and several others; a
second supervisor takes the rest. Some months fall short, recent sessions await
acknowledgement, older ones are locked, and action items are both open and done. Without the
shared records it falls back to the agency's own staff.

``seed_large(ctx)`` writes the large data set's plans and ``ctx.counts["sessions"]`` sessions in
bulk over ``ctx.shared["large_staff"]`` (staff/demo.py): every attendee is under a plan with
the session's supervisor on the day, a fifth of the sessions are groups, sessions older than
three weeks are mostly locked, and every fifth has an action item. Once every app has seeded,
the ``supervisor`` and ``staff`` logins are given their sessions' permissions.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db.models import Q
from django.utils import timezone

from core.demo import BATCH, reserve_ids, write_rows
from staff.demo import OPEN
from staff.models import EmploymentSpell, StaffMember
from supervision import services
from supervision.models import ActionItem, FocusArea, SessionAttendance, SupervisionPlan, SupervisionSession
from supervision.services import Attendee

NOTES = [
    "讨论个案 {ref} 的家庭探访安排，社工对监护人沟通感到压力，约定下次督导复盘。",
    "围绕儿童保护转介流程做了梳理，强调发现风险后 24 小时内上报。",
    "复盘小组活动，讨论如何回应青少年的情绪表达；社工提出需要更多自我关怀时间。",
    "讨论服务记录书写规范与保密原则，明确个案资料只用编号 {ref}。",
    "职业发展：准备社会工作者职业水平考试，制定学习计划。",
]
ACTIONS = [
    "整理个案 {ref} 的评估记录",
    "阅读机构儿童保护政策并签字确认",
    "联系学校老师了解 {ref} 的在校情况",
    "下周前提交小组活动总结",
    "报名参加县里的继续教育培训",
]


def _employed(agency, day: dt.date) -> list[StaffMember]:
    ids = (
        EmploymentSpell.objects.filter(agency=agency, hire_date__lte=day)
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=day))
        .values("staff_id")
    )
    return list(StaffMember.objects.filter(pk__in=ids).order_by("staff_no"))


def _spell_bounds(staff: StaffMember, day: dt.date) -> tuple[dt.date, dt.date | None]:
    spell = (
        EmploymentSpell.objects.filter(staff=staff, hire_date__lte=day)
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=day))
        .order_by("-hire_date")
        .first()
    )
    return (spell.hire_date, spell.exit_date) if spell else (day, None)


def seed(ctx) -> None:
    _seed_agency(
        ctx, ctx.agency, ctx.shared.get("supervisor_member"), ctx.shared.get("staff_member"), prefix="XF"
    )
    _seed_agency(ctx, ctx.outsider_agency, None, None, prefix="AY")


def _seed_agency(
    ctx, agency, supervisor: StaffMember | None, staff: StaffMember | None, *, prefix: str
) -> None:
    rng, today = ctx.rng, ctx.today
    start = (today - dt.timedelta(days=730)).replace(day=1)
    people = {m.pk: m for m in _employed(agency, start) + _employed(agency, today)}
    if supervisor is None or supervisor.agency_id != agency.pk:
        candidates = _employed(agency, today)
        supervisor = next((m for m in candidates if m.user_id), candidates[0] if candidates else None)
    if supervisor is None:
        ctx.log(f"supervision: no staff in {agency.slug}, nothing seeded")
        return
    others = [m for pk, m in sorted(people.items()) if pk != supervisor.pk]
    if staff is not None and staff.agency_id == agency.pk and staff.pk != supervisor.pk:
        others = [staff] + [m for m in others if m.pk != staff.pk]
    second = next((m for m in others[1:] if m.user_id is None), None) if len(others) > 8 else None
    supervisees = [m for m in others if m != second]
    groups = {supervisor.pk: supervisees[:7]}
    if second is not None:
        groups[second.pk] = supervisees[7:]
    leaders = {supervisor.pk: supervisor, **({second.pk: second} if second else {})}

    plans = []
    for leader_pk, members in groups.items():
        for member in members:
            first_day = next((d for d in (start, today) if member in _employed(agency, d)), today)
            hire, exit_date = _spell_bounds(member, first_day)
            plan_start = max(hire, start)
            plans.append(
                services.plan_create(
                    agency=agency,
                    supervisee=member,
                    supervisor=leaders[leader_pk],
                    start=plan_start,
                    end=exit_date,
                    required_minutes=120,
                    required_individual_minutes=60,
                )
            )

    month = start
    count = 0
    last = ctx.window_end
    while month <= last:
        for leader_pk, members in groups.items():
            leader = leaders[leader_pk]
            day = month + dt.timedelta(days=rng.randint(2, 8))
            if day > last:
                continue
            active = [m for m in _employed(agency, day) if m in members]
            if leader not in _employed(agency, day) or not active:
                continue
            if len(active) > 1:
                _session(ctx, agency, leader, active, day, 90, "group", prefix)
                count += 1
            for member in active:
                if rng.random() < 0.8:  # some months short on individual supervision
                    when = min(last, day + dt.timedelta(days=rng.randint(3, 18)))
                    if member in _employed(agency, when):
                        _session(
                            ctx,
                            agency,
                            leader,
                            [member],
                            when,
                            rng.choice([45, 60, 60, 75]),
                            "individual",
                            prefix,
                        )
                        count += 1
        month = (month + dt.timedelta(days=32)).replace(day=1)

    # Older sessions are acknowledged and locked; recent ones (and a few older) still await.
    now = timezone.now()
    cutoff = today - dt.timedelta(days=21)
    # Every twentieth older one (the first among them) still awaits: fixed, not drawn, so which
    # sessions stay open does not depend on how many the date gives.
    older = SupervisionSession.objects.filter(agency=agency, date__lt=cutoff).order_by("pk")
    for n, session in enumerate(older):
        if n % 20 == 0:
            continue
        SessionAttendance.objects.filter(session=session, present=True).update(
            acknowledged_at=dt.datetime.combine(session.date, dt.time(18, 0), tzinfo=now.tzinfo)
        )
        SupervisionSession.objects.filter(pk=session.pk).update(
            locked_at=dt.datetime.combine(session.date, dt.time(18, 0), tzinfo=now.tzinfo)
        )
    ctx.log(f"supervision: {len(plans)} plans, {count} sessions in {agency.slug}")


def _session(ctx, agency, leader, attendees, day, minutes, modality, prefix) -> None:
    rng = ctx.rng
    ref = f"{prefix}-{day.year}-{rng.randint(1, 60):03d}"
    items = []
    if rng.random() < 0.35:
        due = day + dt.timedelta(days=rng.randint(7, 30))
        owner = rng.choice(attendees)
        items.append({"text": rng.choice(ACTIONS).format(ref=ref), "owner": owner, "due_date": due})
    session = services.session_create(
        agency=agency,
        user=leader.user,
        supervisor=leader,
        date=day,
        start_time=dt.time(rng.choice([9, 10, 14, 15]), rng.choice([0, 30])),
        duration_minutes=minutes,
        modality=modality,
        format=rng.choice(["in_person", "in_person", "phone", "video"]),
        focus_areas=rng.sample(FocusArea.values, k=2),
        cases_discussed=1,
        case_refs=[ref],
        notes=rng.choice(NOTES).format(ref=ref),
        attendees=[Attendee(m) for m in attendees],
        action_items=items,
        today=ctx.today,
    )
    # Older action items are done; recent ones stay open (some overdue).
    for item in session.action_items.all():
        if item.due_date and item.due_date < ctx.today - dt.timedelta(days=45) and rng.random() < 0.85:
            services.action_item_set_done(item=item, done=True)


# ---- the large data set ---------------------------------------------------------------------

LARGE_NOTES = [
    "讨论个案 {ref} 的家庭探访安排，约定下次督导复盘。",
    "梳理儿童保护转介流程，强调发现风险后 24 小时内上报。",
    "复盘小组活动，讨论如何回应青少年的情绪表达。",
    "讨论服务记录书写规范与保密原则，个案资料只用编号 {ref}。",
    "职业发展：准备社会工作者职业水平考试，制定学习计划。",
]
LARGE_ACTIONS = ["整理个案 {ref} 的评估记录", "阅读机构儿童保护政策并签字确认", "下周前提交小组活动总结"]
LARGE_FOCUS = ["case_consultation", "ethics", "child_safeguarding", "self_care", "professional_development"]


def seed_large(ctx) -> None:
    """The large agency's plans, sessions, attendance and action items (see the module docstring)."""
    rng, today, agency = ctx.rng, ctx.today, ctx.agency
    staff, n_sessions = ctx.shared["large_staff"], ctx.counts["sessions"]
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
             rng.choice(["in_person", "in_person", "phone", "video"]), rng.sample(LARGE_FOCUS, 2), 1, [ref],
             rng.choice(LARGE_NOTES).format(ref=ref), at_six if locked else None, None, now)
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
                (agency.pk, session_id, rng.choice(LARGE_ACTIONS).format(ref=ref), staff.ids[group[0]], due, done,
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

    def resync_logins() -> None:
        for login in ("supervisor", "staff"):
            services.session_permissions_resync_for_staff(staff=staff.member_of[login])

    ctx.after.append(resync_logins)
