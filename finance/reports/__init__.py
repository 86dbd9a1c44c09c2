"""Finance's reports (docs/commands.md ``report``): data builders and their registrations, in one package.

- ``budget``: ``budget-vs-actual``, and ``visible_contract`` (the contract a report is about);
- ``flags``: ``flags``, every current flag with the expenditures behind it;
- ``pack``: ``contract``, the funder pack, whose section builders the annual report reuses.

Each builder returns a ``core.reports.Report`` of plain tables and figures; the renderers of
``core.reports`` turn it into a file. Importing this package registers the kinds (in this order,
the order of the reports page); ``FinanceConfig.ready()`` does it. Reads stay in the selectors.
"""

from finance.reports import budget, flags, pack  # noqa: F401  (registers, in this order)
from finance.reports.budget import build_budget_vs_actual, visible_contract
from finance.reports.flags import build_flags
from finance.reports.pack import build_contract, contract_pack

__all__ = ["build_budget_vs_actual", "build_contract", "build_flags", "contract_pack", "visible_contract"]
