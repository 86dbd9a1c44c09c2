"""Bank reconciliation: import, automatic matching (exact, near, ambiguous), manual work, close."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from finance.models import ReconciliationMatch, ReconciliationPeriod, StatementLine
from finance.reconciliation import services
from finance.reconciliation.matching import match_frames, similarity
from finance.services import auditor_grant
from tests.finance.factories import (
    BudgetLineFactory,
    ContractFactory,
    DisbursementFactory,
    ExpenditureFactory,
)

D = dt.date
HEADER = "交易日期,金额,对方户名,摘要\n"
MARCH_1, MARCH_31 = D(2025, 3, 1), D(2025, 3, 31)


@pytest.fixture
def rc(agency):
    """Contract R-1 (funder 信丰县民政局) with one activities line."""
    contract = ContractFactory(agency=agency, code="R-1", funder__name="信丰县民政局")
    return BudgetLineFactory(contract=contract, code="A1", amount=Decimal("100000.00"))


def spend(line, day, amount, payee="赣州文具店", **kw):
    return ExpenditureFactory(budget_line=line, date=day, amount=Decimal(amount), payee=payee, **kw)


def statement(rc, rows, *, start=MARCH_1, end=MARCH_31, user=None, name="bank.csv", dry_run=False):
    data = (HEADER + "".join(f"{r}\n" for r in rows)).encode("utf-8")
    return services.statement_import(
        contract=rc.contract, start=start, end=end, data=data, filename=name, user=user, dry_run=dry_run
    )


# --- the pure matcher ---------------------------------------------------------------------------


def frames(lines, book):
    return (
        pd.DataFrame(lines, columns=["line_id", "date", "cents", "counterparty"]),
        pd.DataFrame(book, columns=["kind", "book_id", "date", "cents", "name"]),
    )


def test_similarity_folds_width_space_and_case():
    assert similarity("abc文具店", "abc文具店") == 1.0
    assert similarity("赣州文具店", "赣州市赣州文具店") == 0.9
    assert similarity("", "x") == 0.0


def test_matcher_prefers_the_exact_pair_then_the_nearest_date():
    lines, book = frames(
        [(1, D(2025, 3, 5), -93000, "赣州文具店"), (2, D(2025, 3, 6), -93000, "赣州文具店")],
        [
            ("expenditure", 10, D(2025, 3, 5), -93000, "赣州文具店"),
            ("expenditure", 11, D(2025, 3, 9), -93000, "赣州文具店"),
        ],
    )
    outcome = match_frames(lines, book)
    assert outcome.matches == {1: ("expenditure", 10, 0, 1.0), 2: ("expenditure", 11, 3, 1.0)}
    assert outcome.ambiguous == {}


def test_matcher_leaves_two_equally_good_candidates_ambiguous():
    lines, book = frames(
        [(1, D(2025, 3, 5), -93000, "赣州文具店")],
        [
            ("expenditure", 10, D(2025, 3, 3), -93000, "赣州文具店"),
            ("expenditure", 11, D(2025, 3, 7), -93000, "赣州文具店"),
        ],
    )
    outcome = match_frames(lines, book)
    assert outcome.matches == {}
    assert outcome.ambiguous == {1: [{"kind": "expenditure", "id": 10}, {"kind": "expenditure", "id": 11}]}


def test_matcher_ignores_other_amounts_far_dates_and_strangers():
    lines, book = frames(
        [(1, D(2025, 3, 5), -93000, "赣州文具店")],
        [
            ("expenditure", 10, D(2025, 3, 5), -93001, "赣州文具店"),
            ("expenditure", 11, D(2025, 3, 11), -93000, "赣州文具店"),
            ("expenditure", 12, D(2025, 3, 5), -93000, "南昌酒店管理有限公司"),
        ],
    )
    outcome = match_frames(lines, book)
    assert outcome.matches == {} and outcome.ambiguous == {}


# --- import -------------------------------------------------------------------------------------


def test_import_matches_money_out_to_expenditures_and_money_in_to_disbursements(rc, finance):
    exact = spend(rc, D(2025, 3, 5), "930.00")
    near = spend(rc, D(2025, 3, 10), "1200.00", payee="信丰 印刷厂")
    tranche = DisbursementFactory(contract=rc.contract, date=D(2025, 3, 2), amount=Decimal("50000.00"))
    result = statement(
        rc,
        [
            "2025-03-05,-930.00,赣州文具店,文具",
            '2025/3/12,"-1,200.00",信丰印刷厂,印刷',
            "2025-03-03,50000.00,信丰县民政局,拨款",
            "2025-03-31,-15.00,,手续费",
        ],
        user=finance,
    )
    assert result.ok, result.error_lines()
    assert result.summary == {
        "period": result.summary["period"], "statement": result.summary["statement"],
        "lines": 4, "already_known": 0, "matched": 3, "ambiguous": 0,
    }  # fmt: skip
    matches = {m.line.amount: m for m in ReconciliationMatch.objects.select_related("line")}
    assert matches[Decimal("-930.00")].expenditure == exact
    assert matches[Decimal("-930.00")].day_difference == 0
    assert matches[Decimal("-1200.00")].expenditure == near
    assert matches[Decimal("-1200.00")].day_difference == 2
    assert matches[Decimal("50000.00")].disbursement == tranche
    assert not any(m.confirmed for m in matches.values())


def test_ambiguous_line_is_left_unmatched_and_listed(rc, finance):
    first = spend(rc, D(2025, 3, 3), "930.00")
    second = spend(rc, D(2025, 3, 7), "930.00")
    result = statement(rc, ["2025-03-05,-930.00,赣州文具店,文具"], user=finance)
    assert result.summary["ambiguous"] == 1
    line = StatementLine.objects.get()
    assert line.ambiguous == [
        {"kind": "expenditure", "id": first.pk},
        {"kind": "expenditure", "id": second.pk},
    ]
    assert not ReconciliationMatch.objects.exists()


def test_the_same_file_twice_is_refused_as_a_repeat(rc, finance):
    rows = ["2025-03-05,-930.00,赣州文具店,文具"]
    assert statement(rc, rows, user=finance).ok
    again = statement(rc, rows, user=finance, name="copy.csv")
    assert not again.ok
    assert "already imported" in again.error_lines()[0]
    assert StatementLine.objects.count() == 1


def test_an_overlapping_statement_does_not_duplicate_known_lines(rc, finance):
    assert statement(rc, ["2025-03-05,-930.00,赣州文具店,文具", "2025-03-06,-20.00,,手续费"], user=finance).ok
    result = statement(
        rc,
        ["2025-03-06,-20.00,,手续费", "2025-03-06,-20.00,,手续费", "2025-04-02,-88.00,,手续费"],
        start=D(2025, 3, 6), end=D(2025, 4, 5), user=finance,
    )  # fmt: skip
    assert result.ok
    assert (result.summary["lines"], result.summary["already_known"]) == (2, 1)
    assert StatementLine.objects.filter(amount=Decimal("-20.00")).count() == 2
    assert StatementLine.objects.count() == 4


def test_a_bad_file_changes_nothing_and_names_row_and_column(rc, finance):
    result = statement(
        rc, ["2025-03-05,-930.00,赣州文具店,文具", "2025-04-01,abc,,", "2025-03-07,0,,"], user=finance
    )
    assert not result.ok
    # Row 3's date is checked although its amount could not be read: every problem at once.
    assert result.error_lines() == [
        'row 3, column 金额: "abc" is not an amount of money; write it like 1234.50, 1,234.50 or ¥1,234.50',
        "row 3, column 交易日期: 2025-04-01 is outside the period 2025-03-01 – 2025-03-31",
        "row 4, column 金额: the amount must not be zero",
    ]
    assert not StatementLine.objects.exists() and not ReconciliationPeriod.objects.exists()


def test_lines_outside_the_period_are_errors(rc, finance):
    result = statement(rc, ["2025-04-01,-930.00,赣州文具店,文具"], user=finance)
    assert result.error_lines() == [
        "row 2, column 交易日期: 2025-04-01 is outside the period 2025-03-01 – 2025-03-31"
    ]


def test_an_unreadable_date_is_reported_once(rc, finance):
    result = statement(rc, ["2025-02-30,-930.00,赣州文具店,文具"], user=finance)
    assert result.error_lines() == [
        'row 2, column 交易日期: "2025-02-30" is not a real date (no such day in the calendar)'
    ]


def test_dry_run_previews_without_writing(rc, finance):
    result = statement(
        rc, ["2025-03-05,-930.00,赣州文具店,文具", "2025-03-06,500.00,x,y"], user=finance, dry_run=True
    )
    assert result.ok and result.summary == {
        "lines": 2,
        "already_known": 0,
        "money_in": "500.00",
        "money_out": "930.00",
    }
    assert not StatementLine.objects.exists()


# --- the officer's work -----------------------------------------------------------------------


@pytest.fixture
def worked(rc, finance):
    """A period with one automatic match (930.00) and one bank fee line (−15.00)."""
    spend(rc, D(2025, 3, 5), "930.00")
    statement(rc, ["2025-03-05,-930.00,赣州文具店,文具", "2025-03-31,-15.00,,手续费"], user=finance)
    return ReconciliationPeriod.objects.get()


def test_closing_needs_every_line_matched_confirmed_or_explained(worked, finance):
    with pytest.raises(ValidationError) as exc:
        services.period_close(period=worked, user=finance)
    assert exc.value.messages == [
        "1 statement lines are neither matched nor explained.",
        "1 automatic matches await confirmation.",
    ]
    fee = StatementLine.objects.get(amount=Decimal("-15.00"))
    services.line_explain(line=fee, note="银行手续费", user=finance)
    services.match_confirm(match=ReconciliationMatch.objects.get(), user=finance)
    period = services.period_close(period=worked, user=finance)
    assert period.status == "closed" and period.closed_by == finance
    with pytest.raises(ValidationError):
        services.line_unexplain(line=fee, user=finance)


def test_unmatch_then_match_by_hand(worked, rc, finance):
    match = ReconciliationMatch.objects.get()
    expenditure = match.expenditure
    line = services.match_remove(match=match, user=finance)
    assert not ReconciliationMatch.objects.exists()
    manual = services.match_create(line=line, expenditure=expenditure, user=finance)
    assert (manual.method, manual.confirmed) == ("manual", True)


def test_a_hand_match_must_agree_on_the_amount(worked, rc, finance):
    fee = StatementLine.objects.get(amount=Decimal("-15.00"))
    other = spend(rc, D(2025, 3, 9), "16.00")
    with pytest.raises(ValidationError) as exc:
        services.match_create(line=fee, expenditure=other, user=finance)
    assert exc.value.messages == ["The amounts differ: the bank shows -15.00, the expenditure is 16.00."]


def test_explaining_needs_a_note(worked, finance):
    fee = StatementLine.objects.get(amount=Decimal("-15.00"))
    with pytest.raises(ValidationError):
        services.line_explain(line=fee, note="  ", user=finance)


# --- pages and API ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "granted", "expected"),
    [
        ("director", False, 1),
        ("finance", False, 1),
        ("auditor", True, 1),
        ("auditor", False, 0),
        ("supervisor", None, 403),
        ("staff_user", None, 403),
        ("outsider", None, 0),
    ],
)
def test_period_api_list_by_role(request, worked, director, login_api, persona, granted, expected):
    user = request.getfixturevalue(persona)
    if granted:
        auditor_grant(contract=worked.contract, auditor=user, granted_by=director)
    response = login_api(user).get("/api/v1/finance/reconciliation/periods/")
    if expected == 403:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert response.json()["count"] == expected
    detail = login_api(user).get(f"/api/v1/finance/reconciliation/lines/?period={worked.pk}")
    if expected:
        assert detail.json()["count"] == 2
    else:  # a period out of reach is refused as one that exists nowhere (core.api.filters)
        missing = login_api(user).get("/api/v1/finance/reconciliation/lines/?period=987654")
        assert (detail.status_code, detail.content) == (400, missing.content)


@pytest.mark.parametrize(
    ("persona", "granted", "status"),
    [("finance", False, 200), ("director", False, 403), ("auditor", True, 403), ("outsider", False, 404)],
)
def test_only_finance_officers_explain_lines(request, worked, director, login_api, persona, granted, status):
    user = request.getfixturevalue(persona)
    if granted:
        auditor_grant(contract=worked.contract, auditor=user, granted_by=director)
    fee = StatementLine.objects.get(amount=Decimal("-15.00"))
    response = login_api(user).post(
        f"/api/v1/finance/reconciliation/lines/{fee.pk}/explain/", {"note": "fee"}
    )
    assert response.status_code == status
    fee.refresh_from_db()
    assert fee.explanation == ("fee" if status == 200 else "")


def test_api_upload_match_confirm_and_close(rc, finance, login_api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    spend(rc, D(2025, 3, 5), "930.00")
    api = login_api(finance)
    upload = SimpleUploadedFile("bank.csv", (HEADER + "2025-03-05,-930.00,赣州文具店,文具\n").encode())
    response = api.post(
        "/api/v1/finance/reconciliation/statements/upload/",
        {"file": upload, "contract": "R-1", "start": "2025-03-01", "end": "2025-03-31"},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    period_id = response.json()["summary"]["period"]
    match = api.get("/api/v1/finance/reconciliation/matches/").json()["results"][0]
    assert (
        api.post(f"/api/v1/finance/reconciliation/matches/{match['id']}/confirm/").json()["confirmed"] is True
    )
    closed = api.post(f"/api/v1/finance/reconciliation/periods/{period_id}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    refused = api.delete(f"/api/v1/finance/reconciliation/matches/{match['id']}/")
    assert refused.status_code == 400


def test_lines_api_query_count_is_fixed(worked, finance, login_api, django_assert_max_num_queries):
    api = login_api(finance)
    with django_assert_max_num_queries(12):
        response = api.get("/api/v1/finance/reconciliation/lines/")
    assert response.json()["count"] == 2


@pytest.mark.parametrize(
    ("persona", "status"),
    [("finance", 200), ("director", 200), ("auditor", 404), ("supervisor", 404), ("outsider", 404)],
)
def test_workspace_page_by_role(request, worked, login_client, persona, status):
    response = login_client(request.getfixturevalue(persona)).get(
        reverse("finance-reconciliation-period", args=[worked.pk])
    )
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "手续费" in body
        assert ("Close the period" in body) == (persona == "finance")


def test_workspace_page_actions_explain_and_close(worked, finance, login_client):
    client = login_client(finance)
    fee = StatementLine.objects.get(amount=Decimal("-15.00"))
    client.post(
        reverse("finance-reconciliation-line-action", args=[fee.pk, "explain"]), {"note": "银行手续费"}
    )
    client.post(reverse("finance-reconciliation-period-action", args=[worked.pk, "confirm-all"]))
    client.post(reverse("finance-reconciliation-period-action", args=[worked.pk, "close"]))
    worked.refresh_from_db()
    assert worked.status == "closed"


def test_upload_page_previews_then_imports(rc, finance, login_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login_client(finance)
    upload = SimpleUploadedFile("bank.csv", (HEADER + "2025-03-05,-930.00,赣州文具店,文具\n").encode())
    response = client.post(
        reverse("finance-reconciliation"),
        {"contract": rc.contract.pk, "start": "2025-03-01", "end": "2025-03-31", "file": upload},
    )
    assert response.status_code == 200
    assert not StatementLine.objects.exists()
    token = response.context["token"]
    confirm = client.post(
        reverse("finance-reconciliation"),
        {"confirm": "1", "token": token, "contract_id": rc.contract.pk, "start": "2025-03-01",
         "end": "2025-03-31", "file_name": "bank.csv"},
    )  # fmt: skip
    assert confirm.status_code == 302
    assert StatementLine.objects.count() == 1
