"""Background jobs: dispatched after commit, in-process without a broker, idempotent, visible."""

import os

import pytest
from django.db import transaction

from core.jobs import JobError, job_dispatch, job_handler, job_run
from core.models import Job

pytestmark = pytest.mark.django_db(transaction=True)

CALLS = []


@job_handler("test.echo")
def _echo(job, progress):
    CALLS.append(job.pk)
    progress(50, "half way")
    if job.params.get("fail"):
        raise JobError("Row 3 is wrong.")
    if job.params.get("crash"):
        raise RuntimeError("internal detail")
    data = job.input_file.read() if job.input_file else b""
    return {"bytes": len(data), "url": "/done/"}


@pytest.fixture(autouse=True)
def _reset_calls(settings):
    settings.CELERY_BROKER_URL = ""
    CALLS.clear()


def test_a_job_runs_in_process_only_after_the_transaction_commits(agency, director):
    with transaction.atomic():
        job = job_dispatch(agency=agency, user=director, kind="test.echo", data=b"abc", filename="a.csv")
        assert CALLS == []
        assert Job.objects.get(pk=job.pk).status == "queued"
    job.refresh_from_db()
    assert [job.pk] == CALLS
    assert (job.status, job.progress, job.result) == ("succeeded", 100, {"bytes": 3, "url": "/done/"})
    assert job.attempts == 1


def test_a_rolled_back_request_never_starts_its_job(agency, director):
    with pytest.raises(RuntimeError), transaction.atomic():
        job_dispatch(agency=agency, user=director, kind="test.echo")
        raise RuntimeError("request failed")
    assert CALLS == []
    assert Job.objects.count() == 0


def test_running_a_finished_job_again_does_nothing(agency, director):
    job = job_dispatch(agency=agency, user=director, kind="test.echo")
    job_run(job_id=job.pk)
    job_run(job_id=job.pk)
    assert [job.pk] == CALLS


def test_a_failed_job_keeps_the_users_message(agency, director):
    job = job_dispatch(agency=agency, user=director, kind="test.echo", params={"fail": True})
    job.refresh_from_db()
    assert (job.status, job.error, job.progress) == ("failed", "Row 3 is wrong.", 50)


def test_an_internal_error_is_logged_but_not_shown(agency, director):
    job = job_dispatch(agency=agency, user=director, kind="test.echo", params={"crash": True})
    job.refresh_from_db()
    assert job.status == "failed"
    assert "internal detail" not in job.error
    assert job.error == "The job failed because of an internal error; it has been logged."


def test_job_progress_is_visible_to_its_starter_and_directors_only(
    agency, director, finance, supervisor, outsider, login_api, login_client
):
    job = job_dispatch(agency=agency, user=finance, kind="test.echo")
    assert login_api(finance).get(f"/api/v1/jobs/{job.pk}/").json()["status"] == "succeeded"
    assert login_api(director).get(f"/api/v1/jobs/{job.pk}/").status_code == 200
    assert login_api(supervisor).get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert login_api(outsider).get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    page = login_client(finance).get(f"/jobs/{job.pk}/")
    assert page.status_code == 200
    assert "100%" in page.content.decode()
    assert login_client(outsider).get(f"/jobs/{job.pk}/").status_code == 404


def test_an_unfinished_job_page_refreshes_itself(agency, finance, login_client):
    job = Job.objects.create(
        agency=agency, created_by=finance, kind="test.echo", progress=30, message="reading"
    )
    html = login_client(finance).get(f"/jobs/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "30% · reading" in html


@pytest.mark.worker
@pytest.mark.skipif(
    not os.environ.get("CELERY_WORKER_TEST_BROKER"),
    reason="no Celery worker started (set CELERY_WORKER_TEST_BROKER; .ci/run does)",
)
def test_a_real_worker_runs_a_job_through_redis(agency, director, settings):
    """`.ci/run` starts `celery -A config worker` against Redis and the same database."""
    import time

    settings.CELERY_BROKER_URL = os.environ["CELERY_WORKER_TEST_BROKER"]
    from config.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL
    job = job_dispatch(agency=agency, user=director, kind="core.selftest", params={"n": 3})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            break
        time.sleep(0.5)
    assert job.status == "succeeded", job.error
    assert job.result == {"sum": 6, "worker": True}
