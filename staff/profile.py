"""Sections that other modules add to a staff member's profile page.

Training and supervision (and any later module) register a section instead of editing the
staff templates::

    from staff.profile import profile_section

    @profile_section(order=20)
    def training_section(request, member):
        return {"template": "training/profile_section.html", "records": ...}  # or None

The profile page renders each returned dict with ``{% include section.template %}`` inside
the ``module_sections`` block of ``templates/staff/detail.html``; the dict is available
there as ``section``. Return None to show nothing (for example when the user may not see it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class _Section:
    func: Callable
    order: int


_SECTIONS: list[_Section] = []


def profile_section(order: int = 100):
    """Register ``func(request, member) -> {"template": ..., **context} | None``."""

    def decorator(func):
        if not any(section.func is func for section in _SECTIONS):
            _SECTIONS.append(_Section(func=func, order=order))
        return func

    return decorator


def sections_for(request, member) -> list[dict]:
    """The rendered-to-be sections for ``member``, in order."""
    sections = []
    for section in sorted(_SECTIONS, key=lambda s: s.order):
        result = section.func(request, member)
        if result:
            sections.append(result)
    return sections
