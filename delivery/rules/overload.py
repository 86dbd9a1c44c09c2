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
    findings = []
    for (staff_id, date), minutes in over.sort_index().items():
        rows = frame[(frame["staff_id"] == staff_id) & (frame["date"] == date)]
        if rows.empty:
            continue  # that day's activities are all under other contracts
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
                    "minutes": int(minutes),
                    "date": iso(date),
                    "limit": limit,
                    "count": len(rows),
                    "own": own,
                    "contract": context.contract,
                },
                evidence={
                    "date": iso(date),
                    "staff_id": int(staff_id),
                    "day_minutes": int(minutes),
                    "limit": limit,
                },
                activity_ids=tuple(int(i) for i in rows["id"]),
                activity_nos=tuple(str(n) for n in rows["activity_no"]),
            )
        )
    return findings
