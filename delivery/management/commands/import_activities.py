"""``manage.py import_activities FILE --contract CODE [--dry-run] [--agency SLUG]`` (files.md, cli.md)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.importing.cli import read_input_file, resolve_agency, resolve_user, run_import_command
from delivery.importing import activities_import
from finance.models import Contract


class Command(BaseCommand):
    help = _("Import service activity records (CSV or XLSX) into a contract.")

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("CSV or XLSX file of service activities"))
        parser.add_argument("--contract", required=True, help=_("contract code"))
        parser.add_argument("--agency", default=None, help=_("short name of the agency"))
        parser.add_argument("--user", default=None, help=_("username recorded as the importer"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("check the file and report; change nothing")
        )

    def handle(self, *args, **options):
        try:
            agency = resolve_agency(options["agency"])
            user = resolve_user(options["user"], agency)
            contract = Contract.objects.filter(agency=agency, code=options["contract"]).first()
            if contract is None:
                raise CommandError(_("There is no contract %(code)s.") % {"code": options["contract"]})
            data, name = read_input_file(options["path"])
        except CommandError as exc:
            self.stderr.write(str(exc))
            if getattr(self, "_called_from_command_line", False):
                sys.exit(1)
            raise CommandError(str(exc), returncode=1) from None
        result = activities_import(
            contract=contract, data=data, filename=name, user=user, dry_run=options["dry_run"]
        )
        run_import_command(self, result)
