"""``manage.py jobs_worker``: run background jobs from the database queue (no broker needed).

``make run`` starts one beside the web server. It claims queued jobs one at a time (``SELECT …
FOR UPDATE SKIP LOCKED`` on PostgreSQL, an exclusive transaction on SQLite, so several workers
may run side by side), writes its heartbeat for ``/health/`` and takes back jobs whose worker
died. ``--batch`` runs what is queued and exits (for cron or a one-off catch-up).
"""

from __future__ import annotations

from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker

from core.jobs import worker_heartbeat_start
from core.management.base import SpecCommand


class Command(SpecCommand):
    help = "Run background jobs (imports, scans, reports) from the database queue."
    progress_bars = False  # a daemon beside the web server: its jobs draw nothing there

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run the queued jobs, then exit.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at an empty queue."
        )

    def handle(self, *args, batch: bool, interval: float, **options):
        beat = worker_heartbeat_start(kind="database")
        worker = Worker(
            queue_names=["default"],
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not batch,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        if not batch:
            worker.configure_signals()
            self.stdout.write("Background worker started; stop it with Ctrl-C.")
        try:
            worker.run()
        finally:
            beat.stop()
            beat.join()
