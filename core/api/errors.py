"""One error shape for the whole API.

Every error answers ``{"error": {"status": 400, "code": "invalid", "message": "...",
"fields": {"field": ["..."]}}}``; ``fields`` appears only for validation errors. Django's
model ``ValidationError`` (raised by ``full_clean()`` in services, the single source of
validation) is translated here, so serializers need not repeat model rules.

An unexpected exception (a bug) answers ``{"error": {"status": 500, "code": "server_error",
...}}`` rather than Django's HTML error page, so API clients can always parse the answer. It is
still reported the way Django reports one: logged on ``django.request`` with its traceback and
announced on ``got_request_exception`` (which also lets the test client re-raise it). With
DEBUG on, Django's technical page is kept for the developer.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404
from django.utils.log import log_response
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _flatten(value)
        return ""
    if isinstance(detail, list | tuple):
        return "; ".join(_flatten(item) for item in detail)
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            detail = {
                ("non_field_errors" if key == "__all__" else key): value
                for key, value in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, OverflowError):
        # A number in the query string too large for the database (SQLite's 64-bit integers).
        exc = exceptions.ValidationError(
            {"non_field_errors": [_("A number in the request is out of range.")]}
        )

    response = drf_exception_handler(exc, context)
    if response is None:
        return _unexpected(exc, context)

    body: dict = {"status": response.status_code, "code": "error", "message": ""}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body["fields"] = {key: [str(m) for m in _as_list(value)] for key, value in detail.items()}
        body["message"] = _("The request is invalid: %(detail)s") % {"detail": _flatten(detail)}
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        body["code"] = codes if isinstance(codes, str) else "error"
        body["message"] = _flatten(exc.detail)
    response.data = {"error": body}
    return response


def _as_list(value):
    if isinstance(value, dict):
        return [f"{k}: {_flatten(v)}" for k, v in value.items()]
    if isinstance(value, list | tuple):
        return value
    return [value]


def _unexpected(exc: Exception, context) -> Response | None:
    """A bug: report it as Django would, then answer the one error shape with status 500."""
    if settings.DEBUG:
        return None  # DRF re-raises; Django shows its technical page
    request = getattr(context.get("request"), "_request", None)
    set_rollback()
    if request is not None:
        # Called inside DRF's ``except`` block, so receivers find the exception in sys.exc_info().
        got_request_exception.send(sender=None, request=request)
    response = server_error_response()
    if request is not None:
        log_response(
            "%s: %s",
            "Internal Server Error",
            request.path,
            response=response,
            request=request,
            exception=exc,
        )
    return response


def server_error_response() -> Response:
    return Response(
        {"error": {"status": 500, "code": "server_error", "message": _("Server error.")}},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
