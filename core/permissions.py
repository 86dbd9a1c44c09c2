"""Permissions: role (group) model permissions, guardian object permissions, DRF classes.

This is the one module that knows django-guardian; the rest of the code calls these helpers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model, QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm
from rest_framework import permissions

from core.models import agency_of

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def perm_name(model: type[Model] | Model, action: str) -> str:
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def grant_object_perm(user_or_group, obj: Model, *actions: str) -> None:
    """Give one user (or group) per-object permissions, e.g. an auditor on one contract."""
    for action in actions:
        assign_perm(perm_name(obj, action), user_or_group, obj)


def revoke_object_perm(user_or_group, obj: Model, *actions: str) -> None:
    for action in actions:
        remove_perm(perm_name(obj, action), user_or_group, obj)


def objects_with_object_perm(user, qs: QuerySet, action: str = "view") -> QuerySet:
    """Rows of ``qs`` on which ``user`` holds the object permission (not the global one).

    The rows are found from the user's own permission rows: ``pk IN (their object ids)``.
    guardian's ``get_objects_for_user`` also limits those permission rows to ``object_pk IN
    (every pk of qs, as text)``, which makes the database read and hash every row of ``qs`` (a
    supervisor's session list read all 100,000 sessions of the agency for their 300); ``qs``
    filters the rows anyway. Models guardian keeps direct (non-generic) or with a non-integer
    primary key are left to guardian.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import BigIntegerField, IntegerField
    from django.db.models.functions import Cast
    from guardian.utils import get_user_obj_perms_model

    model = qs.model
    perms = get_user_obj_perms_model(model)
    if not perms.objects.is_generic() or not isinstance(model._meta.pk, IntegerField | BigIntegerField):
        return get_objects_for_user(
            user,
            perm_name(model, action),
            klass=qs,
            use_groups=False,
            with_superuser=False,
            accept_global_perms=False,
        )
    ids = (
        perms.objects.filter(
            user=user,
            permission__content_type=ContentType.objects.get_for_model(model),
            permission__codename=f"{action}_{model._meta.model_name}",
        )
        .annotate(obj_pk=Cast("object_pk", BigIntegerField()))
        .values("obj_pk")
    )
    return qs.filter(pk__in=ids)


def users_with_object_perm(obj: Model, action: str = "view") -> Iterable:
    from guardian.shortcuts import get_users_with_perms

    codename = f"{action}_{obj._meta.model_name}"
    return [
        user
        for user, perms in get_users_with_perms(obj, attach_perms=True, with_group_users=False).items()
        if codename in perms
    ]


class RolePermission(permissions.BasePermission):
    """DRF: an authenticated agency member whose roles grant the model permission.

    Holding ``view_<model>`` means "may see some rows"; which rows is the queryset's business
    (``for_user``), so an object outside it answers 404. Creating needs ``add_<model>``;
    changing or deleting an object needs it to be in ``for_user(user, action)``, else 403
    (the user can already see it, so 403 reveals nothing). A viewset may map its custom
    actions to a permission action with ``required_actions = {"approve": "change"}``.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated) or agency_of(user) is None:
            return False
        model = _view_model(view)
        if model is None:
            return True
        if not user.has_perm(perm_name(model, "view")):
            return False
        if view_action(request, view) == "add":
            return user.has_perm(perm_name(model, "add"))
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        action = view_action(request, view)
        if action == "view":
            return True  # visible because the queryset returned it
        return type(obj).objects.for_user(request.user, action).filter(pk=obj.pk).exists()


def view_action(request, view) -> str:
    custom = getattr(view, "required_actions", {})
    name = getattr(view, "action", None)
    if name in custom:
        return custom[name]
    return METHOD_ACTIONS.get(request.method, "view")


def _view_model(view):
    queryset = getattr(view, "queryset", None)
    if queryset is not None:
        return queryset.model
    return getattr(view, "model", None)
