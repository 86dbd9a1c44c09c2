"""Extra top-level sections of a contract file (files.md), declared by other apps in ``ready()``.

``load_contract`` knows the heading, budget, assignments and disbursements. Another app adds a
section (the delivery app: ``targets``) with ``register(name, parse=..., apply=...)``:
``parse(value, agency=..., period=(start, end)) -> (parsed, errors)`` checks the file's value
before anything is written; ``apply(parsed, contract=..., created=..., user=..., filename=...)``
writes it inside the loader's transaction. A section absent from the file is left unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ContractSection:
    name: str
    parse: Callable
    apply: Callable


SECTIONS: dict[str, ContractSection] = {}


def register(name: str, *, parse: Callable, apply: Callable) -> None:
    SECTIONS[name] = ContractSection(name=name, parse=parse, apply=apply)
