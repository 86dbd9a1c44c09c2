"""The one task that runs any background job, for each queue: Celery's and django-tasks' database.

Both call ``core.jobs.job_run`` with a heartbeat; a Celery worker's main process also writes the
worker heartbeat that ``/health/`` reads and takes back jobs whose worker died (``jobs_reclaim``).
"""

from datetime import timedelta

from celery import shared_task
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone
from django_tasks import task

from core.jobs import TransientJobError, job_run, worker_heartbeat_start
from core.models import Job

TRANSIENT_RETRY_SECONDS = 30


@shared_task(
    bind=True,
    autoretry_for=(OperationalError, TransientJobError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
    acks_late=True,
)
def run_job(self, job_id: int) -> str:
    job = job_run(job_id=job_id, heartbeat=True)
    return job.status if job else "missing"


@task()
def run_job_task(job_id: int) -> str:
    """The database queue's task: a transient failure is queued again a little later."""
    try:
        job = job_run(job_id=job_id, heartbeat=True)
    except (OperationalError, TransientJobError):
        attempts = Job.objects.filter(pk=job_id).values_list("attempts", flat=True).first() or 0
        if attempts >= settings.JOB_MAX_ATTEMPTS:
            raise
        run_job_task.using(run_after=timezone.now() + timedelta(seconds=TRANSIENT_RETRY_SECONDS)).enqueue(
            job_id
        )
        return "retry"
    return job.status if job else "missing"


_celery_beat = {}


@worker_ready.connect
def _celery_worker_ready(**kwargs) -> None:
    _celery_beat["beat"] = worker_heartbeat_start(kind="celery")


@worker_shutdown.connect
def _celery_worker_shutdown(**kwargs) -> None:
    beat = _celery_beat.pop("beat", None)
    if beat is not None:
        beat.stop()
