"""The demo data set: a county social-work agency in Jiangxi, and an outsider agency.

``seed_demo`` creates the two agencies and one login per role, then calls each app's
``<app>.demo.seed(ctx)`` in order (staff first: everything else refers to people). An app's
seeder adds realistic records for its module using ``ctx.rng`` so runs are reproducible.

``--size large`` seeds the same small demo (the app seeders always get ``size="small"``, so the
demo agency stays quick to use) and then ``core.demo_large.seed_large``: a third agency,
``provincial``, with the performance data set and its own ``prov_*`` logins.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from core.models import Agency
from core.services import agency_create, member_create, member_set_roles

DEMO_SLUG = "xinfeng"
OUTSIDER_SLUG = "anyuan"
SEED_ORDER = ["staff", "training", "supervision", "finance", "delivery"]

DEMO_LOGINS = [
    # username, roles, given name, family name
    ("director", ["director"], "慧敏", "刘"),
    ("finance", ["finance"], "建华", "王"),
    ("supervisor", ["supervisor", "staff"], "晓燕", "陈"),
    ("staff", ["staff"], "小明", "李"),
    ("auditor", ["auditor"], "国强", "赵"),
]


@dataclass
class DemoContext:
    """What every app's seeder receives."""

    agency: Agency
    outsider_agency: Agency
    users: dict  # login name -> User (includes "outsider")
    size: str = "small"
    today: dt.date = field(default_factory=dt.date.today)
    rng: random.Random = field(default_factory=lambda: random.Random(20250101))
    log: callable = print
    shared: dict = field(default_factory=dict)  # seeders hand each other records here


def seed(*, size: str = "small", password: str | None = None, log=print, force: bool = False) -> dict:
    """Create the demo agencies once; later runs only refresh the demo passwords."""
    if not settings.DEBUG and not force:
        raise PermissionError(
            "seed_demo creates logins with known passwords; refusing with DEBUG off (use --force)."
        )
    generated = password is None
    password = password or secrets.token_urlsafe(9)
    existing = Agency.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        users = _reset_passwords(password)
        log(f"Demo agency “{existing.name}” already exists; demo passwords reset.")
        if size == "large":
            users += _seed_large_once(password=password, log=log)
        return {"created": False, "password": password, "generated": generated, "users": users}
    with transaction.atomic():
        agency = agency_create(name="信丰县阳光社会工作服务中心", slug=DEMO_SLUG)
        outsider_agency = agency_create(name="安远县青禾社会工作服务中心", slug=OUTSIDER_SLUG)
        users = {}
        for username, roles, first, last in DEMO_LOGINS:
            users[username] = member_create(
                agency=agency,
                username=username,
                password=password,
                roles=roles,
                # Chinese names read family name first; Django's get_full_name() joins
                # first + last, so the whole name goes in first_name.
                first_name=f"{last}{first}",
                validate=False,
            )
        users["outsider"] = member_create(
            agency=outsider_agency,
            username="outsider",
            password=password,
            roles=["director"],
            first_name="Outsider",
            last_name="Director",
            validate=False,
        )
        ctx = DemoContext(agency=agency, outsider_agency=outsider_agency, users=users, size="small", log=log)
        for app in SEED_ORDER:
            package = import_module(app)
            if module_has_submodule(package, "demo"):
                import_module(f"{app}.demo").seed(ctx)
    names = list(users)
    if size == "large":
        names += _seed_large_once(password=password, log=log)
    return {"created": True, "password": password, "generated": generated, "users": names}


def _seed_large_once(*, password: str, log) -> list[str]:
    """The large data set in its own agency (core/demo_large.py); its logins' passwords are
    reset when it exists already."""
    from core import demo_large

    if Agency.objects.filter(slug=demo_large.LARGE_SLUG).exists():
        return _reset_passwords(password, logins=demo_large.LARGE_LOGINS, extra=[])
    agency = Agency.objects.get(slug=DEMO_SLUG)
    ctx = DemoContext(agency=agency, outsider_agency=agency, users={}, size="large", log=log)
    demo_large.seed_large(ctx, password=password)
    return [login[0] for login in demo_large.LARGE_LOGINS]


def _reset_passwords(password: str, logins=DEMO_LOGINS, extra=("outsider",)) -> list[str]:
    from django.contrib.auth import get_user_model

    names = [login[0] for login in logins] + list(extra)
    users = list(get_user_model().objects.filter(username__in=names))
    for user in users:
        user.set_password(password)
        user.save(update_fields=["password"])
        roles = next((login[1] for login in logins if login[0] == user.username), None)
        if roles:
            member_set_roles(user=user, roles=roles)
    return sorted(u.username for u in users)
