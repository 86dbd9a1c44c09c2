"""Celery tasks of the core app: the one task that runs any background job."""

from celery import shared_task
from django.db import OperationalError

from core.jobs import TransientJobError, job_run


@shared_task(
    bind=True,
    autoretry_for=(OperationalError, TransientJobError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
    acks_late=True,
)
def run_job(self, job_id: int) -> str:
    job = job_run(job_id=job_id)
    return job.status if job else "missing"
