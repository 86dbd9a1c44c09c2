"""ACTIVITY_OVERLOAD: one person's activities of one day, in all contracts, exceed the day's maximum."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from delivery.rules.base import ActivityFinding, DeliveryContext, delivery_rule, iso


@delivery_rule(
    "ACTIVITY_OVERLOAD",
    severity="warning",
    about="group",
    title=_("More activity in a day than one person can deliver"),
    description=_(
        "One person's service activities of one day, in all the agency's contracts, add up to more "
        "minutes than anyone can deliver: records written to reach a count, or one activity "
        "recorded under several contracts."
    ),
)
def activity_overload(frame: pd.DataFrame, policy: dict, context: DeliveryContext) -> list[ActivityFinding]:
    """Σ minutes per person and day (all contracts) > ``activity_day_max_minutes``; lists this contract's."""
    limit = int(policy["activity_day_max_minutes"])
    if frame.empty:
        return []
    if context.day_minutes is None:
        totals = frame.groupby(["staff_id", "date"], sort=False)["duration_minutes"].sum().rename("minutes")
    else:
        day_minutes = context.day_minutes.astype({"staff_id": "int64", "minutes": "int64"})
        totals = day_minutes.groupby(["staff_id", "date"], sort=False)["minutes"].sum()
    over = totals[totals > limit]
    if over.empty:
        return []
    over = over.rename("day_total").reset_index()
    # One merge, then one group per overloaded day: no scan of the frame per day.
    rows_all = frame.merge(over, on=["staff_id", "date"], how="inner")
    findings = []
    for (staff_id, date), rows in rows_all.groupby(["staff_id", "date"], sort=True):
        minutes = int(rows["day_total"].iloc[0])
        own = int(rows["duration_minutes"].sum())
        findings.append(
            ActivityFinding(
                rule="ACTIVITY_OVERLOAD",
                subject=f"{context.contract}:overload:{int(staff_id)}:{iso(date)}",
                message=gettext_noop(
                    "%(staff)s has %(minutes)s minutes of service activities on %(date)s in all contracts, "
                    "more than the %(limit)s one person can deliver in a day (%(count)s activities, "
                    "%(own)s minutes, in %(contract)s)"
                ),
                params={
                    "staff": context.staff_name(staff_id),
                    "minutes": minutes,
                    "date": iso(date),
                    "limit": limit,
                    "count": len(rows),
                    "own": own,
                    "contract": context.contract,
                },
                evidence={
                    "date": iso(date),
                    "staff_id": int(staff_id),
                    "day_minutes": minutes,
                    "limit": limit,
                },
                activity_ids=tuple(int(i) for i in rows["id"]),
                activity_nos=tuple(str(n) for n in rows["activity_no"]),
            )
        )
    return findings
