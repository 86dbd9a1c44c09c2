"""Demo staff for ``seed_demo``: about 25 people over 5 years, and the large data set's workforce.

``seed(ctx)`` hands to later seeders, in ``ctx.shared``: ``supervisor_member`` and
``staff_member`` (linked to the ``supervisor`` and ``staff`` logins), ``staff_members``
(everyone currently employed in the demo agency) and ``outsider_staff`` (the outsider agency's
people).

``seed_large(ctx)`` writes ``ctx.counts["staff"]`` people over ``LARGE_YEARS`` years in bulk
(one person's spells never overlap, certificate numbers are unique; every tenth person is a
项目主管) and hands the workforce to later seeders as ``ctx.shared["large_staff"]``
(a ``LargeStaff``).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import numpy as np
from simple_history.utils import bulk_create_with_history

from core.demo import BATCH, write_rows
from staff.models import EmploymentSpell, Qualification, StaffMember

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚钟廖"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "文",
    "华",
    "红",
    "玲",
    "建国",
    "海燕",
    "春梅",
    "志强",
    "雪梅",
    "晓东",
    "佳怡",
    "子涵",
    "思雨",
    "欣怡",
    "浩然",
    "宇航",
    "梓萱",
    "俊杰",
    "婷婷",
    "丹丹",
    "莉",
    "慧",
    "琳",
    "欢",
    "颖",
]
POSITIONS = ["一线社工", "一线社工", "一线社工", "一线社工", "项目主管", "项目助理", "财务", "行政"]
EDUCATION = ["大专", "本科", "本科", "本科", "硕士"]
REASONS = [
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


@dataclass
class _Person:
    staff_no: str
    name: str
    position: str
    employment_type: str = "full_time"
    spells: list[tuple[dt.date, dt.date | None, str]] = field(default_factory=list)
    cert: tuple[str, dt.date, dt.date | None] | None = None
    user: object = None
    sw_degree: bool = False
    education: str = "本科"


def _weighted(rng: random.Random, pairs):
    return rng.choices([value for value, _weight in pairs], weights=[weight for _value, weight in pairs])[0]


def _names(rng: random.Random):
    used = set()
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name in used and len(used) < 2000:
            continue
        used.add(name)
        yield name


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _generated(rng: random.Random, today: dt.date, count: int, years: int, start_no: int, prefix: str = "S"):
    """``count`` people with one spell each, hired over ``years`` years (a few before)."""
    first = dt.date(today.year - years + 1, 1, 1) - dt.timedelta(days=730)
    span = (today - dt.timedelta(days=30) - first).days
    names = _names(rng)
    people = []
    for n in range(count):
        hire = first + dt.timedelta(days=rng.randrange(span))
        exit_, reason = None, ""
        if rng.random() < 0.4:
            candidate = hire + dt.timedelta(days=rng.randrange(60, 1500))
            if candidate < today:
                exit_, reason = candidate, _weighted(rng, REASONS)
        kind = "part_time" if rng.random() < 0.08 else ("contract" if rng.random() < 0.1 else "full_time")
        person = _Person(
            staff_no=f"{prefix}{start_no + n:04d}",
            name=next(names),
            position=rng.choice(POSITIONS),
            employment_type=kind,
            spells=[(hire, exit_, reason)],
            education=rng.choice(EDUCATION),
            sw_degree=rng.random() < 0.5,
        )
        if rng.random() < 0.45:
            issued = hire + dt.timedelta(days=rng.randrange(-900, 700))
            issued = min(issued, today - dt.timedelta(days=10))
            expires = _years_later(issued, 3)
            while expires < today - dt.timedelta(days=400):
                expires = _years_later(expires, 3)
            person.cert = (_weighted(rng, LEVELS), issued, expires)
        people.append(person)
    return people


def _handmade(ctx, today: dt.date) -> list[_Person]:
    y = today.year
    return [
        _Person(
            "S001",
            "陈晓燕",
            "项目主管",
            spells=[(dt.date(y - 5, 3, 1), None, "")],
            cert=("social_worker", dt.date(y - 6, 6, 20), _years_later(today, 1)),
            user=ctx.users["supervisor"],
            sw_degree=True,
            education="硕士",
        ),
        _Person(
            "S002",
            "李小明",
            "一线社工",
            spells=[(dt.date(y - 2, 7, 1), None, "")],
            cert=("assistant_social_worker", dt.date(y - 3, 6, 20), today + dt.timedelta(days=45)),
            user=ctx.users["staff"],
            sw_degree=True,
        ),
        # Left to study, came back: a re-hire is a new spell.
        _Person(
            "S003",
            "黄丽",
            "一线社工",
            spells=[
                (dt.date(y - 5, 2, 15), dt.date(y - 3, 8, 31), "study"),
                (dt.date(y - 1, 3, 1), None, ""),
            ],
            cert=("assistant_social_worker", dt.date(y - 2, 6, 25), _years_later(dt.date(y - 2, 6, 25), 3)),
        ),
        _Person(
            "S004",
            "周子涵",
            "项目助理",
            employment_type="intern",
            spells=[(dt.date(y, 1, 1) if today.month > 3 else dt.date(y - 1, 9, 1), None, "")],
            education="大专",
        ),
        _Person(
            "S005",
            "刘建国",
            "项目主管",
            spells=[(dt.date(y - 5, 1, 1), None, "")],
            cert=("senior_social_worker", dt.date(y - 7, 6, 20), today - dt.timedelta(days=20)),
            sw_degree=True,
            education="硕士",
        ),
        _Person(
            "S006",
            "王建华",
            "财务",
            spells=[(dt.date(y - 4, 4, 1), None, "")],
            education="大专",
        ),
        _Person(
            "S007",
            "赵海燕",
            "一线社工",
            spells=[(dt.date(y - 4, 9, 1), dt.date(y - 1, 12, 31), "salary")],
            cert=("assistant_social_worker", dt.date(y - 4, 6, 20), dt.date(y - 1, 6, 19)),
        ),
        _Person(
            "S008",
            "孙磊",
            "一线社工",
            employment_type="contract",
            spells=[(dt.date(y - 3, 3, 1), dt.date(y - 1, 2, 28), "contract_end")],
        ),
        _Person(
            "S009",
            "吴静",
            "一线社工",
            spells=[(dt.date(y - 2, 3, 1), today - dt.timedelta(days=100), "workload")],
        ),
        _Person(
            "S010",
            "郑佳怡",
            "一线社工",
            spells=[(today - dt.timedelta(days=200), None, "")],
            cert=("assistant_social_worker", today - dt.timedelta(days=1130), today - dt.timedelta(days=35)),
        ),
    ]


def _write(agency, people: list[_Person], by) -> list[StaffMember]:
    members = bulk_create_with_history(
        [
            StaffMember(
                agency=agency,
                staff_no=p.staff_no,
                name=p.name,
                position=p.position,
                employment_type=p.employment_type,
                user=p.user,
                education=p.education,
                sw_degree=p.sw_degree,
            )
            for p in people
        ],
        StaffMember,
        batch_size=1000,
        default_user=by,
    )
    spells, certificates = [], []
    for member, p in zip(members, people, strict=True):
        for hire, exit_, reason in p.spells:
            spells.append(
                EmploymentSpell(
                    agency=agency,
                    staff=member,
                    hire_date=hire,
                    exit_date=exit_,
                    exit_reason=reason,
                    position=p.position,
                    employment_type=p.employment_type,
                )
            )
        if p.cert:
            level, issued, expires = p.cert
            certificates.append(
                Qualification(
                    agency=agency,
                    staff=member,
                    level=level,
                    cert_no=f"{agency.slug.upper()}-{p.staff_no}-{issued.year}",
                    issued=issued,
                    registration_expires=expires,
                )
            )
    bulk_create_with_history(spells, EmploymentSpell, batch_size=2000, default_user=by)
    bulk_create_with_history(certificates, Qualification, batch_size=2000, default_user=by)
    return members


def seed(ctx) -> None:
    """Create the demo agency's staff (and the outsider agency's), see the module docstring."""
    today = ctx.today
    rng = ctx.rng
    director = ctx.users.get("director")
    people = _handmade(ctx, today)
    if ctx.size == "large":
        people += _generated(rng, today, 5000 - len(people), 10, start_no=len(people) + 1)
    else:
        people += _generated(rng, today, 15, 5, start_no=len(people) + 1)
    members = _write(ctx.agency, people, director)
    by_no = {m.staff_no: m for m in members}
    ctx.shared["supervisor_member"] = by_no["S001"]
    ctx.shared["staff_member"] = by_no["S002"]
    current = set(
        EmploymentSpell.objects.filter(agency=ctx.agency, exit_date__isnull=True).values_list(
            "staff_id", flat=True
        )
    )
    ctx.shared["staff_members"] = [m for m in members if m.pk in current]

    outsider = _generated(random.Random(7), today, 5, 3, start_no=1, prefix="A")
    ctx.shared["outsider_staff"] = _write(ctx.outsider_agency, outsider, ctx.users.get("outsider"))
    ctx.log(
        f"staff: {len(members)} people in {ctx.agency.slug}, {len(outsider)} in {ctx.outsider_agency.slug}"
    )


# ---- the large data set ---------------------------------------------------------------------

#: Years of history of the large data set (hires start two years before the first of them).
LARGE_YEARS = 10
#: Ordinal of "no exit yet": beyond any real date.
OPEN = 10**7
LARGE_POSITIONS = ["一线社工", "一线社工", "一线社工", "一线社工", "项目助理", "财务", "行政"]


@dataclass
class LargeStaff:
    """The generated workforce, as parallel lists (index = position in ``ids``)."""

    ids: list[int]
    names: list[str]
    supervisors: list[int]  # indexes of the 项目主管
    spell_staff: np.ndarray  # staff index of each spell
    spell_hire: np.ndarray  # ordinals
    spell_exit: np.ndarray  # ordinals, OPEN while employed
    member_of: dict[str, object] = field(default_factory=dict)  # login role → StaffMember

    def employed_on(self, day: int) -> np.ndarray:
        mask = (self.spell_hire <= day) & (self.spell_exit >= day)
        return self.spell_staff[mask]


def seed_large(ctx) -> None:
    """The large agency's workforce (see the module docstring); the first two people are the
    ``supervisor`` and ``staff`` logins, employed now and for years."""
    rng, today, agency, n = ctx.rng, ctx.today, ctx.agency, ctx.counts["staff"]
    first = dt.date(today.year - LARGE_YEARS + 1, 1, 1) - dt.timedelta(days=730)
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
                exit_, reason = candidate, _weighted(rng, REASONS)
        if i in (0, 1):  # the supervisor and staff logins: employed now, for years
            hire, exit_, reason = _years_later(today, -5 + i * 2), None, ""
        kind = "part_time" if rng.random() < 0.08 else ("contract" if rng.random() < 0.1 else "full_time")
        position = "项目主管" if supervisor else rng.choice(LARGE_POSITIONS)
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

    users = {0: ctx.users.get("supervisor"), 1: ctx.users.get("staff")}
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
    ctx.shared["large_staff"] = LargeStaff(
        ids=ids,
        names=[p[1] for p in people],
        supervisors=[i for i in range(n) if i % 10 == 0],
        spell_staff=np.array([s[0] for s in spells]),
        spell_hire=np.array([s[1].toordinal() for s in spells]),
        spell_exit=np.array([s[2].toordinal() if s[2] else OPEN for s in spells]),
        member_of={"supervisor": members[0], "staff": members[1]},
    )
