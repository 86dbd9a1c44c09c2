"""Benchmarks: each ``bench_<topic>.py`` exposes ``run(size) -> list[dict]``; ``python -m bench`` runs all."""

import os


def django_setup(scratch: str, reset: bool) -> None:
    """Django on ``DATABASE_URL`` (default: the SQLite file ``/tmp/<scratch>.sqlite3``); with
    ``reset``, that scratch file is removed first and the database migrated."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DATABASE_URL", f"sqlite:////tmp/{scratch}.sqlite3")
    if reset and os.environ["DATABASE_URL"].startswith(f"sqlite:////tmp/{scratch}"):
        path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
        if os.path.exists(path):
            os.remove(path)
    import django

    django.setup()
    if reset:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
