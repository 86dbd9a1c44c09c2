"""Finance models: contracts, budgets, money received, staffing and the ledger (contracts.py),
and the irregularity flags (flags.py, owned by the flags work)."""

from finance.models.contracts import (  # noqa: F401
    CATEGORY_CHINESE,
    PAYMENT_METHOD_CHINESE,
    AuditorGrant,
    BudgetLine,
    BudgetRevision,
    BudgetRevisionLine,
    Category,
    Contract,
    Disbursement,
    Expenditure,
    Funder,
    PaymentMethod,
    StaffAssignment,
    restrict_through_contract,
)
from finance.models.flags import *  # noqa: F403
from finance.models.reconciliation import *  # noqa: F403
