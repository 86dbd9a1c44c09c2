"""A new agency's setup checklist, shown on the director's home page until every step is done.

Core knows no domain app: each app registers its own steps in ``AppConfig.ready()`` with
``register_setup_step(SetupStep(...))``; a step says where it is done (a URL name) and how to
tell that it is (``is_done(agency)``). The panel lists only the steps still to do and
disappears when none is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from core.models import Agency, Membership, agency_of
from core.navigation import dashboard_panel
from core.roles import Role


@dataclass(frozen=True)
class SetupStep:
    key: str
    label: str
    url_name: str
    is_done: Callable[[Agency], bool]
    order: int = 100
    help: str = ""


_STEPS: dict[str, SetupStep] = {}


def register_setup_step(step: SetupStep) -> SetupStep:
    """Add (or replace, by key) one step of the checklist."""
    _STEPS[step.key] = step
    return step


def setup_steps() -> list[SetupStep]:
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.key))


def pending_setup_steps(agency: Agency) -> list[dict]:
    """The steps ``agency`` has not done yet, in order, each with its link (one query per step)."""
    pending = []
    for step in setup_steps():
        if step.is_done(agency):
            continue
        try:
            url = reverse(step.url_name)
        except NoReverseMatch:
            continue
        pending.append({"key": step.key, "label": step.label, "help": step.help, "url": url})
    return pending


def people_invited(agency: Agency) -> bool:
    """Someone besides the first director has a login."""
    return Membership.objects.filter(agency=agency).count() > 1


@dashboard_panel(Role.DIRECTOR, order=1)
def setup_checklist_panel(request):
    agency = agency_of(request.user)
    if agency is None:
        return None
    steps = pending_setup_steps(agency)
    if not steps:
        return None
    return {"template": "core/panel_setup.html", "steps": steps, "total": len(_STEPS)}
