"""The staff list pages by cursor (by number, name or position) or by number without a count
(by hire date, an annotation of the latest spell); its filters and order ride along."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

from tests.factories import SpellFactory, StaffMemberFactory
from tests.pagewalk import walk, walk_all


def _roster(agency, n: int = 70) -> list:
    people = []
    for i in range(n):
        member = StaffMemberFactory(
            agency=agency,
            staff_no=f"N{(i * 37) % n:03d}",
            name=f"社工{i % 20:02d}",
            position="社工" if i % 9 else "督导",
        )
        SpellFactory(staff=member, hire_date=dt.date(2020, 1, 1) + dt.timedelta(days=i % 6))
        people.append(member)
    return people


def test_the_staff_list_walks_by_cursor_with_its_search_and_order_and_counts_nothing(
    agency, director, login_client
):
    people = _roster(agency)
    client = login_client(director)
    by_number = [m.pk for m in sorted(people, key=lambda m: (m.staff_no, m.pk))]
    w = walk(client, "/staff/")
    assert (w.first, w.second, w.back) == (by_number[:50], by_number[50:], by_number[:50])
    assert w.counting("staff_staffmember") == []
    social_workers = [m for m in people if m.position == "社工"]
    for ordering, key, reverse in [
        ("name", lambda m: (m.name, m.pk), False),
        ("-name", lambda m: (m.name, m.pk), True),
        ("position", lambda m: (m.position, m.pk), False),
    ]:
        expected = [m.pk for m in sorted(social_workers, key=key, reverse=reverse)]
        assert len(expected) == 62
        w = walk(client, "/staff/", f"position=社工&ordering={ordering}")
        assert (w.first, w.second, w.back) == (expected[:50], expected[50:], expected[:50]), ordering
        params = parse_qs(w.next_query)
        assert params["ordering"] == [ordering] and params["position"] == ["社工"] and "after" in params
        assert w.counting("staff_staffmember") == [], ordering
    # By hire date: numbered pages, every person once (ties broken by the primary key), no count.
    w = walk(client, "/staff/", "ordering=hire_date")
    assert "page=2" in w.next_query and "ordering=hire_date" in w.next_query
    assert len(w.first) == 50 and len(w.second) == 20 and w.back == w.first
    assert w.counting("staff_staffmember") == []
    hired = {m.pk: dt.date(2020, 1, 1) + dt.timedelta(days=i % 6) for i, m in enumerate(people)}
    assert walk_all(client, "/staff/", "ordering=hire_date") == sorted(hired, key=lambda pk: (hired[pk], pk))
