"""One error shape for the whole API.

Every error answers ``{"error": {"status": 400, "code": "invalid", "message": "...",
"fields": {"field": ["..."]}}}``; ``fields`` appears only for validation errors. Django's
model ``ValidationError`` (raised by ``full_clean()`` in services, the single source of
validation) is translated here, so serializers need not repeat model rules.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


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

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

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


def server_error_response() -> Response:
    return Response(
        {"error": {"status": 500, "code": "server_error", "message": _("Server error.")}},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
