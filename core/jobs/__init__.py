"""Background jobs: imports, scans and reports that may take longer than a page load.

``job_dispatch`` records a ``core.Job`` and hands it over *after the transaction commits*:
to a Celery worker when ``CELERY_BROKER_URL`` is set, else it runs in this process. A job
function is registered with ``@job_handler("kind")`` and receives the Job and a ``progress``
callback; it returns a JSON-safe result. ``job_run`` is idempotent: a job that already
finished, or that another worker is running, is not run twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Job

log = logging.getLogger(__name__)

_HANDLERS: dict[str, Callable] = {}


class JobError(Exception):
    """A failure to show the user as it is (bad input found while running, for example)."""


class TransientJobError(Exception):
    """A failure worth retrying (database or broker hiccup)."""


def job_handler(kind: str):
    def decorator(func):
        _HANDLERS[kind] = func
        return func

    return decorator


def handler_for(kind: str) -> Callable:
    try:
        return _HANDLERS[kind]
    except KeyError as exc:
        raise JobError(_("Unknown job kind %(kind)s.") % {"kind": kind}) from exc


def uses_worker() -> bool:
    return bool(getattr(settings, "CELERY_BROKER_URL", ""))


def job_dispatch(
    *, agency, user, kind: str, params: dict | None = None, data: bytes | None = None, filename: str = ""
) -> Job:
    """Record a job and start it once the surrounding transaction has committed."""
    handler_for(kind)
    job = Job(agency=agency, created_by=user, kind=kind, params=params or {}, input_name=filename[:255])
    job.full_clean(exclude=["input_file"])
    if data is not None:
        job.input_file.save(filename or "input.bin", ContentFile(data), save=False)
    job.save()
    transaction.on_commit(lambda: _send(job.pk))
    return job


def _send(job_id: int) -> None:
    if uses_worker():
        from core.tasks import run_job

        run_job.delay(job_id)
    else:
        job_run(job_id=job_id)


def job_run(*, job_id: int) -> Job | None:
    """Run one job (in a worker or in-process). Safe to call twice for the same job."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return job
        job.status = Job.Status.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "attempts"])

    def progress(percent: int, message: str = "") -> None:
        Job.objects.filter(pk=job_id).update(progress=max(0, min(100, int(percent))), message=message[:255])

    try:
        result = handler_for(job.kind)(job, progress)
    except (OperationalError, TransientJobError):
        # Put it back in the queue; the Celery task retries with back-off.
        Job.objects.filter(pk=job_id).update(status=Job.Status.QUEUED)
        raise
    except (JobError, ValidationError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        _finish(job_id, Job.Status.FAILED, error=message)
    except Exception:
        log.exception("job %s (%s) failed", job_id, job.kind)
        _finish(
            job_id,
            Job.Status.FAILED,
            error=_("The job failed because of an internal error; it has been logged."),
        )
    else:
        _finish(job_id, Job.Status.SUCCEEDED, result=result or {})
    return Job.objects.get(pk=job_id)


def _finish(job_id: int, status: str, *, result: dict | None = None, error: str = "") -> None:
    fields = {"status": status, "finished_at": timezone.now(), "error": error}
    if status == Job.Status.SUCCEEDED:
        fields.update(progress=100, result=result or {})
    Job.objects.filter(pk=job_id).update(**fields)


@job_handler("core.selftest")
def _selftest(job: Job, progress) -> dict:
    """A tiny job the health check and the worker test send through the real queue."""
    from celery import current_task

    n = int(job.params.get("n", 0))
    progress(50, "adding")
    return {
        "sum": n * (n + 1) // 2,
        "worker": current_task is not None and current_task.request.id is not None,
    }
