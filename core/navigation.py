"""Role-aware navigation and home-page panels, contributed by each app.

An app lists its menu entries in ``AppConfig.nav_items`` and registers dashboard panels with
``@dashboard_panel``; the base layout and the home page only read these registries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from core.roles import user_roles


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]
    order: int = 100


@dataclass(frozen=True)
class Panel:
    func: Callable
    roles: tuple[str, ...]
    order: int


_PANELS: list[Panel] = []


def dashboard_panel(*roles: str, order: int = 100):
    """Register ``func(request) -> {"template": ..., **context} | None`` for these roles."""

    def decorator(func):
        _PANELS.append(Panel(func=func, roles=tuple(roles), order=order))
        return func

    return decorator


def nav_items_for(user) -> list[dict]:
    roles = user_roles(user)
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        items.extend(getattr(config, "nav_items", ()))
    visible = []
    for item in sorted(items, key=lambda i: i.order):
        if not roles.intersection(item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append({"label": item.label, "url": url, "url_name": item.url_name})
    return visible


def panels_for(request) -> list[dict]:
    roles = user_roles(request.user)
    rendered = []
    for panel in sorted(_PANELS, key=lambda p: p.order):
        if roles.intersection(panel.roles):
            result = panel.func(request)
            if result:
                rendered.append(result)
    return rendered
