"""``manage.py import_activities FILE --contract CODE [--dry-run] [--agency SLUG]`` (docs/formats.md, docs/commands.md)."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.importing.cli import ImportCommand
from delivery.importing import ActivitiesImport
from finance.models import Contract


class Command(ImportCommand):
    help = _("Import service activity records (CSV or XLSX) into a contract.")
    file_help = gettext_lazy("CSV or XLSX file of service activities")
    target_option = "--contract"
    target_help = gettext_lazy("contract code")

    def importer(self, *, agency, user, options) -> ActivitiesImport:
        contract = Contract.objects.filter(agency=agency, code=options["contract"]).first()
        if contract is None:
            raise CommandError(_("There is no contract %(code)s.") % {"code": options["contract"]})
        return ActivitiesImport(contract=contract, user=user)
