"""``manage.py import_ledger FILE --contract CODE [--dry-run] [--agency SLUG]`` (files.md, cli.md)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.importing.cli import read_input_file, resolve_agency, resolve_user, run_import_command
from finance.models import Contract
from finance.services import contract_actual, ledger_import


class Command(BaseCommand):
    help = _("Import ledger rows (CSV or XLSX) into a contract; prints the rows imported and the new total.")

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("CSV or XLSX ledger file"))
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
        result = ledger_import(
            contract=contract, data=data, filename=name, user=user, dry_run=options["dry_run"]
        )
        run_import_command(self, result)
        total = result.summary.get("new_total") or f"{contract_actual(contract):.2f}"
        if options["dry_run"]:
            self.stdout.write(
                ngettext(
                    "%(rows)s row would be imported; %(code)s would then total %(total)s.",
                    "%(rows)s rows would be imported; %(code)s would then total %(total)s.",
                    result.rows,
                )
                % {"rows": result.rows, "code": contract.code, "total": total}
            )
        else:
            self.stdout.write(
                ngettext(
                    "%(rows)s row imported; %(code)s now totals %(total)s.",
                    "%(rows)s rows imported; %(code)s now totals %(total)s.",
                    result.rows,
                )
                % {"rows": result.rows, "code": contract.code, "total": total}
            )
