"""``manage.py scan_flags [--contract CODE] [--format text|json] [--agency SLUG]`` (docs/commands.md).

Runs every rule of docs/rules.md on the agency's contracts (or one), stores the findings as
flags (no duplicates; triaged flags keep their status) and prints the current flags of the
scanned contracts. Flags that no longer fire are kept in the database but not printed.
"""

from __future__ import annotations

import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from core.importing.cli import command_fail, resolve_agency
from core.management.base import SpecCommand
from finance.flags.output import scan_document
from finance.flags.services import flags_scan_agency
from finance.models import Contract


class Command(SpecCommand):
    help = _("Run every irregularity rule and print the findings.")

    def add_arguments(self, parser):
        parser.add_argument("--contract", default=None, help=_("contract code (default: every contract)"))
        parser.add_argument("--format", choices=("text", "json"), default="text", help=_("output format"))
        parser.add_argument("--agency", default=None, help=_("short name of the agency"))

    def handle(self, *args, **options):
        try:
            agency = resolve_agency(options["agency"])
        except CommandError as exc:
            command_fail(self, str(exc))
        code = options["contract"]
        if code and not Contract.objects.filter(agency=agency, code=code).exists():
            known = ", ".join(Contract.objects.filter(agency=agency).values_list("code", flat=True)) or "-"
            command_fail(
                self, _("There is no contract %(code)s (known: %(known)s).") % {"code": code, "known": known}
            )
        results = flags_scan_agency(agency=agency, contract_code=code)
        flags = {flag.pk: flag for result in results for flag in result.flags}
        document = scan_document(flags.values())
        if options["format"] == "json":
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        for item in document["flags"]:
            where = ", ".join(item["contracts"])
            if item["budget_line"]:
                where += f" / {item['budget_line']}"
            self.stdout.write(
                f"[{item['severity']}] {item['rule']} {where} ({item['status']}): {item['message']}"
            )
        summary = document["summary"]
        self.stdout.write(
            _("%(critical)s critical, %(warning)s warning, %(info)s info (%(contracts)s contracts scanned)")
            % {**summary, "contracts": len(results)}
        )
