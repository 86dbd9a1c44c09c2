"""Hand-built frames for the delivery rules: a 2025 contract, staff 1 (李社工) and 2 (王社工)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from delivery.rules import DeliveryContext, prepare_activities
from delivery.rules.policy import DEFAULTS

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
STAFF = pd.DataFrame({"staff_id": [1, 2], "staff_no": ["S1", "S2"], "name": ["李社工", "王社工"]})


def activities(*rows: dict) -> pd.DataFrame:
    """Rows with defaults: staff 1, target HV (activities), 60 minutes, no case code."""
    full = []
    for number, row in enumerate(rows, start=1):
        full.append(
            {
                "id": number,
                "activity_no": f"A-{number}",
                "date": dt.date(2025, 3, 5),
                "staff_id": 1,
                "target": "HV",
                "measure": "activities",
                "duration_minutes": 60,
                "case_code": "",
                "participants": 1,
                **row,
            }
        )
    return prepare_activities(pd.DataFrame(full))


def context(**kw) -> DeliveryContext:
    spells = pd.DataFrame(
        {"staff_id": [1, 2], "hire_date": [dt.date(2020, 1, 1)] * 2, "exit_date": [None, None]}
    )
    return DeliveryContext(
        **{"contract": "C1", "start": START, "end": END, "staff": STAFF, "spells": spells, **kw}
    )


def policy(**overrides) -> dict:
    return {**DEFAULTS, **overrides}
