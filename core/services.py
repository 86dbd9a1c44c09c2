"""Writes of the core app: agencies, members and their roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import Agency, Membership
from core.roles import Role

User = get_user_model()


def _clean_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        raise ValidationError(
            {
                "roles": _("Unknown role %(roles)s; choose from %(choices)s.")
                % {"roles": ", ".join(map(str, unknown)), "choices": ", ".join(Role.values)}
            }
        )
    if not roles:
        raise ValidationError({"roles": _("Give the user at least one role.")})
    return roles


@transaction.atomic
def agency_create(*, name: str, slug: str, country: str = "CN") -> Agency:
    agency = Agency(name=name, slug=slug, country=country)
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def member_create(
    *,
    agency: Agency,
    username: str,
    password: str | None,
    roles: Iterable[str],
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    validate: bool = True,
) -> User:
    """Create a login in ``agency`` with the given roles; the password is validated."""
    roles = _clean_roles(roles)
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.full_clean(exclude=["password"])
    if password:
        if validate:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, agency=agency)
    member_set_roles(user=user, roles=roles)
    return user


@transaction.atomic
def member_set_roles(*, user: User, roles: Iterable[str]) -> None:
    """Replace a member's roles; unknown role names are refused with the valid choices."""
    roles = _clean_roles(roles)
    groups = [Group.objects.get_or_create(name=role)[0] for role in roles]
    valid = set(Role.values)
    keep = [g for g in user.groups.all() if g.name not in valid]
    user.groups.set(keep + groups)
    user._role_cache = None
    if hasattr(user, "_perm_cache"):
        del user._perm_cache
    if hasattr(user, "_group_perm_cache"):
        del user._group_perm_cache


@transaction.atomic
def member_deactivate(*, user: User) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])
