"""SPENDING_SURGE: far more spent in the last weeks of the contract than on average."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from finance.rules.base import (
    Finding,
    PolicyKey,
    Rule,
    RuleContext,
    day_number,
    money_str,
    money_text,
    number_text,
)


def spending_surge(frame: pd.DataFrame, policy: dict, context: RuleContext) -> list[Finding]:
    """Spending in the last ``surge_window_days`` of the period above ``surge_factor`` × the average."""
    window = int(policy["surge_window_days"])
    factor = Decimal(str(policy["surge_factor"]))
    length = (context.end - context.start).days + 1
    if window <= 0 or length < 3 * window:
        return []
    start_day, end_day = day_number(context.start), day_number(context.end)
    in_period = frame[(frame["day"] >= start_day) & (frame["day"] <= end_day)]
    total = int(in_period["amount"].sum())
    last = int(in_period.loc[in_period["day"] > end_day - window, "amount"].sum())
    # last > factor × total × window / length, kept exact in integers and Decimal.
    if Decimal(last * length) <= factor * total * window:
        return []
    average = int((Decimal(total) * window / length).to_integral_value())
    window_start = context.end - dt.timedelta(days=window - 1)
    return [
        Finding(
            rule="SPENDING_SURGE",
            subject=f"{context.contract}:contract",
            message=gettext_noop(
                "Contract %(contract)s: %(last)s was spent in the last %(window)s days "
                "(%(from)s to %(to)s), more than %(factor)s times the average of %(average)s "
                "per %(window)s days over the period"
            ),
            params={
                "contract": context.contract,
                "last": money_text(last),
                "window": window,
                "from": window_start.isoformat(),
                "to": context.end.isoformat(),
                "factor": number_text(factor),
                "average": money_text(average),
            },
            evidence={
                "last_window": money_str(last),
                "average_per_window": money_str(average),
                "period_total": money_str(total),
                "window_days": window,
                "factor": number_text(factor),
                "period_days": length,
            },
            basis={"last": last, "total": total},
        )
    ]


RULE = Rule(
    code="SPENDING_SURGE",
    severity="warning",
    position=100,
    about="contract",
    title=_("End-of-contract spending surge"),
    description=_(
        "Much more was spent in the last weeks of the contract than on average: money spent to "
        "use up a budget rather than for the work. Usually explained by a planned final event or "
        "an equipment purchase the funder agreed to."
    ),
    func=spending_surge,
    policy=(
        PolicyKey("surge_window_days", "int", 30, _("Surge window, days")),
        PolicyKey("surge_factor", "decimal", Decimal("3"), _("Surge factor")),
    ),
    example_from="LINE_OVERSPEND",
)
