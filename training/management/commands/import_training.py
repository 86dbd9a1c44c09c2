"""``manage.py import_training FILE [--dry-run] [--agency SLUG]``: training records (files.md)."""

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
from training.importing import training_import


class Command(BaseCommand):
    help = _("Import training records from a CSV or XLSX file (all rows or none); they count as approved.")

    def add_arguments(self, parser) -> None:
        add_import_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            agency = resolve_agency(options["agency"])
            user = resolve_user(options["user"], agency)
            data, name = read_input_file(options["path"])
        except CommandError as exc:
            raise CommandError(str(exc), returncode=1) from None
        result = training_import(
            agency=agency, data=data, filename=name, user=user, dry_run=options["dry_run"]
        )
        run_import_command(self, result)
