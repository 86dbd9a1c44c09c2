"""The delivery rules in finance's flag machinery: load the frames, run the rules, link activities.

Registered as a ``finance.flags.extensions.ScanExtension`` in ``DeliveryConfig.ready()``: every
contract scan (``scan_flags``, after an import, after a change of the contract or of its targets:
``contract_basis``) also runs the eight delivery rules, and their flags share the queue, triage
and re-scan identity of the finance ones.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Sum

from core.frames import read_frame
from delivery.models import FlagActivity, ServiceActivity, Target
from delivery.rules import (
    REGISTRY,
    RULE_ORDER,
    ActivityFinding,
    DeliveryContext,
    prepare_activities,
    run_delivery_rules,
)

#: What ``core.frames.read_frame`` reads of each activity (the target as its id, mapped after).
_ACTIVITY_KINDS = (
    ("id", "int"),
    ("activity_no", "text"),
    ("date", "date"),
    ("staff_id", "int"),
    ("target_id", "int"),
    ("duration_minutes", "int"),
    ("case_code", "text"),
    ("participants", "int"),
)


def activities_frame(contract) -> pd.DataFrame:
    """The contract's activities as the rules' frame, in (date, id) order.

    One query for the activities (no Python object per row on PostgreSQL: ``core.frames``) and
    one for their few targets, whose code and measure are put on the rows by position rather
    than joined and sent once per activity.
    """
    quote = connection.ops.quote_name
    activity = quote(ServiceActivity._meta.db_table)
    sql = (
        "SELECT a.id, a.activity_no, a.date, a.staff_id, a.target_id, a.duration_minutes, "  # noqa: S608
        f"a.case_code, a.participants FROM {activity} a WHERE a.contract_id = %s"
    )
    frame = read_frame(sql, [contract.pk], _ACTIVITY_KINDS, order=("date", "id"))
    ids = frame.pop("target_id").to_numpy()
    known = dict.fromkeys(np.unique(ids).tolist(), ("", ""))
    known.update(
        (pk, (code, measure))
        for pk, code, measure in Target.objects.filter(pk__in=list(known)).values_list(
            "pk", "code", "measure"
        )
    )
    keys = np.fromiter(known, dtype="int64", count=len(known))
    at = np.searchsorted(keys, ids)
    codes = np.array([known[k][0] for k in keys.tolist()], dtype=object)
    measures = np.array([known[k][1] for k in keys.tolist()], dtype=object)
    frame.insert(4, "target", codes[at])
    frame.insert(5, "measure", measures[at])
    return prepare_activities(frame, typed=True)


def delivery_context(contract, frame: pd.DataFrame) -> DeliveryContext:
    """Spells, assignments, training and all-contract day minutes of the people in ``frame``."""
    from finance.models import StaffAssignment
    from staff.models import EmploymentSpell, StaffMember
    from training.models import RecordStatus, TrainingRecord

    staff_ids = np.unique(frame["staff_id"].to_numpy()).tolist()
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
    # Minutes per person and day in all the agency's contracts, for the people of this one:
    # this contract's from its frame, the other contracts' summed by the database.
    quote = connection.ops.quote_name
    activity = quote(ServiceActivity._meta.db_table)
    # The people as a list of ids, so the (agency, staff, date) index serves each of them.
    people = ", ".join(["%s"] * len(staff_ids)) or "NULL"
    minutes_sql = (
        f"SELECT b.staff_id, b.date, SUM(b.duration_minutes) FROM {activity} b "  # noqa: S608
        "WHERE b.agency_id = %s AND b.contract_id <> %s AND b.date >= %s AND b.date <= %s "
        f"AND b.staff_id IN ({people}) GROUP BY b.staff_id, b.date"
    )
    ops = connection.ops
    params = [
        contract.agency_id,
        contract.pk,
        ops.adapt_datefield_value(first),
        ops.adapt_datefield_value(last),
        *staff_ids,
    ]
    others = read_frame(minutes_sql, params, (("staff_id", "int"), ("date", "date"), ("minutes", "int")))
    own = (
        frame.groupby(["staff_id", "date"], sort=False)["duration_minutes"]
        .sum()
        .rename("minutes")
        .reset_index()
    )
    if not others.empty:
        own = (
            pd.concat([own, others], ignore_index=True)
            .groupby(["staff_id", "date"], sort=False)["minutes"]
            .sum()
        )
        own = own.reset_index()
    day_minutes = own
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
    The rules the contract's ``disabled_rules`` names are not run.
    """
    policy = contract.effective_policy()
    codes = [code for code in RULE_ORDER if code not in policy["disabled_rules"]]
    if not codes:
        return []
    frame = activities_frame(contract)
    if frame.empty:
        return []
    findings = run_delivery_rules(frame, policy, delivery_context(contract, frame), codes=codes)
    if not findings:
        return findings
    # Only the rows behind a finding: a signature for every row was a third of a scan.
    behind = frame[frame["id"].isin({i for finding in findings for i in finding.activity_ids})]
    signature = {
        int(row.id): f"{row.id}|{row.date.date()}|{row.staff_id}|{row.target}|{row.duration_minutes}|"
        f"{row.case_code}|{row.participants}"
        for row in behind.itertuples(index=False)
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


def contract_basis(contract) -> list[tuple]:
    """What of the contract's targets the delivery rules read (``ScanExtension.basis``): each
    target's code and measure, by id (its activities point at it). A target's name and quantity
    change no finding."""
    return list(
        Target.objects.filter(contract_id=contract.pk).order_by("pk").values_list("pk", "code", "measure")
    )


def people_contracts(change) -> set[int]:
    """The contracts of ``change.agency_id`` whose delivery findings a ``PeopleChange`` may change
    (``ScanExtension.people``): those with an activity of a person whose number, name (messages)
    or spells (ACTIVITY_NOT_EMPLOYED) changed, and those with an activity of a person on a day
    whose approved training hours changed (ACTIVITY_DURING_TRAINING compares the same day only).
    """
    from core.people_changes import people_chunks

    agency_id = change.agency_id
    activities = ServiceActivity.objects.filter(agency_id=agency_id)
    contracts: set[int] = set()
    for ids in people_chunks(change.identity | change.employment):
        contracts.update(activities.filter(staff_id__in=ids).values_list("contract_id", flat=True).distinct())
    if change.training:
        days = sorted({day for _staff, day in change.training})
        for ids in people_chunks({staff_id for staff_id, _day in change.training}):
            rows = (
                activities.filter(staff_id__in=ids, date__gte=days[0], date__lte=days[-1])
                .values_list("contract_id", "staff_id", "date")
                .distinct()
            )
            contracts.update(pk for pk, staff_id, day in rows if (staff_id, day) in change.training)
    return contracts


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


def flag_detail(flag, user) -> dict | None:
    """The activities behind a delivery flag, for its page: numbers, dates, people, targets and
    minutes; never case codes or notes (auditors of the contract read flags too)."""
    if flag.rule not in REGISTRY:
        return None
    activities = list(
        ServiceActivity.objects.filter(flag_links__flag=flag)
        .select_related("staff", "target")
        .order_by("date", "id")
        .only("activity_no", "date", "duration_minutes", "participants", "staff__name", "staff__staff_no",
              "target__code", "target__name")
    )  # fmt: skip
    return {
        "template": "delivery/flag_activities.html",
        "activities": activities,
        "target": flag.evidence.get("target"),
    }


def register() -> None:
    from finance.flags.extensions import ScanExtension
    from finance.flags.extensions import register as register_extension

    register_extension(
        ScanExtension(
            name="delivery",
            findings=contract_findings,
            rules={code: REGISTRY[code] for code in RULE_ORDER},
            link=link_activities,
            describe=describe_flags,
            detail=flag_detail,
            basis=contract_basis,
            people=people_contracts,
        )
    )


__all__ = [
    "contract_basis",
    "contract_findings",
    "describe_flags",
    "link_activities",
    "people_contracts",
    "register",
]
