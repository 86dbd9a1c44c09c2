"""OpenAPI schema helpers (drf-spectacular)."""

from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class SingleObjectSchema(AutoSchema):
    """For a viewset whose ``list`` answers one object (a report body such as retention or
    compliance), not an array of records: the schema must say so."""

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self.view, "action", None) == "list":
            return False
        return super()._is_list_view(serializer)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$",
        "example": "09:30",
        "description": "Local time of day, HH:MM or HH:MM:SS (no time zone).",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time of the agency's day. OpenAPI's ``format: time`` is RFC 3339's
    full-time, which needs a UTC offset; these times have none, so the schema says HH:MM[:SS]."""


@extend_schema_field({"type": "string", "maxLength": 254, "description": "An e-mail address, or empty."})
class OptionalEmailField(serializers.CharField):
    """An e-mail address that may be empty: a checked address, or "" (``format: email`` refuses "")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)
        # A plain function, not the EmailValidator itself: drf-spectacular would turn that
        # back into ``format: email``.
        self.validators.append(_valid_email)


def _valid_email(value: str) -> None:
    EmailValidator(message=_("Enter a valid e-mail address."))(value)
