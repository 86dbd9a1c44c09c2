"""DUPLICATE_ACTIVITY: the same person, day, target, case and duration recorded twice or more."""

from __future__ import annotations

import hashlib

import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from delivery.rules.base import ActivityFinding, DeliveryContext, delivery_rule, iso


def _digest(case: str) -> str:
    return hashlib.sha256(case.encode()).hexdigest()[:12]


KEY = ["staff_id", "date", "target", "case_code", "duration_minutes"]


@delivery_rule(
    "DUPLICATE_ACTIVITY",
    severity="warning",
    about="group",
    title=_("Duplicate activity"),
    description=_(
        "Two or more activities with the same staff member, date, target, case code and duration: "
        "the same visit counted more than once."
    ),
)
def duplicate_activity(frame: pd.DataFrame, policy: dict, context: DeliveryContext) -> list[ActivityFinding]:
    """Groups of two or more on staff, date, target, non-empty case code and duration."""
    coded = frame[frame["case_code"] != ""]
    if coded.empty:
        return []
    groups = coded[coded.duplicated(list(KEY), keep=False)]
    findings = []
    for (staff_id, date, target, case, minutes), rows in groups.groupby(KEY, sort=True):
        findings.append(
            ActivityFinding(
                rule="DUPLICATE_ACTIVITY",
                # The case code stays out of what people read (auditors see flags): hashed here.
                subject=f"{context.contract}:dup:{int(staff_id)}:{iso(date)}:{target}:{_digest(case)}:{int(minutes)}",
                message=gettext_noop(
                    "%(count)s activities of %(staff)s on %(date)s for the same case under target %(target)s, "
                    "each of %(minutes)s minutes: %(activities)s"
                ),
                params={
                    "count": len(rows),
                    "staff": context.staff_name(staff_id),
                    "date": iso(date),
                    "target": target,
                    "minutes": int(minutes),
                    "activities": ", ".join(rows["activity_no"]),
                },
                evidence={"date": iso(date), "duration_minutes": int(minutes)},
                activity_ids=tuple(int(i) for i in rows["id"]),
                activity_nos=tuple(str(n) for n in rows["activity_no"]),
                target=str(target),
            )
        )
    return findings
