"""The API's filter backend: a filter that names a record accepts only records the user may see.

django-filter builds a filter for a foreign key (``?contract=7``) over the model's whole table,
so a list answered 200 (and an empty page) for another agency's contract and 400 ("select a valid
choice") for an id that exists nowhere: the difference told a login of one agency which ids
another agency holds, and an auditor which of their own agency's contracts exist beyond their
grants. Here every such filter's choices are the records ``for_user`` lets the user view (users:
the logins of the user's own agency), so both answer the same 400. A filter value naming another
agency's record is also recorded in the refused-request log for that agency (docs/roles.md:
probing is seen by its target), as a 400, what the client got.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation

from core.access_log import record_filter_probe
from core.models import agency_of

_RECORD_FILTERS = (ModelChoiceFilter, ModelMultipleChoiceFilter)


def visible_choices(queryset, user):
    """``queryset`` cut to the rows ``user`` may view: ``for_user`` for tenant records, the
    agency's own logins for users, as it is for anything else."""
    model = queryset.model
    manager = model._default_manager
    if hasattr(manager, "for_user"):
        return queryset.filter(pk__in=manager.for_user(user, "view").values("pk"))
    if model is get_user_model():
        agency = agency_of(user)
        return queryset.filter(membership__agency=agency) if agency is not None else queryset.none()
    return queryset


def _foreign_agencies(filterset, user) -> set[int]:
    """The agencies, other than the user's own, whose records the refused filter values name."""
    own = agency_of(user)
    found: set[int] = set()
    for name in filterset.errors:
        item = filterset.filters.get(name)
        model = getattr(getattr(item, "queryset", None), "model", None)
        if not isinstance(item, _RECORD_FILTERS) or model is None or not _has_agency(model):
            continue
        values = [value for value in filterset.data.getlist(name) if str(value).isdigit()]
        agencies = model._default_manager.filter(pk__in=values).values_list("agency_id", flat=True)
        found.update(pk for pk in agencies if own is None or pk != own.pk)
    return found


def _has_agency(model) -> bool:
    try:
        model._meta.get_field("agency")
    except FieldDoesNotExist:
        return False
    return True


class VisibleRecordsFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            for item in filterset.filters.values():
                if isinstance(item, _RECORD_FILTERS):
                    item.queryset = visible_choices(item.get_queryset(request), request.user)
        return filterset

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            for agency_id in _foreign_agencies(filterset, request.user):
                record_filter_probe(request, aimed_at_id=agency_id)
            raise translate_validation(filterset.errors)
        return filterset.qs
