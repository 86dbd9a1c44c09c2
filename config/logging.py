"""Logging configuration: JSON lines to stderr in production, readable text in development.

``build_logging`` returns the ``LOGGING`` dict for settings (and gunicorn's ``logconfig_dict``).
Each JSON line holds ``timestamp``, ``level``, ``logger`` and ``message``; records about an HTTP
request (Django's ``django.request``, gunicorn's access log) add ``request_id`` (the proxy's
``X-Request-ID`` header), ``method``, ``path`` and ``status``. Only those named fields are written:
never headers, cookies, query strings or arbitrary ``extra`` values, and anything that looks like a
credential in a message (``scheme://user:password@``, ``password=...``) is masked.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

from django.core.exceptions import ImproperlyConfigured

LOG_FORMATS = ("json", "plain")

# Values that must never reach a log line, even inside a message or a traceback.
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s:@]*:[^/\s@]*@", re.IGNORECASE)
_KEY_VALUE_SECRET = re.compile(
    r"(?P<key>\b(?:password|passwd|pwd|secret|secret_key|token|api_key|authorization)\b\s*[=:]\s*)"
    r"(?P<quote>['\"]?)[^\s'\",;&]+",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """Mask credentials embedded in URLs and ``key=value`` pairs."""
    text = _URL_CREDENTIALS.sub(r"\g<scheme>***@", text)
    return _KEY_VALUE_SECRET.sub(r"\g<key>\g<quote>***", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with a fixed set of keys (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "timestamp": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        payload.update(_request_fields(record))
        if record.exc_info:
            payload["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            payload["exception"] = redact(record.exc_text)
        return json.dumps(payload, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """The readable development format, with the same credential masking."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _request_fields(record: logging.LogRecord) -> dict[str, object]:
    fields: dict[str, object] = {}
    request = getattr(record, "request", None)  # django.request passes request and status_code
    meta = getattr(request, "META", None)
    if isinstance(meta, dict):
        fields["request_id"] = meta.get("HTTP_X_REQUEST_ID") or None
        fields["method"] = getattr(request, "method", None)
        fields["path"] = getattr(request, "path", None)
    status = getattr(record, "status_code", None)
    if status is not None:
        fields["status"] = status
    if record.name == "gunicorn.access" and isinstance(record.args, dict):
        # gunicorn passes its log "atoms": h remote address, m method, U path (no query string),
        # s status, M duration in ms, {header}i request headers. Only these few are kept.
        atoms = record.args
        request_id = atoms.get("{x-request-id}i")
        status_raw = str(atoms.get("s", ""))
        fields.update(
            request_id=request_id if request_id not in (None, "-") else None,
            method=atoms.get("m"),
            path=atoms.get("U"),
            status=int(status_raw) if status_raw.isdigit() else status_raw,
            duration_ms=atoms.get("M"),
            remote_addr=atoms.get("h"),
        )
    return fields


def build_logging(*, debug: bool, log_format: str = "", level: str = "INFO") -> dict:
    """The ``LOGGING`` dict: JSON unless ``log_format`` says otherwise or DEBUG is on."""
    chosen = (log_format or "").strip().lower() or ("plain" if debug else "json")
    if chosen not in LOG_FORMATS:
        raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}; got {log_format!r}.")
    level = (level or "INFO").strip().upper()
    if level not in logging.getLevelNamesMapping():
        raise ImproperlyConfigured(
            f"LOG_LEVEL must be a logging level such as INFO or WARNING; got {level!r}."
        )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "config.logging.JsonFormatter"},
            "plain": {
                "()": "config.logging.PlainFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": chosen,
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # SQL statements carry parameter values (names, ID numbers): never at INFO.
            "django.db.backends": {"level": "WARNING"},
            "gunicorn.error": {"level": level, "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
