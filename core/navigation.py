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
    #: The menu section the entry sits in when a person's menu is long (``nav_entries_for``),
    #: e.g. "Finance"; empty for an entry always shown on its own (Home, Reports).
    group: str = ""


#: A menu of at most this many entries is shown flat; a longer one (a director has about 25)
#: folds each group of two or more entries under its name.
FLAT_MENU_MAX = 8


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
        visible.append({"label": item.label, "url": url, "url_name": item.url_name, "group": item.group})
    return visible


def nav_entries(items: list[dict], path: str = "") -> list[dict]:
    """The menu as the layout draws it: ``items`` (``nav_items_for``) in order, each either
    an item or, when the menu is longer than ``FLAT_MENU_MAX``, a group (``{"group": label,
    "items": [...], "current": bool}``) standing where its first entry would; a group with a
    single entry for this person stays a plain item. ``current`` marks the group holding
    ``path``'s page, so the closed menu still shows where one is."""
    if len(items) <= FLAT_MENU_MAX:
        return [{"item": item} for item in items]
    members: dict[str, list[dict]] = {}
    for item in items:
        if item["group"]:
            members.setdefault(str(item["group"]), []).append(item)
    entries: list[dict] = []
    for item in items:
        group = members.get(str(item["group"])) if item["group"] else None
        if group is None or len(group) == 1:
            entries.append({"item": item})
        elif group[0] is item:
            entries.append(
                {
                    "group": item["group"],
                    "items": group,
                    "current": any(member["url"] == path for member in group),
                }
            )
    return entries


def panels_for(request) -> list[dict]:
    roles = user_roles(request.user)
    rendered = []
    for panel in sorted(_PANELS, key=lambda p: p.order):
        if roles.intersection(panel.roles):
            result = panel.func(request)
            if result:
                rendered.append(result)
    return rendered
