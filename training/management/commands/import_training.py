"""``manage.py import_training FILE [--dry-run] [--agency SLUG]``: training records (docs/formats.md)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.importing.cli import ImportCommand
from training.importing import TrainingImport


class Command(ImportCommand):
    help = _("Import training records from a CSV or XLSX file (all rows or none); they count as approved.")

    def importer(self, *, agency, user, options) -> TrainingImport:
        return TrainingImport(agency=agency, user=user)
