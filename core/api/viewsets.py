"""Base viewsets: every list and detail is ``queryset.for_user(user, "view")``, every write a service.

A viewset that writes names the service of each write as a class attribute::

    class PlanViewSet(TenantModelViewSet):
        create_service = services.plan_create
        update_service = services.plan_update
        destroy_refusal = _("Supervision plans are ended, not deleted: ...")

        def perform_create(self, serializer):
            serializer.instance = self.create_service(agency=self.agency, **serializer.validated_data)

Only a named write is routed: without ``create_service`` there is no POST on the list, without
``update_service`` no PUT/PATCH, without ``destroy_service`` no DELETE, and the method answers
405 in the API's error shape with the viewset's refusal (``create_refusal``, ``update_refusal``,
``destroy_refusal``) or a general one. Overriding a write (``create``, ``perform_update``...)
without naming its service is refused when the class is defined, so a write cannot quietly
bypass the services again. The default ``perform_create`` passes the validated data to the
service; ``perform_update`` and ``perform_destroy`` must be written, because each service names
its record differently (``plan=``, ``event=``...).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from rest_framework import exceptions, mixins, viewsets

from core.models import agency_of

#: action -> (the attribute naming its service, the DRF handler routed when it is named,
#: the methods that write through it).
_WRITES = {
    "create": ("create_service", mixins.CreateModelMixin.create),
    "update": ("update_service", mixins.UpdateModelMixin.update),
    "partial_update": ("update_service", mixins.UpdateModelMixin.partial_update),
    "destroy": ("destroy_service", mixins.DestroyModelMixin.destroy),
}
_PERFORMS = {
    "perform_create": "create_service",
    "perform_update": "update_service",
    "perform_destroy": "destroy_service",
}


class TenantViewSetMixin:
    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user, "view")

    @property
    def agency(self):
        return agency_of(self.request.user)

    def http_method_not_allowed(self, request, *args, **kwargs):
        """405 with a sentence saying why, in the API's error shape (core/api/errors.py)."""
        method = request.method.upper()
        detail = self.lookup_url_kwarg or self.lookup_field
        if method == "DELETE":
            message = getattr(self, "destroy_refusal", None) or _(
                "Records of this kind are not deleted through the API."
            )
        elif method in ("PUT", "PATCH") and detail in kwargs:
            message = getattr(self, "update_refusal", None) or _(
                "Records of this kind are not changed through the API with %(method)s."
            ) % {"method": method}
        elif method == "POST" and detail not in kwargs:
            message = getattr(self, "create_refusal", None) or _(
                "Records of this kind are not created through the API."
            )
        else:
            message = _("This endpoint does not accept %(method)s.") % {"method": method}
        raise exceptions.MethodNotAllowed(method, detail=str(message))


class TenantReadOnlyViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class TenantModelViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Lists and details for everyone who may see the records; each write only if a service is named."""

    create_service = None
    update_service = None
    destroy_service = None
    create_refusal = None
    update_refusal = None
    destroy_refusal = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for attr in ("create_service", "update_service", "destroy_service"):
            service = cls.__dict__.get(attr)
            if service is not None and not isinstance(service, staticmethod):
                if not callable(service):
                    raise ImproperlyConfigured(f"{cls.__name__}.{attr} must be a service function")
                setattr(cls, attr, staticmethod(service))  # a plain function, not a method
        for name, attr in {**{a: s for a, (s, _h) in _WRITES.items()}, **_PERFORMS}.items():
            if name in cls.__dict__ and getattr(cls, attr) is None:
                raise ImproperlyConfigured(
                    f"{cls.__name__}.{name} writes without naming its service: set {attr}."
                )
        for action, (attr, handler) in _WRITES.items():
            if getattr(cls, attr) is not None and not hasattr(cls, action):
                setattr(cls, action, handler)

    get_success_headers = mixins.CreateModelMixin.get_success_headers

    def perform_create(self, serializer):
        serializer.instance = self.create_service(**serializer.validated_data)

    def perform_update(self, serializer):
        raise ImproperlyConfigured(f"{type(self).__name__} must say how update_service is called.")

    def perform_destroy(self, instance):
        raise ImproperlyConfigured(f"{type(self).__name__} must say how destroy_service is called.")
