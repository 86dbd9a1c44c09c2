"""``core.people_changes``: what staff and training publish, merged per write, sent to subscribers."""

from __future__ import annotations

import datetime as dt

import pytest

from core import people_changes
from core.people_changes import PeopleChange, people_changed_publish, people_changes_collected, people_chunks


@pytest.fixture
def received(monkeypatch) -> list[PeopleChange]:
    """The changes sent, with only this test's subscriber listening."""
    got: list[PeopleChange] = []
    monkeypatch.setattr(people_changes, "_SUBSCRIBERS", [got.append])
    return got


def test_a_change_is_sent_at_once_and_an_empty_one_not_at_all(received):
    people_changed_publish(agency=7, employment=[3])
    people_changed_publish(agency=7, identity=[], names=["", ""], training=())
    assert received == [PeopleChange(agency_id=7, employment=frozenset({3}))]


def test_changes_collected_in_a_block_are_sent_once_per_agency_at_its_end(received):
    day = dt.date(2025, 3, 10)
    with people_changes_collected():
        people_changed_publish(agency=7, names=["李社工"])
        with people_changes_collected():
            people_changed_publish(agency=7, employment=[3], training=[(3, day)])
        people_changed_publish(agency=8, identity=[9], names=["赵敏", "赵 敏"])
        assert received == []
    assert received == [
        PeopleChange(
            agency_id=7,
            names=frozenset({"李社工"}),
            employment=frozenset({3}),
            training=frozenset({(3, day)}),
        ),
        PeopleChange(agency_id=8, identity=frozenset({9}), names=frozenset({"赵敏", "赵 敏"})),
    ]


def test_a_block_that_raises_sends_nothing(received):
    with pytest.raises(ValueError), people_changes_collected():
        people_changed_publish(agency=7, employment=[3])
        raise ValueError
    people_changed_publish(agency=7, employment=[4])
    assert received == [PeopleChange(agency_id=7, employment=frozenset({4}))]


def test_ids_are_looked_up_a_thousand_at_a_time():
    assert [len(chunk) for chunk in people_chunks(range(2500, 0, -1))] == [1000, 1000, 500]
    assert next(people_chunks({5, 1, 3})) == [1, 3, 5]


def test_the_user_who_made_a_change_travels_with_it_and_survives_the_merge(received):
    from types import SimpleNamespace

    director = SimpleNamespace(pk=5, username="director")
    with people_changes_collected():
        people_changed_publish(agency=7, names=["李社工"])
        people_changed_publish(agency=7, employment=[3], by=director)
        people_changed_publish(agency=7, employment=[4], by=None)
    assert [change.by for change in received] == [director]
    # Who made it is not part of what changed.
    assert received == [PeopleChange(agency_id=7, names=frozenset({"李社工"}), employment=frozenset({3, 4}))]
