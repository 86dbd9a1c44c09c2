"""cli.md: long-running commands show a progress bar on a terminal and stay quiet when piped
(core.progress; every SpecCommand turns bars on when its stderr is a terminal)."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import call_command

from core import progress
from core.management.base import SpecCommand


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a console's stderr does."""

    def isatty(self) -> bool:
        return True


def test_without_bars_turned_on_nothing_is_drawn_and_tracking_keeps_every_item(monkeypatch):
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)  # a terminal, but no command turned bars on
    with progress.bar("work", total=2) as shown:
        shown.advance(note="half")
    assert list(progress.track([3, 1, 2], "items")) == [3, 1, 2]
    assert screen.getvalue() == ""


def test_on_a_terminal_bars_are_drawn_with_their_label_count_and_note_then_wiped():
    screen = Terminal()
    with progress.terminal_bars(screen):
        with progress.bar("导入 ledger.csv", total=4, note="reading") as shown:
            shown.advance(note="checking")
        assert list(progress.track(["C1", "C2"], "Scanning contracts")) == ["C1", "C2"]
    drawn = screen.getvalue()
    assert "导入 ledger.csv" in drawn and "0/4" in drawn and "reading" in drawn
    assert "Scanning contracts" in drawn and "0/2" in drawn
    assert drawn.endswith("\r")  # the bar is wiped: the command's own report stays on screen
    list(progress.track([1], "after the block"))
    assert screen.getvalue() == drawn  # bars are off again once the block ends


def test_a_stream_that_is_not_a_terminal_gets_nothing():
    piped = io.StringIO()
    with progress.terminal_bars(piped):
        list(progress.track([1, 2], "work"))
    assert piped.getvalue() == ""


class _Slow(SpecCommand):
    def handle(self, *args, **options):
        for _item in progress.track(range(3), "slow work"):
            pass
        self.stdout.write("finished")


def test_a_command_run_from_a_terminal_draws_on_stderr_and_prints_its_report_on_stdout(monkeypatch, capsys):
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    _Slow().run_from_argv(["manage.py", "slow"])
    assert capsys.readouterr().out == "finished\n"
    assert "slow work" in screen.getvalue() and "0/3" in screen.getvalue()


@pytest.mark.parametrize("stderr", [io.StringIO(), None], ids=["piped", "redirected"])
def test_a_command_whose_stderr_is_piped_writes_nothing_there(stderr, monkeypatch, capsys):
    if stderr is None:  # the command's default stderr, a file
        monkeypatch.setattr(sys, "stderr", io.StringIO())
        call_command(_Slow())
        assert sys.stderr.getvalue() == ""
    else:
        call_command(_Slow(), stderr=stderr)
        assert stderr.getvalue() == ""


def test_a_line_written_while_a_bar_is_drawn_starts_on_a_cleared_line():
    screen = Terminal()
    with progress.terminal_bars(screen), progress.bar("work", total=2), progress.above_bars():
        screen.write("staff: 25 people\n")
    drawn = screen.getvalue()
    before, line, _rest = drawn.partition("staff: 25 people\n")
    assert line and "work" in before and before.endswith("\r")


def test_bars_follow_the_language_of_the_command():
    from django.utils import translation

    screen = Terminal()
    with translation.override("zh-hans"), progress.terminal_bars(screen):
        for _item in progress.track([1], translation.gettext("Scanning contracts")):
            pass
    assert "扫描合同" in screen.getvalue()


def test_the_jobs_worker_draws_no_bars_for_the_jobs_it_runs(monkeypatch):
    from core.management.commands.jobs_worker import Command as Worker

    def a_job(self, *args, **options):
        list(progress.track(range(3), "a scan the worker runs"))

    monkeypatch.setattr(Worker, "handle", a_job)
    screen = Terminal()
    call_command(Worker(), "--batch", stderr=screen)
    assert screen.getvalue() == ""
    call_command(_Slow(), stderr=screen, stdout=io.StringIO())  # an ordinary command does draw
    assert "slow work" in screen.getvalue()


def test_a_counter_without_an_end_is_drawn_too():
    screen = Terminal()
    with progress.terminal_bars(screen):
        assert list(progress.track(iter(["a", "b"]), "reading rows")) == ["a", "b"]
    assert "reading rows" in screen.getvalue() and "0it" in screen.getvalue()
