"""Base viewsets: every list and detail is ``queryset.for_user(user, "view")``.

Subclasses set ``queryset`` (with ``select_related``/``prefetch_related``) and call services
from ``perform_create``/``perform_update``; no ORM writes here.
"""

from __future__ import annotations

from rest_framework import viewsets

from core.models import agency_of


class TenantViewSetMixin:
    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user, "view")

    @property
    def agency(self):
        return agency_of(self.request.user)


class TenantReadOnlyViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class TenantModelViewSet(TenantViewSetMixin, viewsets.ModelViewSet):
    pass
