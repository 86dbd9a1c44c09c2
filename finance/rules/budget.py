"""Budget rules: overspent lines and contract, unapproved re-budgeting, admin and personnel caps."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import Finding, RuleContext, iso, money_str, money_text, number_text, rule


def _first_crossing(frame: pd.DataFrame, limits: pd.Series | int, by: str | None) -> pd.DataFrame:
    """Rows where a running total (date order, ties by ledger order) first exceeds its limit."""
    if frame.empty:
        return frame.assign(running=pd.Series(dtype="int64"))
    if by is None:
        running = frame["amount"].cumsum()
        limit = limits
    else:
        running = frame.groupby(by, sort=False)["amount"].cumsum()
        limit = frame[by].map(limits)
    crossed = frame.assign(running=running, limit=limit)
    crossed = crossed[crossed["limit"].notna() & (crossed["running"] > crossed["limit"])]
    if by is None:
        return crossed.head(1)
    return crossed.groupby(by, sort=False).head(1)


@rule(
    "LINE_OVERSPEND",
    severity="critical",
    about="expenditure",
    title=_("Budget line overspent"),
    description=_(
        "A budget line's spending went past its approved amount. Funders pay only what they "
        "approved per line; usually a budget revision was not requested in time, or a cost was "
        "booked to the wrong line."
    ),
)
def line_overspend(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """The expenditure at which each line's running total first exceeds the line's approved amount."""
    lines = context.lines.set_index("code")
    crossing = _first_crossing(frame, lines["approved"], by="line")
    findings = []
    for row in crossing.itertuples(index=False):
        approved = int(lines.at[row.line, "approved"])
        actual = int(frame.loc[frame["line"] == row.line, "amount"].sum())
        findings.append(
            Finding(
                rule="LINE_OVERSPEND",
                subject=f"{context.contract}:line:{row.line}",
                message=gettext_noop(
                    "Budget line %(line)s (%(name)s) is overspent from voucher %(voucher)s of "
                    "%(date)s: its running total reached %(running)s, above the approved %(approved)s"
                ),
                params={
                    "line": row.line,
                    "name": str(lines.at[row.line, "name"]),
                    "voucher": row.voucher_no or f"#{row.id}",
                    "date": iso(row.date),
                    "running": money_text(row.running),
                    "approved": money_text(approved),
                },
                expenditure_ids=(int(row.id),),
                budget_line=row.line,
                evidence={
                    "approved": money_str(approved),
                    "running_total": money_str(row.running),
                    "amount": money_str(row.amount),
                    "line_actual": money_str(actual),
                },
            )
        )
    return findings


@rule(
    "CONTRACT_OVERSPEND",
    severity="critical",
    about="expenditure",
    title=_("Contract overspent"),
    description=_(
        "Total spending went past the contract total: the excess will not be reimbursed. Usually "
        "costs of another project were booked here, or a reversal is missing."
    ),
)
def contract_overspend(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """The expenditure at which the contract's running total first exceeds the contract total."""
    crossing = _first_crossing(frame, context.total, by=None)
    findings = []
    for row in crossing.itertuples(index=False):
        findings.append(
            Finding(
                rule="CONTRACT_OVERSPEND",
                subject=f"{context.contract}:contract",
                message=gettext_noop(
                    "Contract %(contract)s is overspent from voucher %(voucher)s of %(date)s: "
                    "spending reached %(running)s, above the contract total %(total)s"
                ),
                params={
                    "contract": context.contract,
                    "voucher": row.voucher_no or f"#{row.id}",
                    "date": iso(row.date),
                    "running": money_text(row.running),
                    "total": money_text(context.total),
                },
                expenditure_ids=(int(row.id),),
                budget_line=None,
                evidence={
                    "contract_total": money_str(context.total),
                    "running_total": money_str(row.running),
                    "amount": money_str(row.amount),
                    "actual": money_str(int(frame["amount"].sum())),
                },
            )
        )
    return findings


def _pct_of_total(pct: Decimal, total: int) -> Decimal:
    """``pct`` % of ``total`` cents, exact."""
    return Decimal(str(pct)) * total / 100


@rule(
    "TRANSFER_LIMIT",
    severity="critical",
    about="contract",
    title=_("Unapproved re-budgeting"),
    description=_(
        "Spending moved between budget lines beyond what the funder tolerates without a formal "
        "budget revision. Usually a revision was agreed informally but never approved in writing."
    ),
)
def transfer_limit(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Σ over lines of max(0, actual − approved) exceeds ``transfer_tolerance_pct`` % of the total."""
    actual = frame.groupby("line")["amount"].sum()
    lines = context.lines.set_index("code")
    over = (actual.reindex(lines.index, fill_value=0) - lines["approved"]).clip(lower=0)
    over = over[over > 0]
    moved = int(over.sum())
    pct = policy["transfer_tolerance_pct"]
    tolerance = _pct_of_total(pct, context.total)
    if moved <= tolerance:
        return []
    tolerance_cents = int(tolerance)
    return [
        Finding(
            rule="TRANSFER_LIMIT",
            subject=f"{context.contract}:contract",
            message=gettext_noop(
                "Contract %(contract)s: %(moved)s was spent above approved line amounts, more than "
                "the %(pct)s%% (%(tolerance)s) of the contract total that may be moved without approval"
            ),
            params={
                "contract": context.contract,
                "moved": money_text(moved),
                "pct": number_text(pct),
                "tolerance": money_text(tolerance_cents),
            },
            evidence={
                "over_approved": money_str(moved),
                "tolerance": money_str(tolerance_cents),
                "tolerance_pct": number_text(pct),
                "lines": {code: money_str(value) for code, value in over.items()},
            },
            basis={"over": {str(k): int(v) for k, v in over.items()}},
        )
    ]


def _cap(frame, policy, context, *, code: str, category: str, key: str) -> list[Finding]:
    pct = policy.get(key)
    if pct is None:
        return []
    spent = int(frame.loc[frame["category"] == category, "amount"].sum())
    cap = _pct_of_total(pct, context.total)
    if spent <= cap:
        return []
    share = Decimal(spent * 100) / context.total if context.total else Decimal(0)
    return [
        Finding(
            rule=code,
            subject=f"{context.contract}:contract",
            message=(
                gettext_noop(
                    "Contract %(contract)s: admin spending is %(spent)s (%(share)s%% of the contract "
                    "total), above the cap of %(pct)s%% (%(cap)s)"
                )
                if category == "admin"
                else gettext_noop(
                    "Contract %(contract)s: personnel spending is %(spent)s (%(share)s%% of the "
                    "contract total), above the cap of %(pct)s%% (%(cap)s)"
                )
            ),
            params={
                "contract": context.contract,
                "spent": money_text(spent),
                "share": f"{share.quantize(Decimal('0.01'))}",
                "pct": number_text(pct),
                "cap": money_text(int(cap)),
            },
            evidence={
                "spent": money_str(spent),
                "cap": money_str(int(cap)),
                "cap_pct": number_text(pct),
                "contract_total": money_str(context.total),
            },
            basis={"spent": spent},
        )
    ]


@rule(
    "ADMIN_CAP",
    severity="warning",
    about="contract",
    title=_("Administration cap exceeded"),
    description=_(
        "Administrative costs exceed the share of the contract the funder allows for them. "
        "Usually shared office costs were allocated too generously to this contract."
    ),
)
def admin_cap(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Actual admin-category spending exceeds ``admin_cap_pct`` % of the contract total."""
    return _cap(frame, policy, context, code="ADMIN_CAP", category="admin", key="admin_cap_pct")


@rule(
    "PERSONNEL_CAP",
    severity="warning",
    about="contract",
    title=_("Personnel cap exceeded"),
    description=_(
        "Personnel costs exceed the share of the contract the funder allows for them. Usually "
        "staff time of other projects was charged here."
    ),
)
def personnel_cap(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Actual personnel spending exceeds ``personnel_cap_pct`` % of the total, when that is set."""
    return _cap(frame, policy, context, code="PERSONNEL_CAP", category="personnel", key="personnel_cap_pct")
