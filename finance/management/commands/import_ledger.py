"""``manage.py import_ledger FILE --contract CODE [--dry-run] [--agency SLUG]`` (docs/formats.md, docs/commands.md)."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.importing.cli import ImportCommand
from finance.models import Contract
from finance.services import LedgerImport, contract_actual


class Command(ImportCommand):
    help = _("Import ledger rows (CSV or XLSX) into a contract; prints the rows imported and the new total.")
    file_help = gettext_lazy("CSV or XLSX ledger file")
    target_option = "--contract"
    target_help = gettext_lazy("contract code")

    def importer(self, *, agency, user, options) -> LedgerImport:
        contract = Contract.objects.filter(agency=agency, code=options["contract"]).first()
        if contract is None:
            raise CommandError(_("There is no contract %(code)s.") % {"code": options["contract"]})
        return LedgerImport(contract=contract, user=user)

    def after(self, result, importer: LedgerImport, options) -> None:
        contract = importer.contract
        total = result.summary.get("new_total") or f"{contract_actual(contract):.2f}"
        if options["dry_run"]:
            line = ngettext(
                "%(rows)s row would be imported; %(code)s would then total %(total)s.",
                "%(rows)s rows would be imported; %(code)s would then total %(total)s.",
                result.rows,
            )
        else:
            line = ngettext(
                "%(rows)s row imported; %(code)s now totals %(total)s.",
                "%(rows)s rows imported; %(code)s now totals %(total)s.",
                result.rows,
            )
        self.stdout.write(line % {"rows": result.rows, "code": contract.code, "total": total})
