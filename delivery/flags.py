"""The delivery rules in finance's flag machinery: load the frames, run the rules, link activities.

Registered as a ``finance.flags.extensions.ScanExtension`` in ``DeliveryConfig.ready()``: every
contract scan (``scan_flags``, after an import, after a policy change) also runs the eight
delivery rules, and their flags share the queue, triage and re-scan identity of the finance ones.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pandas as pd
from django.db.models import Sum

from delivery.models import FlagActivity, ServiceActivity
from delivery.rules import REGISTRY, ActivityFinding, DeliveryContext, prepare_activities, run_delivery_rules

_COLUMNS = (
    "id",
    "activity_no",
    "date",
    "staff_id",
    "target__code",
    "target__measure",
    "duration_minutes",
    "case_code",
    "participants",
)


def activities_frame(contract) -> pd.DataFrame:
    """The contract's activities as the rules' frame (one query)."""
    rows = list(ServiceActivity.objects.filter(contract=contract).values_list(*_COLUMNS))
    frame = pd.DataFrame(rows, columns=list(_COLUMNS)).rename(
        columns={"target__code": "target", "target__measure": "measure"}
    )
    return prepare_activities(frame)


def delivery_context(contract, frame: pd.DataFrame) -> DeliveryContext:
    """Spells, assignments, training and all-contract day minutes of the people in ``frame``."""
    from finance.models import StaffAssignment
    from staff.models import EmploymentSpell, StaffMember
    from training.models import RecordStatus, TrainingRecord

    staff_ids = sorted({int(i) for i in frame["staff_id"]})
    if frame.empty:
        first = last = contract.start
    else:
        first, last = frame["date"].min().date(), frame["date"].max().date()
    spells = pd.DataFrame(
        list(
            EmploymentSpell.objects.filter(staff_id__in=staff_ids).values_list(
                "staff_id", "hire_date", "exit_date"
            )
        ),
        columns=["staff_id", "hire_date", "exit_date"],
    )
    assignments = pd.DataFrame(
        list(StaffAssignment.objects.filter(contract=contract).values_list("staff_id", "start", "end")),
        columns=["staff_id", "start", "end"],
    )
    training_rows = (
        TrainingRecord.objects.filter(
            staff_id__in=staff_ids, status=RecordStatus.APPROVED, date__gte=first, date__lte=last
        )
        .values("staff_id", "date")
        .annotate(hours=Sum("hours"))
    )
    training = pd.DataFrame(
        [(r["staff_id"], r["date"], int(Decimal(r["hours"]) * 10)) for r in training_rows],
        columns=["staff_id", "date", "tenths"],
    )
    minutes_rows = (
        ServiceActivity.objects.filter(
            agency_id=contract.agency_id, staff_id__in=staff_ids, date__gte=first, date__lte=last
        )
        .values("staff_id", "date")
        .annotate(minutes=Sum("duration_minutes"))
    )
    day_minutes = pd.DataFrame(
        [(r["staff_id"], r["date"], r["minutes"]) for r in minutes_rows],
        columns=["staff_id", "date", "minutes"],
    )
    staff = pd.DataFrame(
        list(StaffMember.objects.filter(pk__in=staff_ids).values_list("pk", "staff_no", "name")),
        columns=["staff_id", "staff_no", "name"],
    )
    return DeliveryContext(
        contract=contract.code,
        start=contract.start,
        end=contract.end,
        spells=spells,
        assignments=assignments,
        training=training,
        day_minutes=day_minutes,
        staff=staff,
    )


def contract_findings(contract) -> list[ActivityFinding]:
    """Every delivery rule's findings on ``contract``, ready for the flag reconciliation.

    The ``basis`` of a finding about activities carries their values, so a re-scan after one of
    them changed reopens the flag; the target code goes into the evidence (scan_flags ``target``).
    """
    frame = activities_frame(contract)
    if frame.empty:
        return []
    findings = run_delivery_rules(frame, contract.effective_policy(), delivery_context(contract, frame))
    if not findings:
        return findings
    signature = {
        int(row.id): f"{row.id}|{row.date.date()}|{row.staff_id}|{row.target}|{row.duration_minutes}|"
        f"{row.case_code}|{row.participants}"
        for row in frame.itertuples(index=False)
    }
    for finding in findings:
        if finding.activity_ids:
            finding.basis = {
                **(finding.basis or {}),
                "activities": [signature[i] for i in sorted(finding.activity_ids)],
            }
        if finding.target:
            finding.evidence = {**finding.evidence, "target": finding.target}
    return findings


def link_activities(pairs) -> None:
    """(Re)write the activities behind each (flag, finding) pair of a delivery rule."""
    mine = [(flag, finding) for flag, finding in pairs if finding.rule in REGISTRY]
    if not mine:
        return
    FlagActivity.objects.filter(flag_id__in=[flag.pk for flag, _f in mine]).delete()
    FlagActivity.objects.bulk_create(
        [
            FlagActivity(agency_id=flag.agency_id, flag_id=flag.pk, activity_id=i)
            for flag, finding in mine
            for i in getattr(finding, "activity_ids", ())
        ],
        batch_size=5000,
    )


def describe_flags(flags) -> dict[int, dict]:
    """``activities`` (activity numbers, in date order) and ``target`` of each delivery flag."""
    ids = [flag.pk for flag in flags if flag.rule in REGISTRY]
    if not ids:
        return {}
    numbers: dict[int, list[str]] = defaultdict(list)
    for flag_id, number in (
        FlagActivity.objects.filter(flag_id__in=ids)
        .order_by("activity__date", "activity_id")
        .values_list("flag_id", "activity__activity_no")
    ):
        numbers[flag_id].append(number)
    return {
        flag.pk: {"activities": numbers.get(flag.pk, []), "target": (flag.evidence or {}).get("target")}
        for flag in flags
        if flag.rule in REGISTRY
    }


def register() -> None:
    from finance.flags.extensions import ScanExtension
    from finance.flags.extensions import register as register_extension

    register_extension(
        ScanExtension(
            name="delivery",
            findings=contract_findings,
            rules=REGISTRY,
            link=link_activities,
            describe=describe_flags,
        )
    )


__all__ = ["contract_findings", "describe_flags", "link_activities", "register"]
