"""The read log of confidential content (docs/roles.md: every read of supervision notes is recorded).

A model whose records hold confidential content sets ``confidential_reads = True``; every
channel that shows such a record calls ``sensitive_read_record``: the domain app's own pages
and API (through their services), and core's generic pages (the record history), which know
no domain model and go by the flag alone.
"""

from __future__ import annotations

from django.db.models import Model

from core.models import SensitiveRead

#: How a confidential record reached the reader.
READ_CHANNELS = ("page", "form", "history", "api", "report", "export")


def is_confidential(model: type[Model] | Model) -> bool:
    """True for models whose records hold confidential content (``confidential_reads``)."""
    return bool(getattr(model, "confidential_reads", False))


def sensitive_read_record(*, obj: Model, user, channel: str) -> SensitiveRead:
    """Record that ``user`` read the confidential content of ``obj`` through ``channel``."""
    if channel not in READ_CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    opts = obj._meta
    return SensitiveRead.objects.create(
        agency_id=obj.agency_id,
        user=user,
        object_type=f"{opts.app_label}.{opts.model_name}",
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        channel=channel,
    )


def sensitive_reads_record(*, objs, user, channel: str) -> list[SensitiveRead]:
    """``sensitive_read_record`` for many records at once (one INSERT)."""
    if channel not in READ_CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    rows = []
    for obj in objs:
        opts = obj._meta
        rows.append(
            SensitiveRead(
                agency_id=obj.agency_id,
                user=user,
                object_type=f"{opts.app_label}.{opts.model_name}",
                object_id=str(obj.pk),
                object_repr=str(obj)[:255],
                channel=channel,
            )
        )
    return SensitiveRead.objects.bulk_create(rows)


class LogsConfidentialReads:
    """DRF viewset mixin for a model whose every field is confidential (action items): every
    record a successful response shows, in a list, a detail or a write's answer, is logged."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if request.method == "OPTIONS" or not 200 <= response.status_code < 300 or not data:
            return response
        rows = data.get("results", [data]) if isinstance(data, dict) else data
        ids = [row["id"] for row in rows if isinstance(row, dict) and "id" in row]
        if ids and request.user.is_authenticated:
            model = self.get_queryset().model
            sensitive_reads_record(
                objs=model._default_manager.filter(pk__in=ids), user=request.user, channel="api"
            )
        return response
