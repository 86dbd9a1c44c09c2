"""THIN_CASES: a cases target whose children are counted after a single short contact."""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from delivery.rules.base import ActivityFinding, DeliveryContext, decimal, delivery_rule
from finance.rules.base import number_text

MIN_CASES = 10


@delivery_rule(
    "THIN_CASES",
    severity="warning",
    about="target",
    title=_("Cases counted without casework"),
    description=_(
        "Of a target counted in cases, too many cases have one single short activity in the "
        "period: children counted toward the target without the casework the count stands for."
    ),
)
def thin_cases(frame: pd.DataFrame, policy: dict, context: DeliveryContext) -> list[ActivityFinding]:
    """Of a cases target's distinct case codes (≥ 10), > ``thin_case_pct`` % have one activity < ``thin_case_minutes``."""
    pct = decimal(policy["thin_case_pct"])
    minutes = int(policy["thin_case_minutes"])
    coded = frame[
        (frame["measure"] == "cases")
        & (frame["case_code"] != "")
        & (frame["day"] >= context.start_day)
        & (frame["day"] <= context.end_day)
    ]
    findings = []
    for target, rows in coded.groupby("target", sort=True):
        # Activities and minutes per case by position in the distinct codes: no group frames.
        codes, cases = pd.factorize(rows["case_code"].to_numpy())
        distinct = len(cases)
        if distinct < MIN_CASES:
            continue
        count = np.bincount(codes, minlength=distinct)
        total = np.bincount(codes, weights=rows["duration_minutes"].to_numpy(), minlength=distinct)
        is_thin = (count == 1) & (total < minutes)
        thin = int(is_thin.sum())
        if decimal(thin) * 100 <= pct * distinct:
            continue
        thin_rows = rows[is_thin[codes]]
        share = (decimal(thin) * 100 / distinct).quantize(decimal("0.1"))
        findings.append(
            ActivityFinding(
                rule="THIN_CASES",
                subject=f"{context.contract}:thin:{target}",
                message=gettext_noop(
                    "Target %(target)s of %(contract)s: %(thin)s of %(cases)s cases (%(share)s%%) have a "
                    "single activity of less than %(minutes)s minutes, more than the %(pct)s%% allowed"
                ),
                params={
                    "target": target,
                    "contract": context.contract,
                    "thin": thin,
                    "cases": distinct,
                    "share": str(share),
                    "minutes": minutes,
                    "pct": number_text(pct),
                },
                evidence={
                    "thin_cases": thin,
                    "distinct_cases": distinct,
                    "thin_case_minutes": minutes,
                    "thin_case_pct": number_text(pct),
                },
                activity_ids=tuple(int(i) for i in thin_rows["id"]),
                activity_nos=tuple(str(n) for n in thin_rows["activity_no"]),
                target=str(target),
            )
        )
    return findings
