"""People data changed: what the staff and training apps publish, and the apps above subscribe to.

The flag rules of finance and delivery read people data that other apps keep (docs/rules.md):
staff numbers and names (messages, PAYEE_IS_STAFF), employment spells (GHOST_PERSONNEL,
ACTIVITY_NOT_EMPLOYED) and approved training hours per day (ACTIVITY_DURING_TRAINING). Staff and
training know no app above them (the layer contract), so they describe what changed in a
``PeopleChange`` and hand it to ``people_changed_publish``; a subscriber (finance, registered in
its ``ready()`` with ``people_change_subscriber``) chooses the contracts to scan again.

Publishers call it inside the write's transaction, and only when one of those values changed (a
save that changes nothing a rule reads publishes nothing). ``people_changes_collected`` merges
the changes published in its block into one per agency, sent when the outermost block ends
without an error (a person created with their first spell, a roster import): one choice of
contracts per write, however many rows it changed.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PeopleChange:
    """What changed of an agency's people, as the rules read it.

    ``identity``: staff whose staff number or name changed; ``names``: the names that came or
    went (before and after a rename, of a person created or deleted: a payee may carry any of
    them; a person just created or deleted has no records to look up by id). ``employment``: staff
    whose employment spells changed (a hire or exit date, a spell added or removed).
    ``training``: (staff id, day) of which the approved training hours changed (a record
    approved, or an approved one created, re-dated or given other hours). ``by``: the user who
    made the change, when known (the scans it queues are recorded as theirs); not part of
    what changed, so two changes differing only in it are equal.
    """

    agency_id: int
    identity: frozenset[int] = field(default_factory=frozenset)
    names: frozenset[str] = field(default_factory=frozenset)
    employment: frozenset[int] = field(default_factory=frozenset)
    training: frozenset[tuple[int, dt.date]] = field(default_factory=frozenset)
    by: Any = field(default=None, compare=False)

    def __bool__(self) -> bool:
        return bool(self.identity or self.names or self.employment or self.training)

    def merged(self, other: PeopleChange) -> PeopleChange:
        return PeopleChange(
            agency_id=self.agency_id,
            identity=self.identity | other.identity,
            names=self.names | other.names,
            employment=self.employment | other.employment,
            training=self.training | other.training,
            by=self.by if getattr(self.by, "pk", None) else other.by,
        )


_SUBSCRIBERS: list[Callable[[PeopleChange], None]] = []
_collecting = threading.local()


def people_change_subscriber(func: Callable[[PeopleChange], None]) -> Callable[[PeopleChange], None]:
    """Register ``func(change)``, called with every published ``PeopleChange`` (in ``ready()``)."""
    if func not in _SUBSCRIBERS:
        _SUBSCRIBERS.append(func)
    return func


def _send(change: PeopleChange) -> None:
    for func in list(_SUBSCRIBERS):
        func(change)


#: Ids per query when a subscriber looks records up by person (a roster of thousands).
CHUNK = 1000


def people_chunks(ids) -> Iterator[list[int]]:
    """``ids`` sorted, in lists of at most ``CHUNK`` (one ``IN`` list per query)."""
    ordered = sorted(ids)
    for at in range(0, len(ordered), CHUNK):
        yield ordered[at : at + CHUNK]


def people_changed_publish(
    *,
    agency,
    identity: Iterable[int] = (),
    names: Iterable[str] = (),
    employment: Iterable[int] = (),
    training: Iterable[tuple[int, dt.date]] = (),
    by: Any = None,
) -> None:
    """Tell the subscribers what of ``agency``'s people changed (nothing when nothing did);
    ``by``: the user who changed it.

    Inside ``people_changes_collected`` the change waits for the end of the outermost block."""
    change = PeopleChange(
        agency_id=getattr(agency, "pk", agency),
        identity=frozenset(identity),
        names=frozenset(name for name in names if name),
        employment=frozenset(employment),
        training=frozenset(training),
        by=by,
    )
    if not change:
        return
    pending = getattr(_collecting, "pending", None)
    if pending is None:
        _send(change)
        return
    before = pending.get(change.agency_id)
    pending[change.agency_id] = change if before is None else before.merged(change)


@contextmanager
def people_changes_collected() -> Iterator[None]:
    """Merge what is published in the block into one change per agency, sent at its end (when
    the block raises, nothing is sent: the transaction it is in is rolled back)."""
    if getattr(_collecting, "pending", None) is not None:
        yield
        return
    _collecting.pending = {}
    try:
        yield
        pending = _collecting.pending
    finally:
        _collecting.pending = None
    for change in pending.values():
        _send(change)
