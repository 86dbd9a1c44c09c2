"""Progress of long work, drawn as a bar on a terminal and nothing anywhere else (docs/cli.md:
"Long-running commands show a progress bar on a terminal and stay quiet when piped").

Code that may run for a while says how far it is, without knowing who is watching::

    with progress.bar(_("Importing %(name)s") % {"name": name}, total=4) as bar:
        table = read_table(data)
        bar.advance(note=_("checking rows"))
        ...

    for contract in progress.track(contracts, _("Scanning contracts")):
        ...

Nothing is drawn unless a command turned bars on for its run (``terminal_bars``, which every
``SpecCommand`` does when its stderr is a terminal): a page, a background job, a test or a
command whose stderr is piped or redirected pays one context-variable lookup per bar. Bars are
tqdm's, on stderr, and are wiped when they finish (``leave=False``), so what stays on the
screen is the command's own report. Bars may nest (a contract's rows inside the contracts).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any, TypeVar

T = TypeVar("T")

_stream: ContextVar[IO[str] | None] = ContextVar("progress_stream", default=None)


class Bar:
    """One bar: ``advance`` it by finished units, with a ``note`` of what comes next."""

    def __init__(self, drawn: Any = None) -> None:
        self._drawn = drawn  # a tqdm bar, or None when nothing is drawn

    def advance(self, count: int = 1, *, note: str | None = None) -> None:
        if self._drawn is not None:
            if note is not None:
                self._drawn.set_postfix_str(note, refresh=False)
            self._drawn.update(count)


_SILENT = Bar()


@contextmanager
def bar(label: str, *, total: int | None = None, unit: str = "", note: str | None = None) -> Iterator[Bar]:
    """A bar for one piece of work of ``total`` units (None: a counter without an end)."""
    stream = _stream.get()
    if stream is None:
        yield _SILENT
        return
    from tqdm import tqdm

    sized = _has_width(stream)
    drawn = tqdm(
        total=total,
        desc=label,
        unit=f" {unit}" if unit else "it",
        # Steps of one piece of work (no unit) show how far and how long, not a rate.
        bar_format=None
        if unit or total is None
        else "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}{postfix}]",
        file=stream,
        leave=False,
        # Follow the window's size; a terminal that reports none (a pty nobody sized) gets 80×24.
        dynamic_ncols=sized,
        ncols=None if sized else 80,
        nrows=None if sized else 24,
        mininterval=0.25,
        postfix=note,
    )
    try:
        yield Bar(drawn)
    finally:
        drawn.close()


def _has_width(stream: Any) -> bool:
    try:
        return os.get_terminal_size(stream.fileno()).columns > 0
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False


def track(items: Iterable[T], label: str, *, total: int | None = None, unit: str = "") -> Iterator[T]:
    """``items``, advancing a bar by one for each (``total`` defaults to ``len(items)``)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with bar(label, total=total, unit=unit) as shown:
        for item in items:
            yield item
            shown.advance()


@contextmanager
def above_bars() -> Iterator[None]:
    """Write to the terminal during the block without breaking the bars: they are cleared and
    drawn again below what was written (for a command that reports as it goes)."""
    stream = _stream.get()
    if stream is None:
        yield
        return
    from tqdm import tqdm

    with tqdm.external_write_mode(file=stream):
        yield


@contextmanager
def terminal_bars(stream: Any) -> Iterator[None]:
    """Draw bars on ``stream`` during the block if it is a terminal; otherwise stay quiet.

    ``stream`` is a file or Django's ``OutputWrapper`` (its ``isatty`` asks the file it wraps).
    """
    raw = getattr(stream, "_out", stream)
    is_terminal = getattr(stream, "isatty", None)
    if not (callable(is_terminal) and is_terminal()):
        yield
        return
    token = _stream.set(raw)
    try:
        yield
    finally:
        _stream.reset(token)
