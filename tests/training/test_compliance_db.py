"""The compliance figures computed in the database (training/compliance_db.py) are those of the
numpy engine (training/compliance.py): the same people, cycles, hours, statuses and order, on a
generated agency covering every status and boundary, on both orders, every status filter and
page 2 of the page."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from decimal import Decimal

import pytest

from staff.models import EmploymentSpell, Qualification, QualificationLevel, StaffMember
from tests.factories import AgencyFactory
from tests.training.test_compliance_paging import _expected, _rows
from training import compliance as engine
from training import compliance_db
from training import views as training_views
from training.compliance import STATUS_ORDER, compliance_rows, status_counts
from training.models import CERequirement, RecordSource, RecordStatus, TrainingRecord

D = dt.date(2025, 12, 1)
ASW = QualificationLevel.ASSISTANT_SOCIAL_WORKER
SW = QualificationLevel.SOCIAL_WORKER
SENIOR = QualificationLevel.SENIOR_SOCIAL_WORKER
DAY = dt.timedelta(days=1)
#: Dates the figures are compared on: the generation date, 29 February, the days around it.
AS_OF = [
    D,
    D - DAY,
    dt.date(2024, 2, 29),
    dt.date(2024, 3, 1),
    dt.date(2026, 2, 28),
    dt.date(2027, 2, 28),
    dt.date(2028, 2, 29),
]
STATUSES = ["", *STATUS_ORDER]


class World:
    """People built in bulk: ``person`` adds one, ``records`` gives them training."""

    def __init__(self, agency):
        self.agency = agency
        self.n = 0
        self.quals: list[Qualification] = []
        self.spells: list[EmploymentSpell] = []
        self.records: list[TrainingRecord] = []
        self.titles = itertools.count()

    def person(self, *certs, hired=dt.date(2000, 1, 1), left=None, spells=None) -> StaffMember:
        self.n += 1
        member = StaffMember.objects.create(
            agency=self.agency, staff_no=f"P{self.n:04d}", name=f"社工{self.n}"
        )
        for hire, exit_ in [(hired, left)] if spells is None else spells:
            self.spells.append(
                EmploymentSpell(
                    agency=self.agency,
                    staff=member,
                    hire_date=hire,
                    exit_date=exit_,
                    exit_reason="career" if exit_ else "",
                )
            )
        for level, issued, expires in certs:
            self.quals.append(
                Qualification(
                    agency=self.agency,
                    staff=member,
                    level=level,
                    cert_no=f"C{next(self.titles):05d}",
                    issued=issued,
                    registration_expires=expires,
                )
            )
        return member

    def record(self, member, day, hours, status=RecordStatus.APPROVED, eligible=True) -> None:
        self.records.append(
            TrainingRecord(
                agency=self.agency,
                staff=member,
                date=day,
                title=f"课程 {next(self.titles)}",
                hours=Decimal(hours),
                ce_eligible=eligible,
                status=status,
                source=RecordSource.ENTRY,
            )
        )

    def save_people(self) -> None:
        EmploymentSpell.objects.bulk_create(self.spells)
        Qualification.objects.bulk_create(self.quals)
        self.spells, self.quals = [], []

    def save_records(self) -> None:
        TrainingRecord.objects.bulk_create(self.records)
        self.records = []


def _boundaries(world: World) -> None:
    """People at every boundary of metrics.md's cycle and listing rules, as of ``D``; then
    hours at each person's cycle edges, from zero to exactly the requirement and beyond."""
    listed = []
    # Registration end known: lapsed long ago, yesterday, today, tomorrow, around 180 days, far.
    for days in (-400, -1, 0, 1, 179, 180, 181, 1000):
        for level in (ASW, SW, SENIOR):
            listed.append(world.person((level, dt.date(2015, 3, 1), D + dt.timedelta(days=days))))
    # Registration ends on 29 February (the cycle's first day is 1 March), on 28 February, on 1 March.
    for expires in (dt.date(2024, 2, 29), dt.date(2028, 2, 29), dt.date(2027, 2, 28), dt.date(2026, 3, 1)):
        listed.append(world.person((SW, dt.date(2012, 1, 1), expires)))
        listed.append(world.person((SENIOR, dt.date(2012, 1, 1), expires)))
    # Registration end unknown: issued today, an anniversary today, yesterday, tomorrow; 29 February;
    # the 31st of a month (D is the 1st); cycles of 3 years (ASW, SW) and 2 years (SENIOR here).
    for years_back in (0, 2, 3, 6, 9):
        for shift in (-1, 0, 1):
            issued = D.replace(year=D.year - years_back) + dt.timedelta(days=shift)
            if issued <= D:
                for level in (ASW, SENIOR):
                    listed.append(world.person((level, issued, None)))
    for issued in (dt.date(2016, 2, 29), dt.date(2020, 2, 29), dt.date(2019, 1, 31), dt.date(2023, 8, 31)):
        for level in (SW, SENIOR):
            listed.append(world.person((level, issued, None)))
    # Several certificates: the highest level counts, then the most recently issued one.
    listed.append(world.person((ASW, dt.date(2024, 1, 1), None), (SW, dt.date(2018, 5, 5), D + 30 * DAY)))
    listed.append(world.person((SW, dt.date(2016, 1, 1), D - DAY), (SW, dt.date(2019, 7, 1), D + 90 * DAY)))
    listed.append(world.person((SENIOR, D + DAY, None), (ASW, dt.date(2020, 4, 4), None)))  # senior not yet
    listed.append(world.person(("other", dt.date(2010, 1, 1), None), (ASW, dt.date(2021, 1, 1), None)))
    # Employment: left today (listed), hired today (listed), re-hired.
    listed.append(world.person((SW, dt.date(2020, 1, 1), None), left=D))
    listed.append(world.person((SW, dt.date(2020, 1, 1), None), hired=D))
    listed.append(
        world.person(
            (ASW, dt.date(2019, 1, 1), D + 60 * DAY),
            spells=[(dt.date(2010, 1, 1), D.replace(year=2015)), (D - DAY, None)],
        )
    )
    # Not listed as of D: left yesterday, hired tomorrow, never employed, certificate tomorrow, other level.
    world.person((SW, dt.date(2020, 1, 1), None), left=D - DAY)
    world.person((SW, dt.date(2020, 1, 1), None), hired=D + DAY)
    world.person((SW, dt.date(2020, 1, 1), None), spells=[])
    world.person((SW, D + DAY, None))
    world.person(("other", dt.date(2020, 1, 1), None))
    world.save_people()

    cycles = {row.staff_id: row for row in compliance_rows(world.agency, D)}
    assert set(cycles) == {m.pk for m in listed}
    for i, member in enumerate(listed):
        row = cycles[member.pk]
        need, start, end = row.required_hours, row.cycle_start, row.cycle_end
        pattern = i % 7
        if pattern == 1:  # exactly the requirement, on the first and the last day
            world.record(member, start, need - 1)
            world.record(member, end, 1)
        elif pattern == 2:  # a tenth short
            world.record(member, start, need - Decimal("1.1"))
            world.record(member, end, 1)
        elif pattern == 3:  # plenty, but the day before the cycle and the day after it; a little inside
            world.record(member, start - DAY, 150)
            world.record(member, end + DAY, 150)
            world.record(member, start + DAY, Decimal("0.5"))
        elif pattern == 4:  # dated after D but inside the cycle: counts
            world.record(member, D + DAY if end > D else end, need)
        elif pattern == 5:  # plenty, but pending, rejected or not continuing education
            world.record(member, start, 150, status=RecordStatus.PENDING)
            world.record(member, start + DAY, 150, status=RecordStatus.REJECTED)
            world.record(member, end, 150, eligible=False)
        elif pattern == 6:  # more than required, in several records
            for k in range(4):
                world.record(member, start + k * DAY, (need / 3).quantize(Decimal("0.1")) + 1)
        # pattern 0: no hours at all
    world.save_records()


def _random(world: World, rng: random.Random, people: int) -> None:
    """``people`` more with random certificates (a tenth on 29 February) and random records."""
    members = []
    for _ in range(people):
        certs = []
        for _c in range(rng.choice([1, 1, 1, 2])):
            issued = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(0, 5200))
            if rng.random() < 0.1:
                issued = dt.date(rng.choice([2012, 2016, 2020, 2024]), 2, 29)
            expires = None
            if rng.random() < 0.6:
                expires = issued + dt.timedelta(days=rng.randrange(300, 4000))
                leap_day = dt.date(rng.choice([2024, 2028]), 2, 29)
                if rng.random() < 0.2 and leap_day > issued:
                    expires = leap_day
            certs.append((rng.choice([ASW, SW, SENIOR]), issued, expires))
        members.append(
            world.person(*certs, hired=dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(0, 9500)))
        )
    world.save_people()
    for member in members:
        for _r in range(rng.randrange(0, 8)):
            day = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(0, 5500))
            status = rng.choice([RecordStatus.APPROVED] * 8 + [RecordStatus.PENDING])
            world.record(
                member, day, Decimal(rng.randrange(1, 400)) / 10, status=status, eligible=rng.random() < 0.9
            )
    world.save_records()


@pytest.fixture
def world(agency):
    # A senior social worker's cycle is 2 years of 45.5 hours here: cycle lengths differ by level.
    CERequirement.objects.create(agency=agency, level=SENIOR, hours_per_cycle=Decimal("45.5"), cycle_years=2)
    CERequirement.objects.create(agency=agency, level=ASW, hours_per_cycle=Decimal("72"), cycle_years=3)
    w = World(agency)
    _boundaries(w)
    _random(w, random.Random(20251201), 150)
    # Someone else's agency: never listed, never counted.
    other = World(AgencyFactory())
    member = other.person((SW, dt.date(2020, 1, 1), None))
    other.save_people()
    other.record(member, dt.date(2024, 1, 1), 100)
    other.save_records()
    return w


def _sql(agency, as_of, order, status="", staff_ids=None):
    qs = compliance_db.compliance_queryset(agency, as_of, staff_ids)
    if status:
        qs = compliance_db.with_status(qs, status)
    return compliance_db.rows_of(compliance_db.listing(qs, order))


def _python(agency, as_of, order, status="", staff_ids=None):
    return [r for r in compliance_rows(agency, as_of, staff_ids, order) if not status or r.status == status]


@pytest.mark.parametrize("as_of", AS_OF)
def test_the_database_gives_everyone_the_engine_s_figures_in_the_engine_s_order(world, as_of):
    agency = world.agency
    whole = compliance_rows(agency, as_of, order="urgency")
    assert len(whole) > 150
    counts = status_counts(whole)
    if as_of == D:
        # The generated set covers every status, and the boundaries decide some of each.
        assert all(n >= 10 for n in counts.values()), counts
    assert compliance_db.status_counts_db(compliance_db.compliance_queryset(agency, as_of)) == counts
    for order in ("urgency", "staff_no"):
        for status in STATUSES:
            assert _sql(agency, as_of, order, status) == _python(agency, as_of, order, status), (
                order,
                status,
            )


def test_the_boundaries_have_the_figures_metrics_md_gives(world):
    rows = {r.staff_no: r for r in _sql(world.agency, D, "staff_no")}
    # P0001: an assistant social worker whose registration ended 400 days before D, no hours: overdue.
    first = rows["P0001"]
    expires = D - dt.timedelta(days=400)
    assert (first.cycle_start, first.cycle_end) == (expires.replace(year=expires.year - 3) + DAY, expires)
    assert (first.earned_hours, first.shortfall_hours, first.status) == (
        Decimal("0.0"),
        Decimal("72.0"),
        "overdue",
    )
    assert first.days_to_cycle_end == -400
    by_cycle = {(r.cycle_start, r.cycle_end, r.level) for r in rows.values()}
    # A registration ending on 2024-02-29: the cycle's first day is 2021-03-01 (2021-02-28 + 1 day).
    assert (dt.date(2021, 3, 1), dt.date(2024, 2, 29), SW) in by_cycle
    # Issued 2020-02-29, registration end unknown, 3-year cycles: 2023-02-28 … 2026-02-27 as of D.
    assert (dt.date(2023, 2, 28), dt.date(2026, 2, 27), SW) in by_cycle
    # ... and 2-year cycles (the senior requirement here): 2024-02-29 … 2026-02-27.
    assert (dt.date(2024, 2, 29), dt.date(2026, 2, 27), SENIOR) in by_cycle
    # Issued on D three years ago: a new cycle starts on D.
    assert (D, D.replace(year=D.year + 3) - DAY, ASW) in by_cycle
    exact = [r for r in rows.values() if r.earned_hours == r.required_hours]
    assert exact and all(r.status == "compliant" and r.shortfall_hours == 0 for r in exact)
    at_180 = [r for r in rows.values() if r.days_to_cycle_end == 180 and r.shortfall_hours]
    at_181 = [r for r in rows.values() if r.days_to_cycle_end == 181 and r.shortfall_hours]
    assert at_180 and {r.status for r in at_180} == {"at_risk"}
    assert at_181 and {r.status for r in at_181} == {"on_track"}
    ended_today = [r for r in rows.values() if r.days_to_cycle_end == 0 and r.shortfall_hours]
    assert ended_today and {r.status for r in ended_today} == {"at_risk"}


def test_a_supervisor_s_people_only(world):
    ids = set(
        StaffMember.objects.filter(agency=world.agency).order_by("pk").values_list("pk", flat=True)[::3]
    )
    for order in ("urgency", "staff_no"):
        for status in STATUSES:
            python = _python(world.agency, D, order, status, ids)
            assert _sql(world.agency, D, order, status, ids) == python
    assert _sql(world.agency, D, "urgency", staff_ids=set()) == []


#: Every order and status filter the database computes (by staff number unfiltered, the page is
#: keyset-paged and summed for its people only: tests/training/test_compliance_paging.py).
PAGES = [
    (sort, status) for sort in ("urgency", "staff_no") for status in STATUSES if sort == "urgency" or status
]


@pytest.mark.parametrize(("sort", "status"), PAGES)
def test_the_page_and_page_two_show_the_engine_s_rows_and_counts(
    world, sort, status, director, login_client, monkeypatch
):
    monkeypatch.setattr(training_views, "COMPLIANCE_PER_PAGE", 10)
    whole = _python(world.agency, D, sort, status)
    assert len(whole) > 10
    client = login_client(director)
    base = f"/training/compliance/?as_of={D}&sort={sort}&status={status}"
    first = client.get(base, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _rows(first) == [_expected(r) for r in whole[:10]]
    second = client.get(f"{base}&page=2", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _rows(second) == [_expected(r) for r in whole[10:20]]
    pages = -(-len(whole) // 10)
    assert f"Page 2 of {pages}" in second
    counts = status_counts(compliance_rows(world.agency, D))
    line = re.search(r'<p><span class="badge .*?</p>', first, re.S).group(0)
    assert {k: int(n) for k, n in re.findall(r'class="badge (\w+)">[^<]*</span>\s*(\d+)', line)} == counts


def test_most_urgent_first_is_not_computed_in_python(world, director, login_client, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("computed for everyone in Python")

    monkeypatch.setattr(engine, "compliance_frame", refuse)
    client = login_client(director)
    assert client.get(f"/training/compliance/?as_of={D}").status_code == 200
    assert client.get(f"/training/compliance/?as_of={D}&status=overdue&sort=staff_no").status_code == 200
