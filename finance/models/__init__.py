"""Finance models by subject: contracts (funders, budgets and revisions, money received,
staffing, auditor grants), the ledger (expenditures), the irregularity flags, and the bank
reconciliation. Every model is importable from ``finance.models``."""

from finance.models.contracts import (  # noqa: F401
    CATEGORY_CHINESE,
    AuditorGrant,
    BudgetLine,
    BudgetRevision,
    BudgetRevisionLine,
    Category,
    Contract,
    Disbursement,
    Funder,
    StaffAssignment,
    restrict_through_contract,
)
from finance.models.flags import *  # noqa: F403
from finance.models.ledger import (  # noqa: F401
    PAYMENT_METHOD_CHINESE,
    Expenditure,
    ExpenditureQuerySet,
    PaymentMethod,
)
from finance.models.reconciliation import *  # noqa: F403
