"""LINE_OVERSPEND: a budget line's running total first exceeds its approved amount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules._totals import first_crossing
from finance.rules.base import Finding, Rule, RuleContext, iso, money_str, money_text, voucher_params
from finance.rules.examples import DemoExample, DemoRow, DemoWorld


def line_overspend(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """The expenditure at which each line's running total first exceeds the line's approved amount."""
    lines = context.lines.set_index("code")
    crossing = first_crossing(frame, lines["approved"], by="line")
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
                    **voucher_params(row.voucher_no, row.amount, row.payee),
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


def example(world: DemoWorld) -> DemoExample:
    """A big year-end event on last year's closed contract (the second current one when there
    is none): 30 % of its total on the activities line (it also overspends the contract, exceeds
    the re-budgeting tolerance and is a surge in its last weeks)."""
    on = world.closed or world.second
    big = (on.total * Decimal("0.3")).quantize(Decimal("0.01")) + Decimal("0.37")
    day = world.workday(on.end - dt.timedelta(days=10))
    return DemoExample(
        rows=(DemoRow(on.code, on.line("activities"), day, big, "赣州会展公司", "年终大型活动"),)
    )


RULE = Rule(
    code="LINE_OVERSPEND",
    severity="critical",
    position=10,
    about="expenditure",
    title=_("Budget line overspent"),
    description=_(
        "A budget line's spending went past its approved amount. Funders pay only what they "
        "approved per line; usually a budget revision was not requested in time, or a cost was "
        "booked to the wrong line."
    ),
    func=line_overspend,
    example=example,
    example_order=150,
)
