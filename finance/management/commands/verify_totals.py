"""``manage.py verify_totals [--agency SLUG] [--fix]``: the running totals against the ledger (docs/commands.md)."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from core.importing.cli import resolve_agency
from core.management.base import SpecCommand
from finance.models import Contract
from finance.services import recompute_totals, totals_mismatches


class Command(SpecCommand):
    help = _(
        "Compare the stored spending totals of every contract and budget line with the ledger; "
        "exit 1 on a difference (--fix recomputes them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--agency", help=_("agency slug (default: every agency)"))
        parser.add_argument("--fix", action="store_true", help=_("recompute the totals that differ"))

    def handle(self, *args, **options):
        contracts = Contract.objects.all()
        if options["agency"]:
            contracts = contracts.filter(agency=resolve_agency(options["agency"]))
        mismatches = totals_mismatches(contracts)
        for mismatch in mismatches:
            self.stdout.write(str(mismatch))
        if not mismatches:
            self.stdout.write(
                _("%(n)s contracts: every stored total equals the ledger.") % {"n": contracts.count()}
            )
            return
        if options["fix"]:
            codes = {m.code.split("/")[0] for m in mismatches}
            recompute_totals(contracts.filter(code__in=codes).values_list("pk", flat=True))
            self.stdout.write(
                _("%(n)s totals differed; recomputed from the ledger.") % {"n": len(mismatches)}
            )
            return
        raise CommandError(_("%(n)s stored totals differ from the ledger.") % {"n": len(mismatches)})
