"""Background jobs: dispatched after commit, in-process without a broker, idempotent, visible."""

import os
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from core.jobs import JobError, job_dispatch, job_handler, job_run, jobs_reclaim
from core.models import Job, WorkerHeartbeat

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


def test_a_job_asked_for_twice_in_one_transaction_once_per_transaction_is_recorded_and_run_once(
    agency, director, finance
):
    with transaction.atomic():
        first = job_dispatch(
            agency=agency, user=director, kind="test.echo", params={"n": 1}, once_per_transaction=True
        )
        again = job_dispatch(
            agency=agency, user=finance, kind="test.echo", params={"n": 1}, once_per_transaction=True
        )
        other = job_dispatch(
            agency=agency, user=director, kind="test.echo", params={"n": 2}, once_per_transaction=True
        )
        plain = job_dispatch(agency=agency, user=director, kind="test.echo", params={"n": 1})
    assert again.pk == first.pk
    assert sorted(CALLS) == sorted([first.pk, other.pk, plain.pk])
    assert Job.objects.count() == 3
    # The next transaction's is a job of its own: the first one has run.
    with transaction.atomic():
        later = job_dispatch(
            agency=agency, user=director, kind="test.echo", params={"n": 1}, once_per_transaction=True
        )
    assert later.pk not in (first.pk, other.pk, plain.pk)
    assert CALLS[-1] == later.pk


def test_a_job_of_a_rolled_back_savepoint_is_not_the_one_asked_for_again(agency, director):
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            job_dispatch(agency=agency, user=director, kind="test.echo", once_per_transaction=True)
            raise RuntimeError("part of the save refused")
        job = job_dispatch(agency=agency, user=director, kind="test.echo", once_per_transaction=True)
    assert [job.pk] == CALLS
    assert list(Job.objects.values_list("pk", "status")) == [(job.pk, "succeeded")]


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
    assert "Ready" in page.content.decode()
    assert login_client(outsider).get(f"/jobs/{job.pk}/").status_code == 404


def test_an_unfinished_job_page_follows_the_job_in_place(agency, finance, login_client):
    job = Job.objects.create(
        agency=agency, created_by=finance, kind="test.echo", status="running", progress=30, message="reading"
    )
    client = login_client(finance)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    # The script asks for the figures; only a browser without script reloads the page.
    assert f'data-job-poll="/jobs/{job.pk}/"' in html
    assert "js/job.js" in html
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    assert "30% · reading" in html
    figures = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT="application/json")
    assert figures["Content-Type"] == "application/json"
    assert figures.json() == {
        "status": "running",
        "status_display": "Running",
        "progress": 30,
        "message": "reading",
        "text": "30% · reading",
        "finished": False,
    }
    assert "Accept" in figures["Vary"]


def test_a_finished_job_page_does_not_poll(agency, finance, login_client):
    job = Job.objects.create(agency=agency, created_by=finance, kind="test.echo", status="succeeded")
    html = login_client(finance).get(f"/jobs/{job.pk}/").content.decode()
    assert "data-job-poll" not in html
    assert "refresh" not in html


def test_a_queued_job_page_says_it_waits_not_the_stage_it_had_reached(agency, finance, login_client):
    # A job queued again after its worker died keeps the percent and stage of its first try.
    job = Job.objects.create(
        agency=agency, created_by=finance, kind="test.echo", progress=40, message="Writing the file"
    )
    client = login_client(finance)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert '<p aria-live="polite" data-job-progress>Waiting to start</p>' in html
    assert "Writing the file" not in html
    assert client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT="application/json").json()["text"] == "Waiting to start"


def test_a_succeeded_job_page_says_ready_with_its_result_and_no_stage(agency, finance, login_client):
    job = Job.objects.create(
        agency=agency,
        created_by=finance,
        kind="test.echo",
        status="succeeded",
        progress=100,
        message="Writing the file",
        result={"url": "/done/"},
        finished_at=timezone.now(),
    )
    client = login_client(finance)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert '<span class="badge ok">Ready</span>' in html
    assert '<a class="btn" href="/done/">Open the result</a>' in html
    assert "Writing the file" not in html
    assert "100%" not in html
    assert "data-job-bar" not in html
    assert "follows the job by itself" not in html
    figures = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT="application/json").json()
    assert (figures["text"], figures["finished"]) == ("Finished", True)


def test_a_failed_job_page_shows_its_message_and_no_stage(agency, finance, login_client):
    job = Job.objects.create(
        agency=agency,
        created_by=finance,
        kind="test.echo",
        status="failed",
        progress=45,
        message="Building the report",
        error="Row 3 is wrong.",
        finished_at=timezone.now(),
    )
    html = login_client(finance).get(f"/jobs/{job.pk}/").content.decode()
    assert '<p class="form-errors" role="alert" data-job-failed>Row 3 is wrong.</p>' in html
    assert "Building the report" not in html
    assert "45%" not in html
    assert "Ready" not in html
    assert "data-job-bar" not in html


def test_the_job_page_is_titled_by_what_the_job_does_not_its_code(agency, finance, login_client):
    job = Job.objects.create(agency=agency, created_by=finance, kind="finance.flags_scan")
    html = login_client(finance).get(f"/jobs/{job.pk}/").content.decode()
    assert f"Irregularity scan (job {job.pk})" in html
    assert "finance.flags_scan" not in html


def test_someone_elses_job_figures_are_404(agency, finance, outsider, login_client):
    job = Job.objects.create(agency=agency, created_by=finance, kind="test.echo")
    response = login_client(outsider).get(f"/jobs/{job.pk}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404


# --- the database queue and its worker ------------------------------------------------------


@pytest.fixture
def database_queue(settings):
    settings.JOBS_RUN_INLINE = False
    settings.CELERY_BROKER_URL = ""
    settings.JOB_STALE_SECONDS = 120
    settings.JOB_MAX_ATTEMPTS = 3


def _queued_tasks():
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.ready().values_list("args_kwargs", flat=True))


def test_on_the_database_queue_a_dispatch_never_runs_the_job_itself(agency, director, database_queue):
    with transaction.atomic():
        job = job_dispatch(agency=agency, user=director, kind="test.echo", data=b"abcd", filename="a.csv")
    assert CALLS == []
    assert Job.objects.get(pk=job.pk).status == "queued"
    assert _queued_tasks() == [{"args": [job.pk], "kwargs": {}}]


def test_the_worker_runs_what_is_queued_and_records_its_heartbeat(agency, director, database_queue):
    job = job_dispatch(agency=agency, user=director, kind="test.echo", data=b"abcd", filename="a.csv")
    call_command("jobs_worker", "--batch", stdout=StringIO())
    job.refresh_from_db()
    assert (job.status, job.result, job.attempts, CALLS) == (
        "succeeded",
        {"bytes": 4, "url": "/done/"},
        1,
        [job.pk],
    )
    assert job.worker and job.heartbeat_at is not None
    assert _queued_tasks() == []
    beat = WorkerHeartbeat.objects.get()
    assert beat.kind == "database"
    assert timezone.now() - beat.last_seen < timedelta(seconds=30)


def _dead_job(agency, director, *, attempts: int, silent_for: int) -> Job:
    """A job a worker claimed and then died on: running, with a heartbeat that stopped."""
    now = timezone.now()
    return Job.objects.create(
        agency=agency,
        created_by=director,
        kind="test.echo",
        status="running",
        attempts=attempts,
        started_at=now - timedelta(seconds=silent_for + 5),
        heartbeat_at=now - timedelta(seconds=silent_for),
        worker="gone-host:4242",
    )


def test_a_job_whose_worker_died_is_queued_again_and_run_by_another_worker(agency, director, database_queue):
    job = _dead_job(agency, director, attempts=1, silent_for=121)
    assert jobs_reclaim() == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert job.status == "queued"
    assert job.message == "The worker running this job stopped; the job was queued again."
    assert _queued_tasks() == [{"args": [job.pk], "kwargs": {}}]
    call_command("jobs_worker", "--batch", stdout=StringIO())
    job.refresh_from_db()
    assert (job.status, job.attempts, CALLS) == ("succeeded", 2, [job.pk])


def test_a_job_that_killed_its_worker_three_times_fails_with_a_clear_message(
    agency, director, database_queue
):
    job = _dead_job(agency, director, attempts=3, silent_for=600)
    assert jobs_reclaim() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error.startswith("The job stopped 3 times because the worker running it died")
    assert job.finished_at is not None
    assert _queued_tasks() == []


def test_a_slow_job_with_a_live_heartbeat_is_left_alone(agency, director, database_queue):
    job = _dead_job(agency, director, attempts=1, silent_for=119)
    assert jobs_reclaim() == {"requeued": 0, "failed": 0}
    job.refresh_from_db()
    assert job.status == "running"


def test_a_worker_starting_takes_back_the_jobs_of_a_dead_worker(agency, director, database_queue):
    job = _dead_job(agency, director, attempts=1, silent_for=500)
    call_command("jobs_worker", "--batch", stdout=StringIO())
    job.refresh_from_db()
    # Taken back when the worker started, then run by it in the same batch.
    assert (job.status, job.attempts) == ("succeeded", 2)


@job_handler("test.slow")
def _slow(job, progress):
    time.sleep(0.4)
    return {}


def test_a_running_job_keeps_writing_its_heartbeat(agency, director, database_queue, settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    job = Job.objects.create(agency=agency, created_by=director, kind="test.slow")
    job_run(job_id=job.pk, heartbeat=True)
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.heartbeat_at - job.started_at >= timedelta(seconds=0.2)


def test_health_says_whether_a_worker_was_seen_in_the_last_minute(client, database_queue):
    assert client.get("/health/").json()["checks"]["worker"] == "not seen"
    now = timezone.now()
    beat = WorkerHeartbeat.objects.create(
        worker="w1", kind="database", started_at=now, last_seen=now - timedelta(seconds=61)
    )
    body = client.get("/health/").json()
    assert body["checks"]["worker"] == "not seen in the last 60 s"
    assert body["status"] == "ok"  # the web process still serves; jobs wait for a worker
    beat.last_seen = now
    beat.save()
    assert client.get("/health/").json()["checks"]["worker"] == "ok"


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
