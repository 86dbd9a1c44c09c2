"""``manage.py import_staff FILE [--dry-run] [--agency SLUG] [--user USERNAME]`` (shared/spec/cli.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.importing.cli import (
    add_import_arguments,
    read_input_file,
    resolve_agency,
    resolve_user,
    run_import_command,
)
from staff.roster import roster_import


class Command(BaseCommand):
    help = _("Import the staff roster (CSV or XLSX, one row per employment spell); all or nothing.")

    def add_arguments(self, parser) -> None:
        add_import_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            agency = resolve_agency(options["agency"])
            user = resolve_user(options["user"], agency)
            data, filename = read_input_file(options["path"])
        except CommandError as exc:
            raise CommandError(str(exc), returncode=1) from None
        result = roster_import(
            data=data, filename=filename, agency=agency, user=user, dry_run=options["dry_run"]
        )
        run_import_command(self, result)
