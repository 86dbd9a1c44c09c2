"""Background jobs: imports, scans and reports that may take longer than a page load.

``job_dispatch`` records a ``core.Job`` and hands it over *after the transaction commits* to a
queue: the database queue of django-tasks (``django_tasks_db``) on every installation, run by
``manage.py jobs_worker`` (``make run`` starts one beside the web server); a Celery worker when
``CELERY_BROKER_URL`` is set. A page or a command never waits for a job. ``JOBS_RUN_INLINE``
(the test suite's setting) runs the job in-process after commit instead.

A job function is registered with ``@job_handler("kind", label=...)`` and receives the Job and a
``progress`` callback; it returns a JSON-safe result. ``job_run`` is idempotent: a job that
already finished, or that another worker is running, is not run twice. While a job runs in a
worker its heartbeat is written every few seconds; ``jobs_reclaim`` takes back a running job
whose heartbeat stopped (its worker died) and queues it again, or fails it with a clear message
after ``JOB_MAX_ATTEMPTS`` tries.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Job, WorkerHeartbeat

log = logging.getLogger(__name__)

_HANDLERS: dict[str, Callable] = {}
_LABELS: dict[str, str] = {}
_TITLES: dict[str, Callable[[Job], str]] = {}


class JobError(Exception):
    """A failure to show the user as it is (bad input found while running, for example)."""


class TransientJobError(Exception):
    """A failure worth retrying (database or broker hiccup)."""


def job_handler(kind: str, *, label=None):
    """Register ``func(job, progress) -> dict`` for jobs of ``kind`` (label: what people read)."""

    def decorator(func):
        _HANDLERS[kind] = func
        if label is not None:
            _LABELS[kind] = label
        return func

    return decorator


def kind_label(kind: str) -> str:
    return str(_LABELS.get(kind) or _("Background job"))


def job_title_for(kind: str):
    """Register ``func(job) -> str``: the name of one job of ``kind`` as people read it (a report
    job names its report and parameters). Kinds without one are called by their label."""

    def decorator(func):
        _TITLES[kind] = func
        return func

    return decorator


def job_title(job: Job) -> str:
    """What this job is, in the reader's language: its kind's title function, else its label."""
    func = _TITLES.get(job.kind)
    return str(func(job)) if func is not None else kind_label(job.kind)


def handler_for(kind: str) -> Callable:
    try:
        return _HANDLERS[kind]
    except KeyError as exc:
        raise JobError(_("Unknown job kind %(kind)s.") % {"kind": kind}) from exc


def uses_worker() -> bool:
    return bool(getattr(settings, "CELERY_BROKER_URL", ""))


def queue_name() -> str:
    """Where jobs go: ``celery``, ``database`` (the default) or ``inline`` (tests)."""
    if uses_worker():
        return "celery"
    if getattr(settings, "JOBS_RUN_INLINE", False):
        return "inline"
    return "database"


class _Send:
    """The on-commit callback that hands a job over (``job_dispatch``); ``sent`` once it ran."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.sent = False

    def __call__(self) -> None:
        self.sent = True
        _send(self.job.pk)


def _pending(agency, kind: str, params: dict) -> Job | None:
    """The job of ``kind`` with ``params`` for ``agency`` that the current transaction already
    dispatched and has not handed over yet (its on-commit callback is still waiting), if any.

    Read from the connection's on-commit callbacks: a savepoint rolled back takes its callbacks,
    and so its jobs, out of the list; the transaction's commit empties it.
    """
    agency_id = getattr(agency, "pk", agency)
    for _savepoints, callback, _robust in connection.run_on_commit:
        if (
            isinstance(callback, _Send)
            and not callback.sent
            and callback.job.kind == kind
            and callback.job.agency_id == agency_id
            and callback.job.params == params
        ):
            return callback.job
    return None


def job_dispatch(
    *,
    agency,
    user,
    kind: str,
    params: dict | None = None,
    data: bytes | None = None,
    filename: str = "",
    once_per_transaction: bool = False,
) -> Job:
    """Record a job and start it once the surrounding transaction has committed.

    ``once_per_transaction``: when the surrounding transaction has already dispatched a job of
    this kind, agency and params that has not started yet, that job is returned and no other is
    recorded (a scan asked for twice in one save runs once, after the commit, on everything).
    """
    handler_for(kind)
    params = params or {}
    if once_per_transaction and connection.in_atomic_block:
        pending = _pending(agency, kind, params)
        if pending is not None:
            return pending
    job = Job(agency=agency, created_by=user, kind=kind, params=params, input_name=filename[:255])
    job.full_clean(exclude=["input_file"])
    if data is not None:
        job.input_file.save(filename or "input.bin", ContentFile(data), save=False)
    job.save()
    transaction.on_commit(_Send(job))
    return job


def _send(job_id: int) -> None:
    where = queue_name()
    if where == "celery":
        from core.tasks import run_job

        run_job.delay(job_id)
    elif where == "database":
        from core.tasks import run_job_task

        run_job_task.enqueue(job_id)
    else:
        job_run(job_id=job_id)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


class _Beat(threading.Thread):
    """Calls ``beat()`` every ``interval`` seconds until stopped, on its own database connection."""

    def __init__(self, beat: Callable[[], None], interval: float, name: str):
        super().__init__(name=name, daemon=True)
        self._beat, self._interval, self._halt = beat, interval, threading.Event()

    def run(self) -> None:
        try:
            while not self._halt.wait(self._interval):
                try:
                    self._beat()
                except Exception:  # a missed beat is not worth killing the worker for
                    log.warning("%s: heartbeat failed", self.name, exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self._halt.set()


def job_run(*, job_id: int, heartbeat: bool = False) -> Job | None:
    """Run one job (in a worker or in-process). Safe to call twice for the same job.

    ``heartbeat`` (workers): write the job's heartbeat every ``JOB_HEARTBEAT_SECONDS`` while it
    runs, so that a job whose process dies can be told from one that is merely slow.
    """
    worker = worker_name() if heartbeat else ""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return job
        job.status = Job.Status.RUNNING
        job.started_at = job.heartbeat_at = timezone.now()
        job.worker = worker
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "heartbeat_at", "worker", "attempts"])

    def progress(percent: int, message: str = "") -> None:
        Job.objects.filter(pk=job_id).update(
            progress=max(0, min(100, int(percent))), message=message[:255], heartbeat_at=timezone.now()
        )

    beat = None
    if heartbeat:
        beat = _Beat(
            lambda: Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
                heartbeat_at=timezone.now()
            ),
            settings.JOB_HEARTBEAT_SECONDS,
            name=f"job-{job_id}-heartbeat",
        )
        beat.start()
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
    finally:
        if beat is not None:
            beat.stop()
            beat.join()
    return Job.objects.get(pk=job_id)


def _finish(job_id: int, status: str, *, result: dict | None = None, error: str = "") -> None:
    fields = {"status": status, "finished_at": timezone.now(), "error": error}
    if status == Job.Status.SUCCEEDED:
        fields.update(progress=100, result=result or {})
    Job.objects.filter(pk=job_id).update(**fields)


def jobs_reclaim(*, now=None) -> dict[str, int]:
    """Take back running jobs whose heartbeat stopped longer ago than ``JOB_STALE_SECONDS``.

    Each goes back to the queue for another try, or, after ``JOB_MAX_ATTEMPTS`` tries, fails
    with a message saying so: a job that kills its worker every time must not loop for ever.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    requeued, failed = [], 0
    with transaction.atomic():
        stale = Job.objects.select_for_update(skip_locked=True).filter(
            status=Job.Status.RUNNING, heartbeat_at__lt=cutoff
        )
        for job in stale:
            if job.attempts < settings.JOB_MAX_ATTEMPTS:
                job.status = Job.Status.QUEUED
                job.message = _("The worker running this job stopped; the job was queued again.")[:255]
                job.save(update_fields=["status", "message"])
                requeued.append(job.pk)
            else:
                job.status = Job.Status.FAILED
                job.finished_at = now
                job.error = _(
                    "The job stopped %(attempts)s times because the worker running it died; "
                    "it was not tried again. Try a smaller file, or ask your administrator to "
                    "look at the worker's log."
                ) % {"attempts": job.attempts}
                job.save(update_fields=["status", "finished_at", "error"])
                failed += 1
        for pk in requeued:
            transaction.on_commit(lambda pk=pk: _send(pk))
    if requeued or failed:
        log.warning("jobs_reclaim: %d job(s) queued again, %d failed", len(requeued), failed)
    return {"requeued": len(requeued), "failed": failed}


def worker_beat(*, worker: str, kind: str, started_at) -> None:
    """Record that a worker is alive, then take back jobs whose own worker died."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker=worker,
        defaults={
            "kind": kind,
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen": now,
        },
    )
    jobs_reclaim(now=now)


def worker_heartbeat_start(*, kind: str) -> _Beat:
    """The worker's background beat (both the database worker and Celery's main process)."""
    worker, started_at = worker_name(), timezone.now()
    worker_beat(worker=worker, kind=kind, started_at=started_at)
    beat = _Beat(
        lambda: worker_beat(worker=worker, kind=kind, started_at=started_at),
        settings.JOB_HEARTBEAT_SECONDS,
        name="worker-heartbeat",
    )
    beat.start()
    return beat


def worker_last_seen():
    """When any worker last showed a sign of life (``None``: never)."""
    return WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True).first()


@job_handler("core.selftest", label=gettext_lazy("Self-test"))
def _selftest(job: Job, progress) -> dict:
    """A tiny job the health check and the worker test send through the real queue."""
    from celery import current_task

    n = int(job.params.get("n", 0))
    progress(50, "adding")
    return {
        "sum": n * (n + 1) // 2,
        "worker": current_task is not None and current_task.request.id is not None,
    }
