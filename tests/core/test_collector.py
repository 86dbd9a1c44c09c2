"""The cyclic collector is held off around imports and scans, and always comes back."""

import gc
from unittest import mock

import pytest

from core.collector import no_gc_pauses
from core.importing.flow import run_import


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:  # pragma: no cover - pytest runs with the collector on
        gc.disable()


def test_the_collector_is_off_in_the_block_and_on_after_it(collector_on):
    with no_gc_pauses():
        assert gc.isenabled() is False
    assert gc.isenabled() is True


def test_the_collector_comes_back_when_the_block_fails(collector_on):
    with pytest.raises(ZeroDivisionError), no_gc_pauses():
        1 / 0  # noqa: B018
    assert gc.isenabled() is True


def test_an_inner_block_leaves_it_off_for_the_outer_one(collector_on):
    with no_gc_pauses():
        with no_gc_pauses():
            pass
        assert gc.isenabled() is False
    assert gc.isenabled() is True


def test_a_collector_already_off_stays_off(collector_on):
    gc.disable()
    with no_gc_pauses():
        pass
    assert gc.isenabled() is False


def test_an_import_runs_with_the_collector_off(collector_on):
    seen = []
    with mock.patch(
        "core.importing.flow._run_import", side_effect=lambda *a, **k: seen.append(gc.isenabled())
    ):
        run_import(mock.Mock(), data=b"", filename="x.csv")
    assert seen == [False]
    assert gc.isenabled() is True
