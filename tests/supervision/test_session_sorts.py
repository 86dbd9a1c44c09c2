"""The session list by duration and by date: exact orders over pages, ties broken by id in the
order's own direction, so each session shows once; on PostgreSQL the duration order is read from
the ``(agency, duration_minutes, id)`` index instead of sorting the agency's sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from supervision.models import SupervisionSession
from tests.pagewalk import walk, walk_all

MINUTES = [60, 45, 90, 60, 120, 60, 45]


@pytest.fixture
def sessions(agency, supervisor_member):
    """120 sessions (three pages of 50): only five durations, so pages break inside runs of ties;
    dates repeat every 9 sessions and start times every 4."""
    SupervisionSession.objects.bulk_create(
        SupervisionSession(
            agency=agency,
            supervisor=supervisor_member,
            date=dt.date(2026, 1, 1) + dt.timedelta(days=i % 9),
            start_time=dt.time(9 + i % 4),
            duration_minutes=MINUTES[i % len(MINUTES)],
            notes="n",
        )
        for i in range(120)
    )
    return list(SupervisionSession.objects.filter(agency=agency))


#: The orders, written out independently of the view.
ORDERS = {
    "duration": (lambda s: (s.duration_minutes, s.pk), False),
    "-duration": (lambda s: (s.duration_minutes, s.pk), True),
    "-date": (lambda s: (s.date, s.start_time, s.pk), True),
}


@pytest.mark.parametrize("sort", list(ORDERS))
def test_a_director_walks_every_session_once_in_the_exact_order(sort, director, login_client, sessions):
    key, reverse = ORDERS[sort]
    expected = [s.pk for s in sorted(sessions, key=key, reverse=reverse)]
    assert walk_all(login_client(director), "/supervision/", f"sort={sort}") == expected


def test_the_oldest_first_order_breaks_ties_newest_id_first(director, login_client, sessions):
    expected = [s.pk for s in sorted(sessions, key=lambda s: (s.date, s.start_time, -s.pk))]
    assert walk_all(login_client(director), "/supervision/", "sort=date") == expected


@pytest.mark.parametrize("sort", ["duration", "-duration"])
def test_a_duration_page_and_its_previous_link_show_the_same_sessions(sort, director, login_client, sessions):
    key, reverse = ORDERS[sort]
    expected = [s.pk for s in sorted(sessions, key=key, reverse=reverse)]
    w = walk(login_client(director), "/supervision/", f"sort={sort}")
    assert w.first == expected[:50]
    assert w.second == expected[50:100]
    assert w.back == w.first
    assert f"sort={sort}" in w.next_query


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
@pytest.mark.parametrize("order", [("duration_minutes", "id"), ("-duration_minutes", "-id")])
def test_on_postgresql_the_duration_order_is_read_from_its_index(order, agency, sessions):
    qs = SupervisionSession.objects.filter(agency=agency).order_by(*order)[:51]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = qs.explain()
    assert "supervision_session_duration" in plan
    assert "Sort Key" not in plan
