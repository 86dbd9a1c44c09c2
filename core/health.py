"""``GET /health/``: is this web process able to serve? For load balancers and monitoring.

No login, no session, no template: one ``SELECT 1`` on the database, when a Celery broker is
configured one connection attempt with a short timeout, and whether a background worker has shown
a sign of life in the last minute (``WORKER_SEEN_SECONDS``). A missing worker does not make the
web process unhealthy (it can still serve pages), but jobs wait until one runs, so it is named. The answer names each check and says
``ok`` or the exception class only, never a host name, URL or message that could carry a password.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

log = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2.0


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        log.warning("health check: database unavailable (%s)", type(exc).__name__)
        return f"error: {type(exc).__name__}"
    return "ok"


def broker_connection(url: str):
    """A kombu connection that gives up quickly (separate so tests can replace it)."""
    from kombu import Connection

    return Connection(
        url,
        connect_timeout=BROKER_TIMEOUT_SECONDS,
        transport_options={"socket_timeout": BROKER_TIMEOUT_SECONDS, "max_retries": 1},
    )


def check_broker() -> str:
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url:
        return "not configured"
    try:
        with broker_connection(url) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
            )
    except Exception as exc:
        log.warning("health check: broker unavailable (%s)", type(exc).__name__)
        return f"error: {type(exc).__name__}"
    return "ok"


def check_worker() -> str:
    from core.jobs import queue_name, worker_last_seen

    if queue_name() == "inline":
        return "not used (jobs run in-process)"
    try:
        last_seen = worker_last_seen()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    if last_seen is None:
        return "not seen"
    age = (timezone.now() - last_seen).total_seconds()
    if age > settings.WORKER_SEEN_SECONDS:
        return f"not seen in the last {int(settings.WORKER_SEEN_SECONDS)} s"
    return "ok"


@never_cache
@require_http_methods(["GET", "HEAD"])
def health(request):
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = not any(value.startswith("error") for value in checks.values())
    checks["worker"] = check_worker()
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
