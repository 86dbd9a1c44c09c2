"""Extra top-level sections of a contract file, offered by the apps that own them.

finance reads the contract itself (heading, policy, budget lines, assignments, disbursements);
an app above it that keeps more about a contract (its targets, say) registers the top-level key
it reads, from its ``AppConfig.ready()``::

    register_contract_section("targets", validate=targets_validate, apply=targets_apply)

Once registered, the key is known to the loader (an unregistered key is an error naming it),
``validate`` checks the section before anything is written, and ``apply`` writes it inside the
same transaction as the rest of the contract (``finance.services.contract_save``), so a refused
section changes nothing, and a refused contract leaves the section unwritten.

``validate(value, context)`` gets the section's raw JSON value and a :class:`SectionContext`; it
returns ``(parsed, problems)``, each problem a sentence that starts with its place in the file
(``targets[2].quantity: must be a positive whole number``; :func:`unknown_keys` words the
unknown-key ones). ``apply(*, contract, value, created, user, reason, approve)`` gets the parsed
value, the saved contract, whether this save created it, the loading user, the reason recorded for revisions ("Loaded from FILE")
and whether changes are approved at once (the command line) or left proposed (the web); what
it returns is kept in ``ContractSaveResult.sections[key]``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from core.models import Agency

#: The keys finance reads itself (docs/formats.md); a section cannot take one of them.
CONTRACT_KEYS = (
    "code",
    "title",
    "funder",
    "start",
    "end",
    "total",
    "currency",
    "policy",
    "budget_lines",
    "assignments",
    "disbursements",
)
BUDGET_LINE_KEYS = ("code", "name", "category", "amount")
ASSIGNMENT_KEYS = ("staff_no", "start", "end", "fte")
DISBURSEMENT_KEYS = ("date", "amount", "reference")


@dataclass(frozen=True)
class SectionContext:
    """What a section's check may need to know of the contract being loaded."""

    agency: Agency
    code: str | None
    start: dt.date | None
    end: dt.date | None
    existing: Any  # the agency's contract with this code, or None when the file creates it


@dataclass(frozen=True)
class ContractSection:
    key: str
    validate: Callable[[Any, SectionContext], tuple[Any, list[str]]]
    apply: Callable[..., Any]


_SECTIONS: dict[str, ContractSection] = {}


def register_contract_section(
    key: str,
    *,
    validate: Callable[[Any, SectionContext], tuple[Any, list[str]]],
    apply: Callable[..., Any],
) -> ContractSection:
    """Make ``key`` a known top-level key of contract files (call from ``AppConfig.ready()``)."""
    if key in CONTRACT_KEYS:
        raise ImproperlyConfigured(f"{key!r} is a key finance reads itself; choose another section key.")
    section = ContractSection(key, validate, apply)
    current = _SECTIONS.get(key)
    if current is not None and current != section:
        raise ImproperlyConfigured(f"The contract-file section {key!r} is registered twice.")
    _SECTIONS[key] = section
    return section


def contract_sections() -> dict[str, ContractSection]:
    """The registered sections, by key."""
    return dict(_SECTIONS)


def known_contract_keys() -> tuple[str, ...]:
    return (*CONTRACT_KEYS, *_SECTIONS)


def unknown_keys(item: dict, known: Iterable[str], where: str = "") -> list[str]:
    """A problem per key of ``item`` not in ``known``, naming the key and its place.

    ``budget_lines[2]: unknown key "amont" (did you mean "amount"?)``; at the top level of the
    file ``where`` is empty and the sentence starts with the key.
    """
    known = list(known)
    problems = []
    for key in item:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.8)
        if close:
            text = _('unknown key "%(key)s" (did you mean "%(close)s"?)') % {"key": key, "close": close[0]}
        else:
            text = _('unknown key "%(key)s"') % {"key": key}
        problems.append(f"{where}: {text}" if where else text)
    return problems
