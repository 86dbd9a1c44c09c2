"""``report annual --year Y``: the director's annual report, built from the other apps' reports."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from core.reports import get, render
from delivery.models import FlagActivity
from finance.models import Flag
from overview.annual import build_annual
from supervision import services as supervision_services
from tests.delivery.factories import ActivityFactory, TargetFactory
from tests.factories import QualificationFactory, SpellFactory, StaffMemberFactory
from tests.finance.factories import (
    BudgetLineFactory,
    ContractFactory,
    DisbursementFactory,
    ExpenditureFactory,
    FunderFactory,
)
from tests.training.factories import TrainingRecordFactory

YEAR = 2025


def build_year(agency, outsider_agency, supervisor_member, staff_member, other_staff_member) -> dict:
    """A small agency and its 2025, numbers worked out by hand in the comments.

    Staff (all full time): S100 (2019–), S200 (2022–), S300 (2023–), S500 hired 2024-02-01 and
    left 2025-06-30 for salary, S600 hired 2025-04-01. Certificates: S100 social worker
    registered until 2026-03-31 (expiring within 90 days of 31 Dec), S200 assistant until
    2027-06-30, S300 assistant until 2026-05-31. Training: S100 95 h (compliant, 90 needed),
    S200 20 h (on track), S300 none (at risk: cycle ends within 180 days). Supervision: S200
    needs 120 min a month (60 individual) and gets 120 individual minutes in January, February
    and March only. Contracts: XF-2025-01 (2025) approved 1,234.50, spent 300.25, received
    600.00, one open critical and one explained warning flag; XF-2024-07 (2024-07 to 2025-06)
    approved 500.00, nothing spent; XF-2024-01 (2024 only) and the outsider's contract are
    left out. Targets: see ``add_targets``.
    """
    leaver = StaffMemberFactory(agency=agency, staff_no="S500", name="赵离职")
    SpellFactory(
        staff=leaver, hire_date=dt.date(2024, 2, 1), exit_date=dt.date(2025, 6, 30), exit_reason="salary"
    )
    newcomer = StaffMemberFactory(agency=agency, staff_no="S600", name="钱新人")
    SpellFactory(staff=newcomer, hire_date=dt.date(2025, 4, 1))

    QualificationFactory(
        staff=supervisor_member,
        level="social_worker",
        cert_no="SW-100",
        issued=dt.date(2020, 6, 1),
        registration_expires=dt.date(2026, 3, 31),
    )
    QualificationFactory(staff=staff_member, cert_no="ASW-200", registration_expires=dt.date(2027, 6, 30))
    QualificationFactory(
        staff=other_staff_member,
        cert_no="ASW-300",
        issued=dt.date(2023, 6, 1),
        registration_expires=dt.date(2026, 5, 31),
    )
    TrainingRecordFactory(staff=supervisor_member, date=dt.date(2024, 5, 10), hours=Decimal("95.0"))
    TrainingRecordFactory(staff=staff_member, date=dt.date(2025, 3, 10), hours=Decimal("10.0"))
    TrainingRecordFactory(staff=staff_member, date=dt.date(2025, 9, 10), hours=Decimal("10.0"))

    for month in (1, 2, 3):
        supervision_services.session_create(
            agency=agency,
            user=supervisor_member.user,
            supervisor=supervisor_member,
            date=dt.date(YEAR, month, 15),
            start_time=dt.time(9, 0),
            duration_minutes=120,
            modality="individual",
            attendees=[staff_member],
            notes="Case review.",
            today=dt.date(2026, 11, 28),
        )

    funder = FunderFactory(agency=agency, name="信丰县民政局")
    main = ContractFactory(
        agency=agency, funder=funder, code="XF-2025-01", title="留守儿童关爱服务", total=Decimal("1234.50")
    )
    a1 = BudgetLineFactory(contract=main, code="A1", name="服务活动", amount=Decimal("1000.00"), position=0)
    BudgetLineFactory(contract=main, code="P1", name="人员经费", amount=Decimal("234.50"), position=1)
    ExpenditureFactory(budget_line=a1, amount=Decimal("300.25"))
    DisbursementFactory(contract=main, amount=Decimal("600.00"))
    for subject, severity, status in (("a", "critical", "open"), ("b", "warning", "explained")):
        flag = Flag.objects.create(
            agency=agency, rule="DUPLICATE_INVOICE", severity=severity, subject=subject, contract=main,
            vouchers=["V-1"], contract_codes=[main.code], message="Duplicate %(n)s", params={"n": "1"},
            fingerprint=subject, status=status,
        )  # fmt: skip
        flag.contracts.add(main)

    older = ContractFactory(
        agency=agency,
        funder=funder,
        code="XF-2024-07",
        title="社区矫正服务",
        start=dt.date(2024, 7, 1),
        end=dt.date(2025, 6, 30),
        total=Decimal("500.00"),
    )
    BudgetLineFactory(contract=older, code="A1", name="服务活动", amount=Decimal("500.00"))
    ContractFactory(
        agency=agency, funder=funder, code="XF-2024-01", start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)
    )
    ContractFactory(agency=outsider_agency, code="OUT-2025")
    add_targets(main, older, staff_member)
    return {"main": main, "older": older}


def add_targets(main, older, worker) -> None:
    """Targets and service records, worked out by hand (docs/metrics.md).

    XF-2025-01 (365 days): HV 12 activities, 6 logged January to June and 3 in August, one of
    which is behind a confirmed flag (not counted); CS 2 cases, XF-C-101 twice and XF-C-102;
    HR 10 hours, 90 minutes in April and 60 in September. XF-2024-07 (2024-07-01 to 2025-06-30,
    365 days): GP 100 participants, 30 + 50 = 80, exactly 0.8 × expected at its end.
    """
    hv = TargetFactory(contract=main, code="HV", name="入户探访", measure="activities", quantity=12)
    cs = TargetFactory(contract=main, code="CS", name="个案服务", measure="cases", quantity=2, position=1)
    hr = TargetFactory(contract=main, code="HR", name="服务时数", measure="hours", quantity=10, position=2)
    gp = TargetFactory(contract=older, code="GP", name="小组活动", measure="participants", quantity=100)
    for month in range(1, 7):
        ActivityFactory(target=hv, staff=worker, date=dt.date(YEAR, month, 10))
    august = [ActivityFactory(target=hv, staff=worker, date=dt.date(YEAR, 8, day)) for day in (4, 5, 6)]
    for month, case in ((2, "XF-C-101"), (3, "XF-C-101"), (5, "XF-C-102")):
        ActivityFactory(target=cs, staff=worker, date=dt.date(YEAR, month, 3), case_code=case)
    ActivityFactory(target=hr, staff=worker, date=dt.date(YEAR, 4, 20), duration_minutes=90)
    ActivityFactory(target=hr, staff=worker, date=dt.date(YEAR, 9, 20), duration_minutes=60)
    ActivityFactory(target=gp, staff=worker, date=dt.date(2024, 9, 10), participants=30)
    ActivityFactory(target=gp, staff=worker, date=dt.date(2025, 3, 1), participants=50)
    flag = Flag.objects.create(
        agency=main.agency, rule="ACTIVITY_OVERLOAD", severity="warning", subject="overload", contract=main,
        vouchers=[], contract_codes=[main.code], message="Overload", params={}, fingerprint="overload",
        status="confirmed",
    )  # fmt: skip
    flag.contracts.add(main)
    FlagActivity.objects.create(agency=main.agency, flag=flag, activity=august[0])


def target_row(code, name, measure, quantity, achieved, expected, pct, projected, status) -> dict:
    return {
        "code": code, "name": name, "measure": measure, "quantity": quantity, "achieved": achieved,
        "expected_by_now": expected, "pct_achieved": pct, "projected_at_end": projected, "status": status,
    }  # fmt: skip


GP_AT_END = target_row("GP", "小组活动", "participants", 100, 80, 100.0, 0.8, 80.0, "on_track")


@pytest.fixture
def year_data(agency, outsider_agency, supervisor_member, staff_member, other_staff_member):
    return build_year(agency, outsider_agency, supervisor_member, staff_member, other_staff_member)


@pytest.fixture
def annual(agency, director, year_data):
    return build_annual(agency=agency, user=director, year=YEAR)


def expected_supervision() -> dict:
    months = [
        {"month": f"2025-{m:02d}", "met": 1 if m <= 3 else 0, "short": 0 if m <= 3 else 1, "in_progress": 0}
        for m in range(1, 13)
    ]
    for row in months:
        row["coverage"] = 1.0 if row["met"] else 0.0
    return {
        "year": 2025,
        "supervisees": 1,
        "months_counted": 12,
        "months_met": 3,
        "months_short": 9,
        "months_in_progress": 0,
        "coverage": 0.25,
        "by_month": months,
    }


def test_annual_report_json_is_exact(annual):
    assert annual.data == {
        "year": 2025,
        "agency": "信丰县阳光社会工作服务中心",
        "workforce": {
            "year": 2025,
            "headcount_start": 4,
            "headcount_end": 4,
            "average_headcount": 4.0,
            "hires": 1,
            "exits": 1,
            "voluntary_exits": 1,
            "turnover_rate": 0.25,
            "voluntary_turnover_rate": 0.25,
            "first_year_retention": 1.0,
            "median_tenure_years_of_leavers": 1.41,  # 515 days / 365.25
            "certified_ratio_end": 0.75,
            "exit_reasons": {"salary": 1},
        },
        "qualifications": {
            "as_of": "2025-12-31",
            "holders_by_level": {
                "assistant_social_worker": 2,
                "social_worker": 1,
                "senior_social_worker": 0,
                "other": 0,
            },
            "holders": 3,
            "expiring_within_90_days": [
                {
                    "staff_no": "S100",
                    "name": "陈督导",
                    "level": "social_worker",
                    "cert_no": "SW-100",
                    "issued": "2020-06-01",
                    "registration_expires": "2026-03-31",
                    "days_left": 90,
                }
            ],
            "expired": [],
        },
        "training": {
            "as_of": "2025-12-31",
            "certified": 3,
            "compliant": 1,
            "on_track": 1,
            "at_risk": 1,
            "overdue": 0,
        },
        "supervision": expected_supervision(),
        "contracts": [
            {
                "code": "XF-2024-07",
                "title": "社区矫正服务",
                "funder": "信丰县民政局",
                "approved": "500.00",
                "actual": "0.00",
                "remaining": "500.00",
                "received": "0.00",
                "cash_position": "0.00",
                "flags": {"open": 0, "critical": 0},
                "targets_as_of": "2025-06-30",
                "targets": [GP_AT_END],
            },
            {
                "code": "XF-2025-01",
                "title": "留守儿童关爱服务",
                "funder": "信丰县民政局",
                "approved": "1234.50",
                "actual": "300.25",
                "remaining": "934.25",
                "received": "600.00",
                "cash_position": "299.75",
                "flags": {"open": 1, "critical": 1},
                "targets_as_of": "2025-12-31",
                "targets": [
                    target_row("HV", "入户探访", "activities", 12, 8, 12.0, 0.6667, 8.0, "behind"),
                    target_row("CS", "个案服务", "cases", 2, 2, 2.0, 1.0, 2.0, "met"),
                    target_row("HR", "服务时数", "hours", 10, 2.5, 10.0, 0.25, 2.5, "behind"),
                ],
            },
        ],
    }


def test_annual_report_reuses_the_other_reports_numbers(agency, director, annual):
    retention = get("retention").build(agency=agency, user=director, year=YEAR)
    assert annual.data["workforce"] == retention.data
    bva = get("budget-vs-actual").build(agency=agency, user=director, contract="XF-2025-01")
    main = annual.data["contracts"][1]
    assert [main[key] for key in ("approved", "actual", "remaining")] == [
        bva.data["total"][key] for key in ("approved", "actual", "remaining")
    ]
    assert (main["received"], main["cash_position"]) == (bva.data["received"], bva.data["cash_position"])


def test_annual_targets_are_as_of_today_while_the_year_runs(agency, director, year_data):
    # 1 July 2025: 182 of 365 days elapsed; XF-2024-07 ended on 30 June, so it stays at its end.
    report = build_annual(agency=agency, user=director, year=YEAR, today=dt.date(2025, 7, 1))
    older, main = report.data["contracts"]
    assert (older["targets_as_of"], older["targets"]) == ("2025-06-30", [GP_AT_END])
    assert main["targets_as_of"] == "2025-07-01"
    assert main["targets"] == [
        target_row("HV", "入户探访", "activities", 12, 6, 5.98, 0.5, 12.03, "on_track"),
        target_row("CS", "个案服务", "cases", 2, 2, 1.0, 1.0, 4.01, "met"),
        target_row("HR", "服务时数", "hours", 10, 1.5, 4.99, 0.15, 3.01, "behind"),
    ]


def test_annual_targets_are_the_targets_reports_figures(agency, director, annual):
    for entry in annual.data["contracts"]:
        report = get("targets").build(
            agency=agency,
            user=director,
            contract=entry["code"],
            as_of=dt.date.fromisoformat(entry["targets_as_of"]),
        )
        assert entry["targets"] == report.data["targets"]


def test_annual_report_counts_targets_by_status(annual):
    glance = dict(annual.sections[0].facts)
    assert glance["Targets behind pace"] == 2
    contracts = next(s for s in annual.sections if s.title == "Contracts, 2025")
    table = next(t for t in contracts.tables if t.title == "Targets by contract")
    assert [
        (r["code"], r["targets_met"], r["targets_on_track"], r["targets_behind"]) for r in table.rows
    ] == [
        ("XF-2024-07", 0, 1, 0),
        ("XF-2025-01", 1, 0, 2),
    ]
    assert table.totals == {"targets_met": 1, "targets_on_track": 1, "targets_behind": 2}
    titles = [s.title for s in annual.sections]
    assert titles.index("XF-2025-01: Targets") == titles.index("XF-2025-01: Budget vs actual") + 1
    section = annual.sections[titles.index("XF-2025-01: Targets")]
    assert section.facts == [("As of", dt.date(2025, 12, 31))]


def test_a_contract_without_targets_has_no_targets_section(agency, director, year_data):
    year_data["older"].activities.all().delete()
    year_data["older"].targets.all().delete()
    report = build_annual(agency=agency, user=director, year=YEAR)
    titles = [s.title for s in report.sections]
    assert "XF-2024-07: Targets" not in titles and "XF-2025-01: Targets" in titles
    assert report.data["contracts"][0]["targets"] == []


def test_annual_report_is_director_only_with_a_year_and_a_cover_page(annual):
    kind = get("annual")
    assert (kind.params, kind.roles) == (("year",), ("director",))
    assert annual.cover is True
    assert annual.stem == "annual-2025"


def test_annual_report_has_the_five_charts(annual):
    titles = [str(chart.title) for section in annual.sections for chart in section.charts]
    assert "Headcount at each month end, 2025" in titles
    assert "Exit reasons, 2025" in titles
    assert "Certified staff by status" in titles
    assert "Supervision coverage by month, 2025" in titles
    assert "Budget vs actual by contract" in titles
    coverage = next(c for s in annual.sections for c in s.charts if c.title.startswith("Supervision"))
    assert coverage.series[0].values == [1.0, 1.0, 1.0] + [0.0] * 9
    contracts = next(
        c for s in annual.sections for c in s.charts if str(c.title) == "Budget vs actual by contract"
    )
    assert contracts.categories == ["XF-2024-07", "XF-2025-01"]
    assert contracts.series[1].values == [Decimal("0.00"), Decimal("300.25")]


def test_annual_pdf_has_the_chinese_agency_name_the_year_and_the_contract_total(annual):
    content, content_type, filename = render(annual, "pdf")
    assert (content_type, filename) == ("application/pdf", "annual-2025.pdf")
    reader = PdfReader(io.BytesIO(content))
    cover = reader.pages[0].extract_text()
    assert "信丰县阳光社会工作服务中心" in cover
    assert "2025" in cover
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "1,234.50" in text
    assert "XF-2025-01" in text
    assert "XF-2025-01: Targets" in text and "Targets by contract" in text
    assert "Activities held" in text and "Targets behind pace" in text
    assert "OUT-2025" not in text and "XF-2024-01" not in text


def test_annual_xlsx_reopens_with_the_same_numbers_and_no_formulas(annual):
    content, _content_type, filename = render(annual, "xlsx")
    assert filename == "annual-2025.xlsx"
    wb = load_workbook(io.BytesIO(content))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
    ws = next(ws for ws in wb.worksheets if ws.title.startswith("Contracts"))
    rows = [[cell.value for cell in row] for row in ws.iter_rows()]
    listing, money, targets = [row for row in rows if row and row[0] == "XF-2025-01"]
    assert targets[:4] == ["XF-2025-01", 1, 0, 2]
    assert listing[:5] == ["XF-2025-01", "留守儿童关爱服务", "信丰县民政局", 1, 1]
    assert [Decimal(str(v)) for v in money[1:6]] == [
        Decimal("1234.50"),
        Decimal("300.25"),
        Decimal("934.25"),
        Decimal("600.00"),
        Decimal("299.75"),
    ]
    money_total = [row for row in rows if row and row[0] == "Total"][1]
    assert [Decimal(str(v)) for v in money_total[1:3]] == [Decimal("1734.50"), Decimal("300.25")]
    assert [row for row in rows if row and row[0] == "Total"][2][:4] == ["Total", 1, 1, 2]
    ws = next(ws for ws in wb.worksheets if ws.title.startswith("XF-2025-01") and "Targets" in ws.title)
    rows = [[cell.value for cell in row] for row in ws.iter_rows()]
    hv = next(row for row in rows if row and row[0] == "HV")
    assert hv[:9] == ["HV", "入户探访", "Activities held", 12, 8, 12, 0.6667, 8, "Behind"]


def test_annual_csv_renders_every_table(annual):
    text = render(annual, "csv")[0].decode("utf-8-sig")
    assert "XF-2025-01,留守儿童关爱服务,信丰县民政局,1,1" in text
    assert "XF-2025-01,1234.50,300.25,934.25,600.00,299.75" in text
    assert "XF-2025-01,1,0,2" in text
    assert "HV,入户探访,Activities held,12,8,12.00,0.6667,8.00,Behind" in text
    assert "HR,服务时数,Service hours,10,2.50,10.00,0.2500,2.50,Behind" in text
    assert "GP,小组活动,Participant attendances,100,80,100.00,0.8000,80.00,On track" in text


def test_report_command_writes_the_annual_json(agency, year_data, capsys):
    call_command("report", "annual", "--year", "2025", "--format", "json", "--agency", "xinfeng")
    data = json.loads(capsys.readouterr().out)
    assert data["year"] == 2025
    assert [c["code"] for c in data["contracts"]] == ["XF-2024-07", "XF-2025-01"]
    assert data["supervision"]["coverage"] == 0.25
    assert data["contracts"][1]["targets"][0]["achieved"] == 8


def test_a_year_without_records_gives_zeros_and_no_contracts(agency, director):
    report = build_annual(agency=agency, user=director, year=2030)
    assert report.data["contracts"] == []
    assert report.data["workforce"]["headcount_end"] == 0
    assert report.data["supervision"]["coverage"] is None
    assert render(report, "pdf")[0].startswith(b"%PDF")


def test_a_running_month_still_short_is_in_progress_and_left_out_of_the_coverage(
    agency, director, supervisor_member, staff_member, other_staff_member
):
    """2026 as of 28 November. S200 (plan since 2022): 120 individual minutes in March and
    on 3 November; S300 (plan from 2026-01-01): none. November is running: S200's is met, S300's
    still short, so in progress and not counted. Counted: 11 months of S200 (2 met: March,
    November) and 10 of S300 (none met): coverage 2 / 21."""
    from tests.factories import SupervisionPlanFactory

    today = dt.date(2026, 11, 28)
    SupervisionPlanFactory(
        supervisee=other_staff_member, supervisor=supervisor_member, start=dt.date(2026, 1, 1)
    )
    for day in (dt.date(2026, 3, 5), dt.date(2026, 11, 3)):
        supervision_services.session_create(
            agency=agency, user=supervisor_member.user, supervisor=supervisor_member, date=day,
            start_time=dt.time(9, 0), duration_minutes=120, modality="individual",
            attendees=[staff_member], notes="Case review.", today=today,
        )  # fmt: skip
    report = build_annual(agency=agency, user=director, year=2026, today=today)
    part = report.data["supervision"]
    assert {key: part[key] for key in part if key != "by_month"} == {
        "year": 2026,
        "supervisees": 2,
        "months_counted": 21,
        "months_met": 2,
        "months_short": 19,
        "months_in_progress": 1,
        "coverage": 0.0952,
    }
    assert part["by_month"][2] == {
        "month": "2026-03",
        "met": 1,
        "short": 1,
        "in_progress": 0,
        "coverage": 0.5,
    }
    assert part["by_month"][-1] == {
        "month": "2026-11",
        "met": 1,
        "short": 0,
        "in_progress": 1,
        "coverage": 1.0,
    }
    assert len(part["by_month"]) == 11
    overview = next(s for s in report.sections if s.facts and s.title == "The year at a glance")
    assert ("Supervision coverage", "9.5%") in overview.facts
    text = render(report, "csv")[0].decode("utf-8-sig")
    assert "2026-11,1,0,1,1.0\r\n" in text
    assert "Total,2,19,1,0.0952\r\n" in text
