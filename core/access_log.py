"""The log of refused requests: a middleware that writes it and the director's page that reads it.

What is recorded, and why:

- 401, 403 and 429 always, signed in or not: a missing or bad token, a forbidden action,
  a throttled client or a locked-out login are what a director wants to notice.
- 404 only for signed-in users: anonymous 404s are mostly crawlers and scanners probing
  ``/wp-admin/``, which would drown the log; a signed-in user asking for a record outside
  their reach (the app answers 404, never 403, for records one may not see) is the signal.

The path is stored without its query string (it may carry search terms or personal data),
cut to the column's length. Writing costs one INSERT (plus the cached membership lookup)
and happens only on refusals; a failure to write is logged and never changes the response.

A refusal of a URL that names a record (``/staff/12/``, ``/api/v1/finance/contracts/7/``, a
history page) is also recorded for the agency that owns the record, in ``aimed_at``, so that
agency's director sees another agency's login probing their records (docs/roles.md), not only the
prober's own director. Which record a URL names comes from the DRF viewset's model, the
history page's model, or an app's ``record_models`` in its ``urls.py`` (URL name → model
label); looking it up costs one indexed query, on refusals of such URLs only.
"""

from __future__ import annotations

import functools
import logging

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db import DatabaseError, transaction
from django.http import Http404
from django.shortcuts import render
from django.urls import URLResolver, get_resolver

from core.models import RefusedRequest, agency_of
from core.roles import Role, has_role
from core.selectors import refused_requests_for
from core.views import paginate

logger = logging.getLogger(__name__)

#: Statuses recorded for every client.
ALWAYS_RECORDED = frozenset({401, 403, 429})
#: Statuses recorded only when the client is signed in (see the module docstring).
RECORDED_WHEN_SIGNED_IN = frozenset({404})
RECORDED = ALWAYS_RECORDED | RECORDED_WHEN_SIGNED_IN
#: An API list refused because a filter named another agency's record (``record_filter_probe``).
FILTER_PROBE = 400
#: The statuses the log holds, and its page filters on.
LISTED = RECORDED | {FILTER_PROBE}

_PATH_MAX = RefusedRequest._meta.get_field("path").max_length
_METHOD_MAX = RefusedRequest._meta.get_field("method").max_length


def _signed_in_user(request):
    # DRF authenticates tokens inside the view and copies the user onto the Django request,
    # so after the response ``request.user`` is the token's user too.
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False) and getattr(user, "pk", None):
        return user
    return None


def should_record(status: int, signed_in: bool) -> bool:
    """Whether a response with ``status`` is logged (401/403/429 always, 404 when signed in)."""
    return status in ALWAYS_RECORDED or (signed_in and status in RECORDED_WHEN_SIGNED_IN)


@functools.cache
def record_pages() -> dict[str, str]:
    """URL name → model label of every page that shows one record, from each included
    urlconf's ``record_models`` (apps declare their own pages; core imports none of them)."""
    found: dict[str, str] = {}

    def walk(patterns, module=None) -> None:
        found.update(getattr(module, "record_models", {}) or {})
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.urlconf_module)

    root = get_resolver()
    walk(root.url_patterns, root.urlconf_module)
    return found


def _named_record(match) -> tuple[type | None, object]:
    """(model, pk) of the record a resolved URL names, or (None, None)."""
    kwargs = match.kwargs or {}
    if "app_label" in kwargs and "model_name" in kwargs:
        try:
            return apps.get_model(kwargs["app_label"], kwargs["model_name"]), kwargs.get("pk")
        except (LookupError, ValueError):
            return None, None
    view_class = getattr(match.func, "cls", None)
    queryset = getattr(view_class, "queryset", None)
    if queryset is not None:
        return queryset.model, kwargs.get("pk")
    label = record_pages().get(match.url_name or "")
    if label:
        return apps.get_model(label), kwargs.get("pk", kwargs.get("staff_pk"))
    return None, None


def aimed_at(request):
    """The agency owning the record a request's URL names (None when it names none, or no
    such record exists)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    model, pk = _named_record(match)
    if model is None or pk is None:
        return None
    try:
        model._meta.get_field("agency")
    except FieldDoesNotExist:
        return None
    agency_id = model._default_manager.filter(pk=pk).values_list("agency_id", flat=True).first()
    if agency_id is None:
        return None
    from core.models import Agency

    return Agency.objects.filter(pk=agency_id).first()


def _write(request, user, *, status: int, aimed_at_id: int | None) -> RefusedRequest | None:
    """One ``RefusedRequest`` row; None when writing failed (the refusal still reaches the client)."""
    try:
        # A savepoint of its own, so that a failed insert cannot poison an outer transaction.
        with transaction.atomic():
            own = agency_of(user) if user is not None else None
            return RefusedRequest.objects.create(
                agency=own,
                aimed_at_id=aimed_at_id if own is None or aimed_at_id != own.pk else None,
                user=user,
                method=str(request.method or "")[:_METHOD_MAX],
                path=request.path[:_PATH_MAX],
                status=status,
            )
    except DatabaseError:
        logger.warning("could not record a refused request", exc_info=True)
        return None


def record_refusal(request, status: int) -> RefusedRequest | None:
    """Write one ``RefusedRequest`` for ``request``; None when it is not recorded or writing failed."""
    user = _signed_in_user(request)
    if not should_record(status, user is not None):
        return None
    target = None
    if user is not None:
        try:
            with transaction.atomic():
                target = aimed_at(request)
        except DatabaseError:  # the refusal is still written (and reaches the client)
            logger.warning("could not find the agency a refused request aimed at", exc_info=True)
    return _write(request, user, status=status, aimed_at_id=getattr(target, "pk", None))


def record_filter_probe(request, *, aimed_at_id: int) -> RefusedRequest | None:
    """Record an API list request refused (400) because a filter named a record of the agency
    ``aimed_at_id`` (core.api.filters): probing by filter is seen by its target too."""
    user = _signed_in_user(request)
    if user is None:
        return None
    return _write(request, user, status=FILTER_PROBE, aimed_at_id=aimed_at_id)


class RefusedRequestMiddleware:
    """Records every refused response (see the module docstring) in ``RefusedRequest``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in RECORDED:
            record_refusal(request, response.status_code)
        return response


@login_required
def refused_requests(request):
    """Directors: the refused requests of the agency's logins and those aimed at its records
    by other agencies' logins, newest first, filterable by status."""
    if not has_role(request.user, Role.DIRECTOR):
        raise Http404
    qs = refused_requests_for(request.user)
    status = request.GET.get("status", "")
    if status.isdigit() and int(status) in LISTED:
        qs = qs.filter(status=int(status))
    else:
        status = ""
    return render(
        request,
        "core/access_log.html",
        {
            "page": paginate(request, qs),
            "status": status,
            "statuses": sorted(LISTED),
            "agency": agency_of(request.user),
        },
    )
