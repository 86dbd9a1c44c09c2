"""Writes on the ledger: hand entry (with the contract's overspend action), void and reversal.

Each goes through ``Expenditure.save``, which moves the running totals of the line and the
contract in the same transaction (``finance.models.ledger.apply_ledger_effects``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from finance.models import BudgetLine, Contract, Expenditure
from finance.models.ledger import lock_for_ledger_write

ZERO = Decimal("0.00")


@dataclass
class PostResult:
    """The saved expenditure and any warnings the person should see (e.g. an overspent line)."""

    expenditure: Expenditure
    warnings: list[str] = field(default_factory=list)


def line_actual(line: BudgetLine) -> Decimal:
    """Σ of posted (signed) expenditures on a line: its running total as stored now."""
    return BudgetLine.objects.filter(pk=line.pk).values_list("spent_total", flat=True).first() or ZERO


def expenditure_post(
    *,
    contract: Contract,
    budget_line: BudgetLine,
    date: dt.date,
    amount: Decimal,
    payee: str,
    description: str,
    user=None,
    invoice_no: str = "",
    payment_method: str = "",
    voucher_no: str = "",
    staff=None,
    posted_on: dt.date | None = None,
    reversal_of: Expenditure | None = None,
) -> PostResult:
    """Enter one expenditure by hand, applying the contract's ``overspend_action``.

    The budget line row is locked (``select_for_update``) for the check and the insert, so
    two postings racing against a ``stop`` line are serialised and cannot together pass the
    approved amount. ``stop`` refuses, ``warn`` saves and warns, ``ignore`` saves silently.
    Only amounts that increase spending are checked; reversals always pass.
    """
    if budget_line.contract_id != contract.pk:
        raise ValidationError({"budget_line": _("This line belongs to another contract.")})
    if staff is not None and staff.agency_id != contract.agency_id:
        raise ValidationError({"staff": _("Unknown staff member.")})
    warnings: list[str] = []
    with transaction.atomic():
        # The contract first, then the line (finance.models.ledger.lock_for_ledger_write), FOR
        # NO KEY UPDATE: postings on the line are serialised without blocking the key-share
        # locks of inserts and flag scans that refer to it.
        lock_for_ledger_write(contract.pk)
        line = BudgetLine.objects.select_for_update(no_key=True).get(pk=budget_line.pk)
        expenditure = Expenditure(
            agency=contract.agency,
            contract=contract,
            budget_line=line,
            date=date,
            amount=amount,
            payee=payee.strip(),
            description=description.strip(),
            invoice_no=invoice_no.strip(),
            payment_method=payment_method,
            voucher_no=voucher_no.strip(),
            staff=staff,
            posted_on=posted_on,
            reversal_of=reversal_of,
            source=Expenditure.Source.MANUAL,
            created_by=user if getattr(user, "pk", None) else None,
        )
        expenditure.full_clean()
        if amount > 0:
            action = contract.effective_policy()["overspend_action"]
            if action != "ignore":
                # The line row is locked: its running total is the ledger's, and stays so.
                after = line.spent_total + amount
                if after > line.approved_amount:
                    message = _(
                        "Line %(code)s would be overspent: %(after)s spent against %(approved)s approved "
                        "(%(over)s over)."
                    ) % {
                        "code": line.code,
                        "after": f"{after:,.2f}",
                        "approved": f"{line.approved_amount:,.2f}",
                        "over": f"{after - line.approved_amount:,.2f}",
                    }
                    if action == "stop":
                        raise ValidationError({"amount": message})
                    warnings.append(message)
        expenditure.save()
        _rescan(contract, user)
    return PostResult(expenditure=expenditure, warnings=warnings)


def _rescan(contract: Contract, user) -> None:
    # Flags are raised after every change to the ledger, once the transaction commits.
    from finance.flags.services import flags_scan_on_commit

    flags_scan_on_commit(contract=contract, user=user)


@transaction.atomic
def expenditure_void(*, expenditure: Expenditure, reason: str, user) -> Expenditure:
    """Void a posted expenditure with a reason; it stays in the ledger, out of the actuals."""
    lock_for_ledger_write(expenditure.contract_id)  # the contract first, as every ledger write
    expenditure = Expenditure.objects.select_for_update(no_key=True).get(pk=expenditure.pk)
    if expenditure.status == Expenditure.Status.VOID:
        raise ValidationError(_("This expenditure is already void."))
    if not reason.strip():
        raise ValidationError({"void_reason": _("Give the reason for voiding.")})
    expenditure.status = Expenditure.Status.VOID
    expenditure.void_reason = reason.strip()
    expenditure.voided_by = user if getattr(user, "pk", None) else None
    expenditure.voided_at = timezone.now()
    expenditure.full_clean()
    expenditure.save()
    _rescan(expenditure.contract, user)
    return expenditure


def expenditure_reverse(
    *, expenditure: Expenditure, user, date: dt.date | None = None, reason: str = ""
) -> PostResult:
    """Post the negative counter-entry (红字冲销) of an expenditure; both stay in the ledger."""
    if expenditure.status != Expenditure.Status.POSTED:
        raise ValidationError(_("Only a posted expenditure can be reversed."))
    if expenditure.amount < 0:
        raise ValidationError(_("A reversal cannot itself be reversed."))
    if expenditure.reversals.filter(status=Expenditure.Status.POSTED).exists():
        raise ValidationError(_("This expenditure has already been reversed."))
    voucher = f"{expenditure.voucher_no}-R" if expenditure.voucher_no else ""
    description = _("Reversal of %(what)s") % {"what": expenditure.description}
    if reason.strip():
        description = f"{description}: {reason.strip()}"
    return expenditure_post(
        contract=expenditure.contract,
        budget_line=expenditure.budget_line,
        date=date or timezone.localdate(),
        amount=-expenditure.amount,
        payee=expenditure.payee,
        description=description[:500],
        user=user,
        invoice_no=expenditure.invoice_no,
        payment_method=expenditure.payment_method,
        voucher_no=voucher,
        staff=expenditure.staff,
        posted_on=timezone.localdate(),
        reversal_of=expenditure,
    )
