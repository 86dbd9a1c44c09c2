"""Finding a contract's budget line or target by what a file row calls it, and repeated values.

A ledger row names its budget line, and an activity row its target, by the code or by the exact
name (docs/formats.md). Codes win over names: a line named like another line's code is found by
the code. A name that two of them share finds neither: the row is refused with the codes to
choose from, never booked to whichever came last.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def repeated(values: Iterable[K]) -> list[K]:
    """The values that occur more than once, each once, sorted."""
    return sorted(value for value, count in Counter(values).items() if count > 1)


def code_or_name_index(
    items: Iterable[Any], value: Callable[[Any], T] = lambda item: item
) -> tuple[dict[str, T], dict[str, list[str]]]:
    """``(index, ambiguous)`` for objects with ``code`` and ``name``.

    ``index`` maps each code, and each name no other item shares, to ``value(item)``;
    ``ambiguous`` maps each shared name that is nobody's code to the sorted codes of the items
    bearing it.
    """
    items = list(items)
    by_name: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        by_name[item.name].append(item)
    codes = {item.code: value(item) for item in items}
    index = {name: value(named[0]) for name, named in by_name.items() if len(named) == 1}
    index.update(codes)
    ambiguous = {
        name: sorted(item.code for item in named)
        for name, named in by_name.items()
        if len(named) > 1 and name not in codes
    }
    return index, ambiguous
