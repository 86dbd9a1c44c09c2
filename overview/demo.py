"""The demo data set: a county social-work agency in Jiangxi, and an outsider agency.

``seed_demo`` creates the two agencies and one login per role, then calls each app's
``<app>.demo.seed(ctx)`` in ``SEED_ORDER`` (staff first: everything else refers to people). An
app's seeder adds realistic records for its module using ``ctx.rng`` so runs are reproducible.

``--size large`` seeds the same small demo (the app seeders always get ``size="small"``, so the
demo agency stays quick to use) and then ``seed_large``: a third agency, ``provincial``
(省级社工网络示范机构), with the performance data set — 5,000 staff over 10 years, 200,000
training records, 100,000 supervision sessions, 20 contracts and 1,000,000 ledger rows
(``scale`` multiplies the record counts; the tests use a tiny scale) — written by each app's
``<app>.demo.seed_large(ctx)`` in the same order, with its own logins (``prov_director``,
``prov_finance``, ``prov_supervisor``, ``prov_staff``, ``prov_auditor``) and the demo password.
Everything comes from one ``random.Random(seed)``, so two runs on the same day give the same
data. The dates follow today's (``today``, the real date unless a test gives one): the current
contracts run through the current year and every record lies in the data window of
core/demo.py (1 January to the end of last month), see finance/demo.py and delivery/demo.py.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _

from core import progress
from core.demo import DemoContext, analyze_database
from core.models import Agency
from core.services import agency_create, member_create, member_set_roles

DEMO_SLUG = "xinfeng"
OUTSIDER_SLUG = "anyuan"
#: The apps whose ``demo`` module seeds its part, in order (each may refer to the ones before).
SEED_ORDER = ["staff", "training", "supervision", "finance", "delivery"]

DEMO_LOGINS = [
    # username, roles, given name, family name
    ("director", ["director"], "慧敏", "刘"),
    ("finance", ["finance"], "建华", "王"),
    ("supervisor", ["supervisor", "staff"], "晓燕", "陈"),
    ("staff", ["staff"], "小明", "李"),
    ("auditor", ["auditor"], "国强", "赵"),
]

LARGE_SLUG = "provincial"
LARGE_NAME = "省级社工网络示范机构"
LARGE_LOGINS = [
    # username, roles, given name, family name; the apps' seeders know them without the prefix
    ("prov_director", ["director"], "志远", "罗"),
    ("prov_finance", ["finance"], "丽萍", "邓"),
    ("prov_supervisor", ["supervisor", "staff"], "文静", "曾"),
    ("prov_staff", ["staff"], "子豪", "彭"),
    ("prov_auditor", ["auditor"], "建军", "蒋"),
]
LARGE_PREFIX = "prov_"
FULL_SIZE = {
    "staff": 5_000,
    "training_records": 200_000,
    "sessions": 100_000,
    "contracts": 20,
    "expenditures": 1_000_000,
}
SEED = 20250601


def _demo_modules():
    for app in SEED_ORDER:
        if module_has_submodule(import_module(app), "demo"):
            yield import_module(f"{app}.demo")


def seed(
    *,
    size: str = "small",
    password: str | None = None,
    log=print,
    force: bool = False,
    today: dt.date | None = None,
) -> dict:
    """Create the demo agencies once; later runs only refresh the demo passwords. ``today``
    (tests) fixes the date the demo's dates follow; ``seed_demo`` uses the real one."""
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
            first_name="钟志刚",  # the outsider agency's director, named as a Jiangxi director would be
            validate=False,
        )
        ctx = DemoContext(
            agency=agency,
            outsider_agency=outsider_agency,
            users=users,
            size="small",
            log=log,
            today=today or dt.date.today(),
        )
        for module in progress.track(list(_demo_modules()), _("Seeding the demo")):
            module.seed(ctx)
    names = list(users)
    if size == "large":
        names += _seed_large_once(password=password, log=log)
    return {"created": True, "password": password, "generated": generated, "users": names}


def _seed_large_once(*, password: str, log) -> list[str]:
    """The large data set in its own agency; its logins' passwords are reset when it exists."""
    if Agency.objects.filter(slug=LARGE_SLUG).exists():
        return _reset_passwords(password, logins=LARGE_LOGINS, extra=[])
    agency = Agency.objects.get(slug=DEMO_SLUG)
    ctx = DemoContext(agency=agency, outsider_agency=agency, users={}, size="large", log=log)
    seed_large(ctx, password=password)
    return [login[0] for login in LARGE_LOGINS]


def _reset_passwords(password: str, logins=DEMO_LOGINS, extra=("outsider",)) -> list[str]:
    names = [login[0] for login in logins] + list(extra)
    users = list(get_user_model().objects.filter(username__in=names))
    for user in users:
        user.set_password(password)
        user.save(update_fields=["password"])
        roles = next((login[1] for login in logins if login[0] == user.username), None)
        if roles:
            member_set_roles(user=user, roles=roles)
    return sorted(u.username for u in users)


# --- the large data set -----------------------------------------------------------------------


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


def large_logins(agency, password: str) -> dict:
    """The provincial agency's logins, one per role, created once."""
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
    if Agency.objects.filter(slug=LARGE_SLUG).exists():
        raise ValueError(f"The agency {LARGE_SLUG!r} already exists; the large data set is created once.")
    ctx.counts = planned_counts(scale)
    ctx.size = "large"
    ctx.rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        ctx.agency = ctx.outsider_agency = agency_create(name=LARGE_NAME, slug=LARGE_SLUG)
        logins = large_logins(ctx.agency, password or "")
        ctx.users = {username.removeprefix(LARGE_PREFIX): user for username, user in logins.items()}
        builders = [module for module in _demo_modules() if hasattr(module, "seed_large")]
        for module in progress.track(builders, _("Seeding the large data set")):
            module.seed_large(ctx)
        for step in ctx.after:
            step()
    analyze_database()
    ctx.log(f"large: agency {LARGE_SLUG} seeded in {time.perf_counter() - started:,.1f} s")
    ctx.log(f"large: logins {', '.join(x[0] for x in LARGE_LOGINS)} (the demo password)")
    return ctx.counts
