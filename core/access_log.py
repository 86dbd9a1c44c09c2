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
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, transaction
from django.http import Http404
from django.shortcuts import render

from core.models import RefusedRequest, agency_of
from core.roles import Role, has_role
from core.views import paginate

logger = logging.getLogger(__name__)

#: Statuses recorded for every client.
ALWAYS_RECORDED = frozenset({401, 403, 429})
#: Statuses recorded only when the client is signed in (see the module docstring).
RECORDED_WHEN_SIGNED_IN = frozenset({404})
RECORDED = ALWAYS_RECORDED | RECORDED_WHEN_SIGNED_IN

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


def record_refusal(request, status: int) -> RefusedRequest | None:
    """Write one ``RefusedRequest`` for ``request``; None when it is not recorded or writing failed."""
    user = _signed_in_user(request)
    if not should_record(status, user is not None):
        return None
    try:
        # A savepoint of its own, so that a failed insert cannot poison an outer transaction.
        with transaction.atomic():
            return RefusedRequest.objects.create(
                agency=agency_of(user) if user is not None else None,
                user=user,
                method=str(request.method or "")[:_METHOD_MAX],
                path=request.path[:_PATH_MAX],
                status=status,
            )
    except DatabaseError:
        # The refusal itself must reach the client even when the database is unwell.
        logger.warning("could not record a refused request", exc_info=True)
        return None


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
    """Directors: the agency's refused requests, newest first, filterable by status."""
    if not has_role(request.user, Role.DIRECTOR):
        raise Http404
    qs = RefusedRequest.objects.for_user(request.user, "view").select_related("user")
    status = request.GET.get("status", "")
    if status.isdigit() and int(status) in RECORDED:
        qs = qs.filter(status=int(status))
    else:
        status = ""
    return render(
        request,
        "core/access_log.html",
        {"page": paginate(request, qs), "status": status, "statuses": sorted(RECORDED)},
    )
