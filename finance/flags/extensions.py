"""Rules of other apps in the same flag machinery (the delivery app's rules on service activities).

An app registers a ``ScanExtension`` in ``ready()``: ``findings(contract)`` returns its findings
for a contract's scan (``Finding``s whose ``basis`` carries what their fingerprint rests on),
``rules`` its rule codes (severity, title, description), ``link(pairs)`` writes what each flag
is about on its side, ``describe(flags)`` adds fields to the flags' JSON (docs/commands.md),
``detail(flag, user)`` may add a block to the flag's page, and ``basis(contract)`` is what of the
contract the app's findings depend on, compared before and after a save (a change re-scans);
``people(change)`` the ids of the contracts whose findings, on the app's side, a change of
people data may change (``core.people_changes``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from finance.rules import REGISTRY, Rule


@dataclass(frozen=True)
class ScanExtension:
    name: str
    findings: Callable
    rules: Mapping[str, Rule]
    link: Callable
    describe: Callable
    #: ``detail(flag, user) -> {"template": ..., **context} | None``: a block of the flag's page.
    detail: Callable | None = None
    #: ``basis(contract) -> comparable value``: what of the contract, on the app's side, its
    #: findings depend on besides its records (the delivery targets); a save that changes it
    #: scans the contract again (``finance.flags.services.flags_scan_basis``).
    basis: Callable | None = None
    #: ``people(change) -> iterable of contract ids``: the contracts of ``change.agency_id``
    #: whose findings of the app a ``core.people_changes.PeopleChange`` may change (the
    #: delivery rules' activities of the people); ``flags_scan_on_people_change`` scans them.
    people: Callable | None = None


EXTENSIONS: dict[str, ScanExtension] = {}


def register(extension: ScanExtension) -> None:
    EXTENSIONS[extension.name] = extension


def rule_for(code: str) -> Rule | None:
    """The rule behind a flag: a finance rule, or one an extension declares."""
    if code in REGISTRY:
        return REGISTRY[code]
    for extension in EXTENSIONS.values():
        if code in extension.rules:
            return extension.rules[code]
    return None


def described(flags) -> dict[int, dict]:
    """Extra JSON fields per flag id from every extension (e.g. ``activities``, ``target``)."""
    extra: dict[int, dict] = {}
    for extension in EXTENSIONS.values():
        for flag_id, fields in extension.describe(flags).items():
            extra.setdefault(flag_id, {}).update(fields)
    return extra


def detail_sections(flag, user) -> list[dict]:
    """The blocks extensions add to a flag's page (e.g. the activities behind a delivery flag)."""
    sections = []
    for extension in EXTENSIONS.values():
        if extension.detail is not None:
            section = extension.detail(flag, user)
            if section:
                sections.append(section)
    return sections
