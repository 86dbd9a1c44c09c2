"""Demo staff for ``seed_demo``: about 25 people over 5 years (``--size large``: 5,000 over 10).

Hands to later seeders, in ``ctx.shared``: ``supervisor_member`` and ``staff_member`` (linked
to the ``supervisor`` and ``staff`` logins), ``staff_members`` (everyone currently employed
in the demo agency) and ``outsider_staff`` (the outsider agency's people).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from simple_history.utils import bulk_create_with_history

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
