"""What the domain apps contribute to pages they do not own, registered in ``AppConfig.ready()``.

Core and staff know no later app; an app that has something to show elsewhere registers it
here (the pattern of ``core.navigation``'s dashboard panels and nav items):

- ``report_contracts``: the contracts a user may pick in a report form (finance);
- ``report_section``: a block of the Reports page, e.g. the own-transcript link (training);
- ``profile_section``: a block of a staff member's profile page (training, supervision, ...);
- ``supervisees_source``: the staff a supervisor supervises (supervision), read by staff's
  row-level rules.

Section functions return ``{"template": ..., **context}`` or None (nothing to show); the page
includes each template with the dict as ``section``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class _Entry:
    func: Callable
    order: int


_REPORT_CONTRACTS: list[_Entry] = []
_REPORT_SECTIONS: list[_Entry] = []
_PROFILE_SECTIONS: list[_Entry] = []
_SUPERVISEES: list[Callable] = []


def _register(registry: list[_Entry], order: int):
    def decorator(func):
        if not any(entry.func is func for entry in registry):
            registry.append(_Entry(func=func, order=order))
        return func

    return decorator


def _ordered(registry: list[_Entry]) -> list[Callable]:
    return [entry.func for entry in sorted(registry, key=lambda e: e.order)]


def _rendered(registry: list[_Entry], *args) -> list[dict]:
    return [result for func in _ordered(registry) if (result := func(*args))]


# --- the Reports page -------------------------------------------------------------------------


def report_contracts(order: int = 100):
    """Register ``func(user) -> [(code, label), ...]``: contracts ``user`` may report on."""
    return _register(_REPORT_CONTRACTS, order)


def report_contract_choices(user) -> list[tuple[str, str]]:
    """Every registered contract choice for ``user``, in registration order."""
    return [choice for func in _ordered(_REPORT_CONTRACTS) for choice in func(user)]


def report_section(order: int = 100):
    """Register ``func(request) -> {"template": ..., **context} | None`` for the Reports page."""
    return _register(_REPORT_SECTIONS, order)


def report_sections_for(request) -> list[dict]:
    return _rendered(_REPORT_SECTIONS, request)


# --- the staff profile page -------------------------------------------------------------------


def profile_section(order: int = 100):
    """Register ``func(request, member) -> {"template": ..., **context} | None``."""
    return _register(_PROFILE_SECTIONS, order)


def profile_sections_for(request, member) -> list[dict]:
    """The sections to include on ``member``'s profile page, in order."""
    return _rendered(_PROFILE_SECTIONS, request, member)


# --- whom a supervisor supervises -------------------------------------------------------------


def supervisees_source(func):
    """Register ``func(member) -> QuerySet`` of the staff ids ``member`` supervises."""
    if func not in _SUPERVISEES:
        _SUPERVISEES.append(func)
    return func


def supervisee_querysets(member) -> list:
    """One id queryset per registered source (none when no app supervises anyone)."""
    return [func(member) for func in _SUPERVISEES]
