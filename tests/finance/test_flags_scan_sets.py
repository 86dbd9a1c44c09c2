"""The scan stores its findings as sets: a re-scan writes only what changed, in constant queries."""

import datetime as dt
import gc
import re
from decimal import Decimal
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.flags.services import flag_set_status, flags_scan_contract
from finance.models import Flag, FlagEvent
from tests.finance.factories import BudgetLineFactory, ContractFactory, ExpenditureFactory, evidence_pdf

WRITES = ("INSERT", "UPDATE", "DELETE", "COPY")


def weekend_rows(contract, count: int) -> list:
    """``count`` expenditures of 100.00 on Saturdays and Sundays of 2025, each with its own payee
    and invoice: one WEEKEND_HOLIDAY finding each, nothing else."""
    line = contract.budget_lines.get(code="A1")
    first = dt.date(2025, 3, 8)  # a Saturday
    days = [first + dt.timedelta(days=7 * (k // 2) + k % 2) for k in range(count)]
    return [
        ExpenditureFactory(
            budget_line=line,
            date=day,
            payee=f"周末商户{k:03d}",
            invoice_no=f"{contract.code}-{k:05d}",
            voucher_no=f"W-{k:04d}",
        )
        for k, day in enumerate(days)
    ]


def split_pair(contract) -> list:
    """Two purchases from one payee on consecutive working days, each below 5,000, adding up to more."""
    line = contract.budget_lines.get(code="A1")
    return [
        ExpenditureFactory(
            budget_line=line, date=day, amount=Decimal(amount), payee="赣南音响租赁", invoice_no=invoice
        )
        for day, amount, invoice in (
            (dt.date(2025, 6, 9), "2600.00", f"{contract.code}-S1"),
            (dt.date(2025, 6, 10), "2480.50", f"{contract.code}-S2"),
        )
    ]


def table_counts() -> dict[str, int]:
    return {
        "flags": Flag.objects.count(),
        "flag history": Flag.history.count(),
        "events": FlagEvent.objects.count(),
        "event history": FlagEvent.history.count(),
        "expenditure links": Flag.expenditures.through.objects.count(),
        "contract links": Flag.contracts.through.objects.count(),
    }


def writes(queries) -> list[str]:
    """The writing statements among ``queries`` (Django logs an executemany as "<n> times: <sql>")."""
    statements = [re.sub(r"^\d+ times: ", "", q["sql"].lstrip()) for q in queries]
    return [sql for sql in statements if sql.upper().startswith(WRITES)]


def test_a_first_scan_stores_each_flag_with_its_links_raised_event_and_history(agency, contract):
    rows = weekend_rows(contract, 3)
    pair = split_pair(contract)
    result = flags_scan_contract(contract=contract)
    assert result.created == 4
    assert table_counts() == {
        "flags": 4,
        "flag history": 4,
        "events": 4,
        "event history": 4,
        "expenditure links": 5,
        "contract links": 4,
    }
    split = Flag.objects.get(rule="SPLIT_PURCHASE")
    assert set(split.expenditures.all()) == set(pair)
    assert split.vouchers == [pair[0].voucher_no, pair[1].voucher_no]
    assert list(split.contracts.all()) == [contract]
    weekend = Flag.objects.get(rule="WEEKEND_HOLIDAY", subject=f"exp:{rows[0].pk}")
    assert (weekend.status, weekend.active, weekend.vouchers, weekend.sort_key) == (
        "open",
        True,
        ["W-0000"],
        "2025-03-08",
    )
    assert list(weekend.history.values_list("history_type", "status", "fingerprint")) == [
        ("+", "open", weekend.fingerprint)
    ]
    assert list(weekend.events.values_list("kind", "from_status", "to_status", "note")) == [
        ("raised", "", "open", "")
    ]
    assert list(FlagEvent.history.values_list("history_type", flat=True)) == ["+"] * 4
    assert {f.pk for f in result.flags} == set(Flag.objects.values_list("pk", flat=True))


def test_a_rescan_with_nothing_changed_writes_no_row_at_all(agency, contract, finance):
    weekend_rows(contract, 5)
    split_pair(contract)
    flags_scan_contract(contract=contract)
    flag_set_status(flag=Flag.objects.get(rule="SPLIT_PURCHASE"), user=finance, status="confirmed")
    before = table_counts()
    stored = list(Flag.objects.order_by("pk").values())
    with CaptureQueriesContext(connection) as captured:
        result = flags_scan_contract(contract=contract)
    assert writes(captured.captured_queries) == []
    assert (result.created, result.updated, result.reopened, result.unchanged, result.resolved) == (
        0,
        0,
        0,
        6,
        0,
    )
    assert table_counts() == before
    assert list(Flag.objects.order_by("pk").values()) == stored


def test_a_changed_expenditure_reopens_exactly_its_flags(agency, contract, finance):
    rows = weekend_rows(contract, 4)
    pair = split_pair(contract)
    flags_scan_contract(contract=contract)
    for flag in Flag.objects.all():
        flag_set_status(
            flag=flag, user=finance, status="explained", note="周末社区活动", evidence=evidence_pdf()
        )
    before = table_counts()
    changed = rows[2]
    changed.description = "周末亲子活动物资"
    changed.save()
    pair[1].amount = Decimal("2490.50")
    pair[1].save()

    result = flags_scan_contract(contract=contract)

    assert (result.created, result.reopened, result.unchanged, result.resolved) == (0, 2, 3, 0)
    reopened = {f.subject: f.status for f in Flag.objects.all()}
    assert reopened == {
        f"exp:{rows[0].pk}": "explained",
        f"exp:{rows[1].pk}": "explained",
        f"exp:{rows[2].pk}": "open",
        f"exp:{rows[3].pk}": "explained",
        f"JX-XF-2025-01:split:赣南音响租赁|{pair[0].pk}": "open",
    }
    split = Flag.objects.get(rule="SPLIT_PURCHASE")
    assert split.evidence["amounts"] == ["2600.00", "2490.50"]
    assert set(split.expenditures.all()) == set(pair)
    events = FlagEvent.objects.filter(kind="reopened")
    assert sorted(events.values_list("flag__subject", "from_status", "to_status")) == sorted(
        [
            (f"exp:{rows[2].pk}", "explained", "open"),
            (split.subject, "explained", "open"),
        ]
    )
    assert events.get(flag=split).note == "The expenditures behind this flag changed."
    after = table_counts()
    assert after["flag history"] - before["flag history"] == 2
    assert after["events"] - before["events"] == 2
    assert after["event history"] - before["event history"] == 2
    latest = split.history.first()
    assert (latest.history_type, latest.status, latest.fingerprint) == ("~", "open", split.fingerprint)


def test_a_finding_that_disappears_deactivates_its_flag_and_keeps_its_status(agency, contract, finance):
    rows = weekend_rows(contract, 3)
    flags_scan_contract(contract=contract)
    gone = Flag.objects.get(subject=f"exp:{rows[1].pk}")
    flag_set_status(flag=gone, user=finance, status="confirmed")
    rows[1].status = "void"
    rows[1].void_reason = "entered twice"
    rows[1].save()
    history_before = gone.history.count()

    result = flags_scan_contract(contract=contract)

    assert (result.resolved, result.unchanged) == (1, 2)
    assert dict(Flag.objects.values_list("subject", "active")) == {
        f"exp:{rows[0].pk}": True,
        f"exp:{rows[1].pk}": False,
        f"exp:{rows[2].pk}": True,
    }
    gone.refresh_from_db()
    assert gone.status == "confirmed"
    assert gone.history.count() == history_before + 1
    assert (gone.history.first().history_type, gone.history.first().active) == ("~", False)
    assert {f.pk for f in result.flags} == set(Flag.objects.filter(active=True).values_list("pk", flat=True))


def test_a_flag_that_fires_again_comes_back_active_with_its_status(agency, contract, finance):
    rows = weekend_rows(contract, 2)
    flags_scan_contract(contract=contract)
    flag = Flag.objects.get(subject=f"exp:{rows[0].pk}")
    flag_set_status(flag=flag, user=finance, status="dismissed", note="社区周末活动")
    Flag.objects.filter(pk=flag.pk).update(active=False)
    result = flags_scan_contract(contract=contract)
    flag.refresh_from_db()
    assert (flag.active, flag.status, result.unchanged, result.reopened) == (True, "dismissed", 2, 0)


def ledger(agency, code: str, weekend_count: int):
    """A contract of 2025 with one activities line, ``weekend_count`` weekend rows and a split pair."""
    contract = ContractFactory(agency=agency, code=code, total=Decimal("900000.00"))
    BudgetLineFactory(
        contract=contract, code="A1", name="服务活动", category="activities", amount=Decimal("900000.00")
    )
    weekend_rows(contract, weekend_count)
    split_pair(contract)
    return contract


def scan_queries(contract) -> tuple[int, int]:
    """Queries of a first scan, of a re-scan after one expenditure changed and of a no-change re-scan."""
    with CaptureQueriesContext(connection) as first:
        flags_scan_contract(contract=contract)
    row = contract.expenditures.order_by("pk").first()
    row.description = "改过的摘要"
    row.save()
    with CaptureQueriesContext(connection) as changed:
        flags_scan_contract(contract=contract)
    with CaptureQueriesContext(connection) as unchanged:
        flags_scan_contract(contract=contract)
    return len(first.captured_queries), len(changed.captured_queries), len(unchanged.captured_queries)


def test_the_query_count_of_a_scan_does_not_grow_with_the_findings(agency):
    from core.official_calendar import calendar_years_fill

    # The agency's official calendar is filled on first use; fill it first so both sizes count alike.
    calendar_years_fill(agency=agency, years=[2025])
    small = ledger(agency, "JX-XF-2025-S", 3)
    large = ledger(agency, "JX-XF-2025-L", 40)
    small_queries = scan_queries(small)
    large_queries = scan_queries(large)
    assert Flag.objects.filter(contract=small).count() == 4
    # 40 weekend days but Sunday 27 April 2025, an official working day; and the split pair.
    assert Flag.objects.filter(contract=large).count() == 40
    assert small_queries == large_queries
    first, changed, unchanged = large_queries
    assert unchanged < changed < first


def test_a_flag_whose_stored_values_differ_is_rewritten_quietly_and_only_that_one(agency, contract, finance):
    """Same fingerprint, other message or evidence (an older wording, a changed policy value, a
    flag stored before values were digested): the flag is updated in place, keeps its status and
    gets no event; the other flags are not written at all."""
    weekend_rows(contract, 3)
    split_pair(contract)
    flags_scan_contract(contract=contract)
    split = Flag.objects.get(rule="SPLIT_PURCHASE")
    flag_set_status(flag=split, user=finance, status="confirmed")
    weekend = list(Flag.objects.filter(rule="WEEKEND_HOLIDAY").order_by("pk"))
    expected = {f.pk: (f.message, f.evidence, f.values_digest) for f in [*weekend, split]}
    # As an older release stored them: other values, under the digest of those values (or none).
    Flag.objects.filter(pk=weekend[1].pk).update(message="an older wording", values_digest="0" * 32)
    Flag.objects.filter(pk=split.pk).update(evidence={**split.evidence, "stale": 1}, values_digest="")
    events = FlagEvent.objects.count()
    with CaptureQueriesContext(connection) as captured:
        result = flags_scan_contract(contract=contract)
    # One statement for the two flags: an executemany, logged by Django as "2 times: UPDATE …".
    updates = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith(("UPDATE", "2 times: UPDATE"))
    ]
    assert writes(captured.captured_queries) == [updates[0].removeprefix("2 times: ")]
    assert len(updates) == 1 and updates[0].startswith("2 times: UPDATE")
    assert (result.created, result.updated, result.reopened, result.unchanged) == (0, 0, 0, 4)
    after = {f.pk: (f.message, f.evidence, f.values_digest) for f in Flag.objects.filter(pk__in=expected)}
    assert after == expected
    assert Flag.objects.get(pk=split.pk).status == "confirmed"
    assert FlagEvent.objects.count() == events
    with CaptureQueriesContext(connection) as captured:
        flags_scan_contract(contract=contract)
    assert writes(captured.captured_queries) == []


def test_the_values_digest_is_the_same_for_the_same_values_and_differs_for_others():
    from finance.flags.services import _digest

    values = (
        "low",
        "A1",
        ["V-1"],
        ["C-1"],
        "msg %(date)s",
        {"date": "2025-04-05"},
        {"b": 1, "a": "周六"},
        "2025",
    )
    same = (
        "low",
        "A1",
        ("V-1",),
        ["C-1"],
        "msg %(date)s",
        {"date": "2025-04-05"},
        {"a": "周六", "b": 1},
        "2025",
    )
    assert _digest(values) == _digest(same)
    assert len(_digest(values)) == 32
    assert _digest(values) != _digest((*values[:6], {"b": 1, "a": "周日"}, "2025"))
    assert _digest(values) != _digest(("medium", *values[1:]))


def test_the_values_digest_is_the_one_stored_flags_were_given_before_orjson():
    """Flags stored before the digest was encoded by orjson keep their digest: a re-scan of an
    installation that upgrades finds them unchanged and writes nothing."""
    import datetime as dt
    import hashlib
    import json
    from decimal import Decimal

    from finance.flags.services import _digest

    before = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode
    values = (
        "warning",
        "A1",
        ("V-0001", "V-0002"),
        ["JX-XF-2026-01"],
        "Voucher %(voucher)s is dated %(date)s, a public holiday (%(holiday)s)",
        {"voucher": "V-0001", "date": "2026-10-01", "holiday": "National Day", "count": 2},
        {
            "date": dt.date(2026, 10, 1),
            "amount": Decimal("1280.00"),
            "ratio": 0.125,
            "note": '周六 "引号"\n\t',
        },
        "2026-10-01",
    )
    assert _digest(values) == hashlib.md5(before(values).encode(), usedforsecurity=False).hexdigest()


def test_a_rows_signature_is_the_text_its_fingerprint_was_always_made_of():
    """The fingerprint of a stored flag is a digest of its expenditures' signatures: a change in
    how the text is made would reopen every flag at the next scan."""
    import pandas as pd

    from finance.flags.services import _fingerprint, _row_signatures
    from finance.rules import Finding, prepare_frame

    frame = prepare_frame(
        pd.DataFrame(
            {
                "id": [7, 8],
                "contract": ["C-1", "C-1"],
                "date": [dt.date(2025, 3, 8), dt.date(2025, 3, 9)],
                "amount": [10050, 990],
                "line": ["A1", "M1"],
                "category": ["activities", "materials"],
                "payee": ["周末商户", "Ａ Shop"],
                "description": ["活动物资", ""],
                "invoice_no": ["INV-1", ""],
                "payment_method": ["bank", "cash"],
                "voucher_no": ["V-7", ""],
                "staff_id": [None, 12],
                "posted_on": [dt.date(2025, 3, 10), None],
            }
        )
    )
    signatures = _row_signatures([frame], {7, 8})
    assert signatures == {
        7: "7|2025-03-08|10050|A1|周末商户|活动物资|INV-1|bank|V-7|<NA>|2025-03-10",
        8: "8|2025-03-09|990|M1|Ａ Shop|||cash||12|NaT",
    }
    one = Finding(rule="WEEKEND_HOLIDAY", subject="s", message="m", params={}, expenditure_ids=(7,))
    assert _fingerprint(one, signatures) == "9507b1c269fe34f692cd6e99e1ce28d284d6936dfe94b5d2b183c7d04938bd8e"


def test_a_flag_scan_runs_with_the_collector_off(contract):
    seen = []
    with mock.patch("finance.flags.services._scan", side_effect=lambda *a, **k: seen.append(gc.isenabled())):
        flags_scan_contract(contract=contract)
    assert seen == [False]  # the scan's findings stay alive until stored: no collector walks
    assert gc.isenabled() is True
