"""Monthly supervision compliance (metrics.md) on hand-built months, and the report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from core.reports import get, render
from supervision.selectors import compliance_rows, month_coverage
from supervision.services import Attendee
from tests.factories import SpellFactory, StaffMemberFactory, SupervisionPlanFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 28)


def rows_by_month(agency, year, staff_no):
    return {
        r["month"]: r
        for r in compliance_rows(agency=agency, year=year, today=TODAY)
        if r["staff_no"] == staff_no
    }


def test_a_month_with_enough_individual_and_group_minutes_is_met(
    agency, supervisor_member, staff_member, other_staff_member, log_session
):
    log_session(supervisor_member, [staff_member], dt.date(2025, 3, 5), minutes=60)
    # a group session counts its full duration for each attendee
    log_session(
        supervisor_member,
        [staff_member, other_staff_member],
        dt.date(2025, 3, 20),
        minutes=90,
        modality="group",
    )
    march = rows_by_month(agency, 2025, "S200")["2025-03"]
    assert march == {
        "staff_no": "S200",
        "name": "李社工",
        "supervisor": "陈督导",
        "month": "2025-03",
        "required_minutes": 120,
        "received_minutes": 150,
        "required_individual_minutes": 60,
        "individual_minutes": 60,
        "status": "met",
    }


def test_group_minutes_alone_leave_the_individual_minimum_short(
    agency, supervisor_member, staff_member, log_session
):
    log_session(supervisor_member, [staff_member], dt.date(2025, 4, 2), minutes=150, modality="group")
    log_session(supervisor_member, [staff_member], dt.date(2025, 4, 9), minutes=30, modality="individual")
    april = rows_by_month(agency, 2025, "S200")["2025-04"]
    assert (april["received_minutes"], april["individual_minutes"], april["status"]) == (180, 30, "short")


def test_a_month_without_sessions_is_short_with_zero_minutes(agency, staff_member):
    may = rows_by_month(agency, 2025, "S200")["2025-05"]
    assert (may["received_minutes"], may["individual_minutes"], may["status"]) == (0, 0, "short")
    assert len(rows_by_month(agency, 2025, "S200")) == 12


def test_absent_attendees_receive_no_minutes(
    agency, supervisor_member, staff_member, other_staff_member, log_session
):
    log_session(
        supervisor_member,
        [Attendee(other_staff_member), Attendee(staff_member, present=False)],
        dt.date(2025, 6, 4),
        minutes=120,
    )
    assert rows_by_month(agency, 2025, "S200")["2025-06"]["received_minutes"] == 0


def test_a_plan_starting_mid_month_counts_that_whole_month(agency, supervisor_member, log_session):
    """The start month is not "before the plan starts", so it counts, with every session of it."""
    worker = StaffMemberFactory(agency=agency, staff_no="S500", name="新社工")
    SpellFactory(staff=worker, hire_date=dt.date(2024, 1, 1))
    SupervisionPlanFactory(supervisee=worker, supervisor=supervisor_member, start=dt.date(2025, 3, 15))
    log_session(supervisor_member, [worker], dt.date(2025, 3, 3), minutes=60)
    log_session(supervisor_member, [worker], dt.date(2025, 3, 20), minutes=60)
    rows = rows_by_month(agency, 2025, "S500")
    assert "2025-02" not in rows
    assert rows["2025-03"]["received_minutes"] == 120
    assert rows["2025-03"]["status"] == "met"
    assert sorted(rows) == [f"2025-{m:02d}" for m in range(3, 13)]


def test_months_after_the_plan_ends_are_not_counted(agency, supervisor_member):
    worker = StaffMemberFactory(agency=agency, staff_no="S510", name="短期社工")
    SpellFactory(staff=worker, hire_date=dt.date(2024, 1, 1))
    SupervisionPlanFactory(
        supervisee=worker, supervisor=supervisor_member, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 10)
    )
    assert sorted(rows_by_month(agency, 2025, "S510")) == [f"2025-{m:02d}" for m in range(1, 7)]


def test_a_supervisee_who_left_mid_month_is_not_counted_that_month(agency, supervisor_member, log_session):
    leaver = StaffMemberFactory(agency=agency, staff_no="S520", name="离职社工")
    SpellFactory(
        staff=leaver, hire_date=dt.date(2024, 1, 1), exit_date=dt.date(2025, 5, 15), exit_reason="career"
    )
    SupervisionPlanFactory(supervisee=leaver, supervisor=supervisor_member, start=dt.date(2024, 1, 1))
    log_session(supervisor_member, [leaver], dt.date(2025, 5, 5), minutes=120)
    rows = rows_by_month(agency, 2025, "S520")
    assert sorted(rows) == ["2025-01", "2025-02", "2025-03", "2025-04"]


def test_a_supervisee_who_left_on_the_last_day_of_the_month_is_counted(agency, supervisor_member):
    leaver = StaffMemberFactory(agency=agency, staff_no="S530", name="月末离职")
    SpellFactory(
        staff=leaver, hire_date=dt.date(2025, 2, 1), exit_date=dt.date(2025, 4, 30), exit_reason="family"
    )
    SupervisionPlanFactory(supervisee=leaver, supervisor=supervisor_member, start=dt.date(2025, 1, 1))
    assert sorted(rows_by_month(agency, 2025, "S530")) == ["2025-02", "2025-03", "2025-04"]


def test_a_month_worked_whole_across_back_to_back_spells_is_counted(agency, supervisor_member, log_session):
    """metrics.md leaves out a month only when the supervisee "was not employed for the whole
    month": a contract renewed from the day after the last one ended is a whole month worked."""
    renewed = StaffMemberFactory(agency=agency, staff_no="S540", name="续签社工")
    SpellFactory(
        staff=renewed,
        hire_date=dt.date(2024, 1, 1),
        exit_date=dt.date(2025, 5, 15),
        exit_reason="contract_end",
    )
    SpellFactory(
        staff=renewed, hire_date=dt.date(2025, 5, 16), exit_date=dt.date(2025, 8, 31), exit_reason="career"
    )
    SupervisionPlanFactory(supervisee=renewed, supervisor=supervisor_member, start=dt.date(2025, 1, 1))
    log_session(supervisor_member, [renewed], dt.date(2025, 5, 20), minutes=120)
    rows = rows_by_month(agency, 2025, "S540")
    assert sorted(rows) == [
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
        "2025-05",
        "2025-06",
        "2025-07",
        "2025-08",
    ]
    assert (rows["2025-05"]["received_minutes"], rows["2025-05"]["status"]) == (120, "met")
    # The home page's month figures follow the same rule.
    may = month_coverage(agency, [dt.date(2025, 5, 1)], TODAY)[dt.date(2025, 5, 1)]
    assert (may["counted"], may["met"]) == (1, 1)


def test_a_day_between_two_spells_leaves_that_month_out(agency, supervisor_member):
    rehired = StaffMemberFactory(agency=agency, staff_no="S550", name="重新入职")
    SpellFactory(
        staff=rehired, hire_date=dt.date(2024, 1, 1), exit_date=dt.date(2025, 5, 15), exit_reason="family"
    )
    SpellFactory(staff=rehired, hire_date=dt.date(2025, 5, 17))
    SupervisionPlanFactory(supervisee=rehired, supervisor=supervisor_member, start=dt.date(2025, 1, 1))
    assert "2025-05" not in rows_by_month(agency, 2025, "S550")
    assert "2025-06" in rows_by_month(agency, 2025, "S550")
    may = month_coverage(agency, [dt.date(2025, 5, 1)], TODAY)[dt.date(2025, 5, 1)]
    assert may["counted"] == 0


def test_months_that_have_not_started_are_left_out(agency, staff_member):
    rows = {r["month"] for r in compliance_rows(agency=agency, year=2026, today=dt.date(2026, 3, 31))}
    assert rows == {"2026-01", "2026-02", "2026-03"}


def test_the_latest_plan_gives_the_requirement_when_the_supervisor_changes(
    agency, supervisor_member, other_supervisor_member
):
    worker = StaffMemberFactory(agency=agency, staff_no="S540", name="换督导")
    SpellFactory(staff=worker, hire_date=dt.date(2024, 1, 1))
    SupervisionPlanFactory(
        supervisee=worker, supervisor=supervisor_member, start=dt.date(2024, 1, 1), end=dt.date(2025, 3, 9)
    )
    SupervisionPlanFactory(
        supervisee=worker,
        supervisor=other_supervisor_member,
        start=dt.date(2025, 3, 10),
        required_minutes=180,
    )
    rows = rows_by_month(agency, 2025, "S540")
    assert (rows["2025-02"]["supervisor"], rows["2025-02"]["required_minutes"]) == ("陈督导", 120)
    assert (rows["2025-03"]["supervisor"], rows["2025-03"]["required_minutes"]) == ("周督导", 180)


def test_other_agencies_are_not_counted(agency, outsider_agency, staff_member, outsider_member):
    SupervisionPlanFactory(supervisee=outsider_member, start=dt.date(2024, 1, 1))
    assert {r["staff_no"] for r in compliance_rows(agency=agency, year=2025, today=TODAY)} == {"S200"}


def test_the_report_command_prints_the_cli_json_shape(
    agency, outsider_agency, supervisor_member, staff_member, log_session, capsys
):
    log_session(supervisor_member, [staff_member], dt.date(2025, 3, 5), minutes=120)
    call_command(
        "report", "supervision-compliance", "--year", "2025", "--format", "json", "--agency", "xinfeng"
    )
    body = json.loads(capsys.readouterr().out)
    assert body["year"] == 2025
    assert len(body["rows"]) == 12
    assert body["rows"][2] == {
        "staff_no": "S200",
        "name": "李社工",
        "supervisor": "陈督导",
        "month": "2025-03",
        "required_minutes": 120,
        "received_minutes": 120,
        "required_individual_minutes": 60,
        "individual_minutes": 120,
        "status": "met",
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_the_report_renders_in_every_format(agency, staff_member, tmp_path, fmt):
    out = tmp_path / f"r.{fmt}"
    call_command("report", "supervision-compliance", "--year", "2025", "--format", fmt, "--out", str(out))
    assert out.stat().st_size > 100


def test_a_compliance_year_pandas_cannot_hold_is_a_clear_400(personas, login_api):
    response = login_api(personas["director"]).get("/api/v1/supervision-compliance/", {"year": 2391})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["year"] == ["Enter a year from 1900 to 2261."]


def test_the_compliance_report_refuses_a_year_out_of_range(agency, director):
    from core.reports import ReportError, get

    with pytest.raises(ReportError, match="1900 to 2261"):
        get("supervision-compliance").build(agency=agency, user=director, year=2391)


def running_year_report(agency, supervisor_member, staff_member, log_session):
    """2026 as of 28 November: S200 met in March (120 individual minutes) and is short in every
    other month; November, not over yet, is in progress while short."""
    log_session(supervisor_member, [staff_member], dt.date(2026, 3, 5), minutes=120)
    return get("supervision-compliance").build(agency=agency, user=None, year=2026, today=TODAY)


def _csv(report):
    return list(csv.reader(io.StringIO(render(report, "csv")[0].decode("utf-8-sig"))))


def test_the_json_keeps_short_for_the_running_month(agency, supervisor_member, staff_member, log_session):
    report = running_year_report(agency, supervisor_member, staff_member, log_session)
    statuses = {row["month"]: row["status"] for row in report.data["rows"]}
    assert (statuses["2026-03"], statuses["2026-10"], statuses["2026-11"]) == ("met", "short", "short")
    assert set(report.data["rows"][0]) == {
        "staff_no", "name", "supervisor", "month", "required_minutes", "received_minutes",
        "required_individual_minutes", "individual_minutes", "status",
    }  # fmt: skip


def test_the_csv_shows_labels_the_running_month_in_progress_and_the_summary_counts(
    agency, supervisor_member, staff_member, log_session
):
    rows = _csv(running_year_report(agency, supervisor_member, staff_member, log_session))
    by_month = {row[3]: row for row in rows if len(row) == 9 and row[0] == "S200"}
    assert by_month["2026-03"][8] == "Met"
    assert by_month["2026-10"][8] == "Short"
    assert by_month["2026-11"] == [
        "S200",
        "李社工",
        "陈督导",
        "2026-11",
        "120",
        "0",
        "60",
        "0",
        "In progress",
    ]
    assert len(by_month) == 11
    summary = rows.index(["Summary"])
    facts = rows[summary + 2 : summary + 6]
    assert facts == [
        ["Supervisee-months counted", "10"],
        ["Met", "1"],
        ["Short", "9"],
        ["In progress", "1"],
    ]


def test_a_running_month_already_met_is_met(agency, supervisor_member, staff_member, log_session):
    log_session(supervisor_member, [staff_member], dt.date(2026, 11, 3), minutes=120)
    rows = _csv(running_year_report(agency, supervisor_member, staff_member, log_session))
    assert next(row for row in rows if row[:1] == ["S200"] and row[3] == "2026-11")[8] == "Met"
    assert ["In progress", "0"] in rows and ["Met", "2"] in rows


def test_a_past_year_has_no_month_in_progress(agency, supervisor_member, staff_member, log_session):
    report = get("supervision-compliance").build(agency=agency, user=None, year=2025, today=TODAY)
    rows = _csv(report)
    assert [row[8] for row in rows if row[:1] == ["S200"]] == ["Short"] * 12
    assert ["Supervisee-months counted", "12"] in rows and ["In progress", "0"] in rows


def test_the_xlsx_and_pdf_show_the_labels_in_chinese(agency, supervisor_member, staff_member, log_session):
    log_session(supervisor_member, [staff_member], dt.date(2026, 3, 5), minutes=120)
    with translation.override("zh-hans"):
        report = get("supervision-compliance").build(agency=agency, user=None, year=2026, today=TODAY)
        xlsx, pdf, csv_rows = render(report, "xlsx")[0], render(report, "pdf")[0], _csv(report)
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[1]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    status = {row[3]: row[8] for row in cells if row[0] == "S200"}
    assert (status["2026-03"], status["2026-10"], status["2026-11"]) == ("达标", "未达标", "进行中")
    assert ["进行中", 1] in [row[:2] for row in cells]
    assert [row[8] for row in csv_rows if row[:1] == ["S200"]].count("进行中") == 1
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "进行中" in text and "met" not in text and "short" not in text
