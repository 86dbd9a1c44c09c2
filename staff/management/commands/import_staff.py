"""``manage.py import_staff FILE [--dry-run] [--agency SLUG] [--user USERNAME]`` (docs/commands.md)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.importing.cli import ImportCommand
from staff.roster import RosterImport


class Command(ImportCommand):
    help = _("Import the staff roster (CSV or XLSX, one row per employment spell); all or nothing.")

    def importer(self, *, agency, user, options) -> RosterImport:
        return RosterImport(agency=agency, user=user)
