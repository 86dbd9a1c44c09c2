"""The five roles of docs/roles.md, held as Django groups.

Model-level permissions come from each app's ``AppConfig.role_permissions`` (a mapping of
role to permission codenames on that app's models), so an app declares its own part of the
matrix next to its models. Row-level limits (own record, own supervisees, granted contracts)
are applied by each model's ``restrict_queryset`` (core.models.TenantModel).
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DIRECTOR = "director", _("Agency director")
    FINANCE = "finance", _("Finance officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    STAFF = "staff", _("Staff member")
    AUDITOR = "auditor", _("External auditor")


def role_permission_matrix() -> dict[str, set[tuple[str, str]]]:
    """Every role's (app_label, codename) pairs, collected from the installed apps."""
    matrix: dict[str, set[tuple[str, str]]] = {role.value: set() for role in Role}
    for config in apps.get_app_configs():
        declared = getattr(config, "role_permissions", None) or {}
        for role, codenames in declared.items():
            if role not in matrix:
                raise ValueError(f"{config.label}.role_permissions names unknown role {role!r}")
            matrix[role].update((config.label, codename) for codename in codenames)
    return matrix


def sync_role_groups() -> None:
    """Create one group per role and give it exactly the declared model permissions."""
    for role, pairs in role_permission_matrix().items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for app_label, codename in sorted(pairs):
            try:
                wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
            except Permission.DoesNotExist as exc:
                raise ValueError(
                    f"role {role!r} names permission {app_label}.{codename}, which does not exist"
                ) from exc
        group.permissions.set(wanted)


def sync_role_groups_receiver(sender, app_config=None, using="default", **kwargs) -> None:
    # post_migrate fires once per app with models; wait for the last so every app's
    # permissions can be created first (auth creates them app by app otherwise).
    if app_config is not None and app_config.label != _last_app_label():
        return
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    sync_role_groups()


def _last_app_label() -> str:
    return [config for config in apps.get_app_configs() if config.models_module is not None][-1].label


def user_roles(user) -> frozenset[str]:
    """The role names a user holds (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        valid = set(Role.values)
        cached = frozenset(name for name in user.groups.values_list("name", flat=True) if name in valid)
        user._role_cache = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user).intersection(roles))
