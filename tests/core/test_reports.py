"""The report machinery: one data definition, rendered as JSON, CSV, XLSX, PDF and SVG."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook
from pypdf import PdfReader

from core.models import Agency
from core.reports import (
    Chart,
    Column,
    Report,
    ReportError,
    ReportKind,
    Section,
    Series,
    Table,
    UnknownReport,
    get,
    money,
    money_str,
    neutralise,
    pct,
    rate,
    register,
    render,
    unregister,
)
from core.reports.charts import chart_drawing, chart_svg, chart_table
from core.reports.renderers.xlsx import sheet_title

ROOT = Path(__file__).resolve().parents[2]
KIND = "test-demo"
CONTRACT_KIND = "test-contract"
TITLE = "测试报告 Test report"
GENERATED = datetime(2025, 3, 1, 6, 30, tzinfo=UTC)


def build_demo(*, agency, user=None, year=None, as_of=None, contract=None, cover=False, **kw) -> Report:
    """A small report exercising every renderer feature."""
    table = Table(
        title="预算执行 Lines",
        columns=[
            Column("name", "名称 Name"),
            Column("amount", "Amount", "money"),
            Column("share", "Share", "percent"),
            Column("count", "Count", "int"),
            Column("day", "Date", "date"),
        ],
        rows=[
            {
                "name": "=1+2",
                "amount": Decimal("1000.00"),
                "share": 0.8101,
                "count": 3,
                "day": date(2025, 1, 5),
            },
            {
                "name": "@SUM(A1)",
                "amount": Decimal("534.50"),
                "share": 0.4325,
                "count": 2,
                "day": date(2025, 2, 1),
            },
            {
                "name": "红字冲销 refund",
                "amount": Decimal("-300.00"),
                "share": -0.2426,
                "count": 1,
                "day": None,
            },
        ],
        totals={"amount": Decimal("1234.50"), "count": 6},
        note="-note that starts with a minus",
    )
    chart = Chart(
        kind="bar",
        title="支出 Spending",
        categories=["人员经费", "服务活动", "差旅交通"],
        series=[Series("Actual", [Decimal("1000.00"), Decimal("534.50"), Decimal("-300.00")])],
        value_format="money",
    )
    return Report(
        kind=KIND,
        title=TITLE,
        subtitle="副标题 Subtitle",
        agency_name=agency.name,
        generated_at=GENERATED,
        params={"year": year},
        data={
            "year": year,
            "total": money_str(Decimal("1234.5")),
            "rate": rate(1, 3),
            "none": rate(1, 0),
            "name": "测试",
            "exact": Decimal("0.10"),
        },
        sections=[
            Section(
                title="概览 Overview",
                text=["第一段 First paragraph.", "Second & <third> paragraph."],
                facts=[("Total spent", Decimal("1234.50")), ("Staff", 23)],
                tables=[table],
                charts=[chart],
            ),
            Section(title="Details: [all]/*?", tables=[chart_table(chart)]),
        ],
        cover=cover,
    )


def build_contract(*, agency, user=None, contract=None, **kw) -> Report:
    if contract != "C1":
        raise ReportError(f"Unknown contract {contract}")
    return Report(kind=CONTRACT_KIND, title="Contract", agency_name=agency.name, data={"contract": contract})


@pytest.fixture
def demo_kind():
    """Register the throwaway kinds for one test and remove them afterwards."""
    register(KIND, title="测试 Test", params=("year",))(build_demo)
    register(CONTRACT_KIND, title="Contract", params=("contract",))(build_contract)
    yield get(KIND)
    unregister(KIND)
    unregister(CONTRACT_KIND)


@pytest.fixture
def test_agency(db):
    return Agency.objects.create(name="测试社工服务中心", slug="test")


@pytest.fixture
def report(test_agency, demo_kind):
    return build_demo(agency=test_agency, year=2025)


# Formatting and safety ----------------------------------------------------------------------


def test_money_formats_with_separators_and_exact_cents():
    assert money(Decimal("1234.5")) == "1,234.50"
    assert money(Decimal("-1234567.005")) == "-1,234,567.01"
    assert money_str(Decimal("1234.5")) == "1234.50"
    assert money_str(Decimal("0.005")) == "0.01"
    assert money(None) == ""


def test_rate_rounds_half_up_and_is_none_for_a_zero_denominator():
    assert rate(5, 22) == 0.2273
    assert rate(1, 8, places=2) == 0.13  # 0.125 half-up, not banker's 0.12
    assert rate(3, 0) is None
    assert rate(Decimal("1"), Decimal("3")) == 0.3333


def test_pct_shows_a_fraction_as_a_percentage():
    assert pct(0.2273) == "22.7%"
    assert pct(Decimal("0.125"), places=0) == "13%"
    assert pct(None) == ""


@pytest.mark.parametrize("text", ["=1+2", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_formula_text(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [Decimal("-300.00"), -3, -1.5, 0, None, date(2025, 1, 1), "plain", "1-2"])
def test_neutralise_leaves_numbers_and_plain_text_alone(value):
    assert neutralise(value) == value


# Registry -----------------------------------------------------------------------------------


def test_unknown_report_lists_the_known_kinds(demo_kind):
    with pytest.raises(UnknownReport) as exc:
        get("nope")
    assert KIND in str(exc.value)
    assert CONTRACT_KIND in str(exc.value)


def test_register_refuses_an_unknown_parameter():
    with pytest.raises(ValueError, match="unknown parameter"):
        register("bad-kind", title="Bad", params=("month",))


def test_registered_kind_knows_its_missing_and_unexpected_parameters(demo_kind):
    assert demo_kind.missing({"year": None}) == ["year"]
    assert demo_kind.unexpected({"year": 2025, "contract": "C1"}) == ["contract"]
    assert demo_kind.allowed_for(["director"]) and not demo_kind.allowed_for(["staff"])


def test_a_kind_records_what_its_access_rests_on_and_compares_it_later():
    bases = {"ann": "grant:1"}
    kind = ReportKind(
        kind="basis-demo",
        title="Basis",
        build=build_contract,
        params=("contract",),
        access_basis=lambda user, params: bases.get(user),
    )
    assert kind.made_under("ann", {"contract": "C1"}) == {"made_under": "grant:1"}
    assert kind.made_under("bob", {"contract": "C1"}) == {}
    stored = {"contract": "C1", "made_under": "grant:1"}
    assert kind.still_made_under("ann", {"contract": "C1"}, stored)
    bases["ann"] = "grant:2"
    assert not kind.still_made_under("ann", {"contract": "C1"}, stored)
    assert kind.still_made_under("bob", {"contract": "C1"}, {"contract": "C1"})


def test_a_kind_without_an_access_basis_records_nothing(demo_kind):
    assert demo_kind.made_under("ann", {"year": 2025}) == {}
    assert demo_kind.still_made_under("ann", {"year": 2025}, {"year": 2025})


# Renderers ----------------------------------------------------------------------------------


def test_json_is_the_exact_spec_body(report):
    content, content_type, filename = render(report, "json")
    assert content_type.startswith("application/json")
    assert filename == "test-demo-2025.json"
    assert content.decode("utf-8") == (
        "{\n"
        '  "year": 2025,\n'
        '  "total": "1234.50",\n'
        '  "rate": 0.3333,\n'
        '  "none": null,\n'
        '  "name": "测试",\n'
        '  "exact": "0.10"\n'
        "}\n"
    )


def test_csv_has_a_bom_neutralised_text_and_plain_negative_numbers(report):
    content, _, filename = render(report, "csv")
    assert filename.endswith(".csv")
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    table = rows.index(["预算执行 Lines"])
    assert rows[table + 1] == ["名称 Name", "Amount", "Share", "Count", "Date"]
    assert rows[table + 2] == ["'=1+2", "1000.00", "0.8101", "3", "2025-01-05"]
    assert rows[table + 3][0] == "'@SUM(A1)"
    assert rows[table + 4] == ["红字冲销 refund", "-300.00", "-0.2426", "1", ""]
    assert rows[table + 5] == ["Total", "1234.50", "", "6", ""]
    assert rows[table + 6] == ["'-note that starts with a minus"]
    assert rows[table + 7] == []
    # The second section (the chart's numbers) follows, its heading above its table.
    assert rows[table + 8] == ["Details: [all]/*?"]
    assert rows[table + 9] == ["支出 Spending"]
    assert ["差旅交通", "-300.00"] in rows


def test_csv_holds_the_title_block_and_every_sections_text_and_facts(report):
    """What the XLSX summary sheet and section sheets show (and the PDF), facts as label/value
    rows, each block followed by a blank row."""
    rows = list(csv.reader(io.StringIO(render(report, "csv")[0].decode("utf-8-sig"))))
    assert rows[:12] == [
        [TITLE],
        ["副标题 Subtitle"],
        ["Agency", "测试社工服务中心"],
        ["Year", "2025"],
        ["Generated", "2025-03-01 14:30"],
        [],
        ["概览 Overview"],
        ["第一段 First paragraph."],
        ["Second & <third> paragraph."],
        ["Total spent", "1234.50"],
        ["Staff", "23"],
        [],
    ]
    assert rows[12] == ["预算执行 Lines"]


def test_csv_gives_a_number_column_its_places_on_every_row(test_agency):
    table = Table(
        title="Lines",
        columns=[Column("pct", "Spent (%)", "number", places=2)],
        rows=[{"pct": Decimal("44")}, {"pct": 123.2}, {"pct": Decimal("0.005")}, {"pct": None}],
    )
    report = Report(kind="x", title="X", generated_at=GENERATED, sections=[Section(title="", tables=[table])])
    rows = list(csv.reader(io.StringIO(render(report, "csv")[0].decode("utf-8-sig"))))
    start = rows.index(["Spent (%)"])
    assert rows[start + 1 : start + 5] == [["44.00"], ["123.20"], ["0.01"], [""]]


def test_csv_leaves_out_a_section_heading_that_only_repeats_its_tables_title(test_agency):
    table = Table(title="Lines", columns=[Column("name", "Name")], rows=[{"name": "A"}])
    report = Report(kind="x", title="X", agency_name=test_agency.name, generated_at=GENERATED,
                    sections=[Section(title="Lines", tables=[table])])  # fmt: skip
    rows = list(csv.reader(io.StringIO(render(report, "csv")[0].decode("utf-8-sig"))))
    assert rows[4:] == [["Lines"], ["Name"], ["A"], []]


def test_xlsx_reopens_with_the_same_numbers_and_no_formulas(report):
    content, content_type, _ = render(report, "xlsx")
    assert "spreadsheetml" in content_type
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["Summary", "概览 Overview", "Details all"]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
    summary = [[c.value for c in row] for row in wb["Summary"].iter_rows()]
    assert summary[0][0] == TITLE
    assert ["Agency", "测试社工服务中心"] in summary
    assert ["Year", 2025] in summary

    ws = wb["概览 Overview"]
    cells = {cell.value: cell for row in ws.iter_rows() for cell in row if cell.value is not None}
    header_row = cells["名称 Name"].row
    names = [ws.cell(row=header_row + i, column=1).value for i in range(1, 5)]
    assert names == ["'=1+2", "'@SUM(A1)", "红字冲销 refund", "Total"]
    amounts = [Decimal(str(ws.cell(row=header_row + i, column=2).value)) for i in range(1, 5)]
    assert amounts == [Decimal("1000.00"), Decimal("534.50"), Decimal("-300.00"), Decimal("1234.50")]
    assert ws.cell(row=header_row + 1, column=2).number_format == "#,##0.00"
    assert ws.cell(row=header_row + 1, column=3).number_format == "0.0%"
    assert ws.cell(row=header_row + 1, column=5).value == datetime(2025, 1, 5)
    assert cells["名称 Name"].font.bold
    assert cells["Total spent"].font.bold
    assert "'-note that starts with a minus" in cells


def test_pdf_has_real_chinese_text_the_formatted_total_and_page_numbers(report):
    content, content_type, filename = render(report, "pdf")
    assert content_type == "application/pdf"
    assert filename == "test-demo-2025.pdf"
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert TITLE in text
    assert "测试社工服务中心" in text
    assert "1,234.50" in text
    assert "-300.00" in text
    assert "Page 1 of" in text
    assert "'=1+2" not in text  # the PDF shows text as it is; only spreadsheets need the quote
    assert "=1+2" in text


def test_pdf_cover_page_is_a_page_of_its_own(test_agency, demo_kind):
    report = build_demo(agency=test_agency, year=2025, cover=True)
    content, _, _ = render(report, "pdf")
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 2
    first = reader.pages[0].extract_text()
    assert TITLE in first and "副标题 Subtitle" in first
    assert "概览 Overview" not in first
    assert f"Page 1 of {len(reader.pages)}" in first


def test_a_long_table_repeats_its_header_on_every_page(test_agency):
    table = Table(
        title="Long",
        columns=[Column("n", "Number column", "int"), Column("v", "Value column", "money")],
        rows=[{"n": i, "v": Decimal(i)} for i in range(200)],
    )
    report = Report(kind="long", title="Long", agency_name="A", sections=[Section("S", tables=[table])])
    reader = PdfReader(io.BytesIO(render(report, "pdf")[0]))
    assert len(reader.pages) > 2
    for page in reader.pages:
        assert "Number column" in page.extract_text()


# Charts -------------------------------------------------------------------------------------


def test_chart_svg_is_inline_svg_with_the_category_labels(report):
    chart = report.sections[0].charts[0]
    svg = chart_svg(chart)
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "DOCTYPE" not in svg
    assert 'viewBox="0 0 480 270"' in svg
    for label in chart.categories:
        assert label in svg
    assert "支出 Spending" in svg


@pytest.mark.parametrize("kind", ["bar", "hbar", "line", "pie", "stacked_bar"])
def test_every_chart_kind_draws_with_decimals_and_gaps(kind):
    chart = Chart(
        kind=kind,
        title="Kinds",
        categories=["一月", "二月", "三月"],
        series=[
            Series("A", [Decimal("10.50"), None, Decimal("3")]),
            Series("B", [1, 2, 3]),
        ],
    )
    drawing = chart_drawing(chart, 400, 200)
    assert drawing.width == 400
    assert "一月" in chart_svg(chart)


def test_a_chart_without_data_says_so():
    empty = Chart(kind="bar", title="Empty", categories=[], series=[])
    assert "No data" in chart_svg(empty)
    zeros = Chart(kind="pie", title="Zeros", categories=["a"], series=[Series("s", [0])])
    assert "No data" in chart_svg(zeros)


def test_chart_table_gives_the_numbers_for_screen_readers(report):
    table = chart_table(report.sections[0].charts[0])
    assert [c.label for c in table.columns] == ["Category", "Actual"]
    assert table.columns[1].kind == "money"
    assert table.rows[2] == {"category": "差旅交通", "s0": Decimal("-300.00")}


def test_sheet_titles_are_valid_and_unique():
    taken: set[str] = set()
    assert sheet_title("a/b:c", taken) == "a b c"
    long = "x" * 40
    assert sheet_title(long, taken) == "x" * 31
    assert sheet_title(long, taken) == "x" * 27 + " (2)"


# The command --------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def command_error(*args: str) -> CommandError:
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert exc.value.returncode == 1
    return exc.value


def test_command_prints_json_on_stdout(test_agency, demo_kind):
    out = run(KIND, "--year", "2025", "--format", "json")
    assert json.loads(out) == {
        "year": 2025,
        "total": "1234.50",
        "rate": 0.3333,
        "none": None,
        "name": "测试",
        "exact": "0.10",
    }


def test_command_writes_a_file_and_says_where(test_agency, demo_kind, tmp_path):
    target = tmp_path / "r.xlsx"
    out = run(KIND, "--year", "2025", "--format", "xlsx", "--out", str(target))
    assert str(target) in out
    assert f"{target.stat().st_size:,} bytes" in out
    load_workbook(target)


def test_command_writes_into_a_directory_with_the_report_file_name(test_agency, demo_kind, tmp_path):
    run(KIND, "--year", "2025", "--format", "pdf", "--out", str(tmp_path), "--lang", "zh-hans")
    assert (tmp_path / "test-demo-2025.pdf").read_bytes().startswith(b"%PDF")


def test_command_rejects_an_unknown_kind_listing_the_known_ones(demo_kind):
    error = command_error("nope", "--format", "json")
    assert "nope" in str(error) and KIND in str(error)


def test_command_needs_the_kinds_required_parameter(test_agency, demo_kind):
    assert "needs --year" in str(command_error(KIND, "--format", "json"))
    assert "needs --contract" in str(command_error(CONTRACT_KIND, "--format", "json"))


def test_command_rejects_a_parameter_the_kind_does_not_take(test_agency, demo_kind):
    assert "does not take --as-of" in str(
        command_error(KIND, "--year", "2025", "--as-of", "2025-01-01", "--format", "json")
    )


@pytest.mark.parametrize("year", ["25", "abcd", "20255", "1066"])
def test_command_rejects_a_bad_year(test_agency, demo_kind, year):
    assert "--year" in str(command_error(KIND, "--year", year, "--format", "json"))


@pytest.mark.parametrize("as_of", ["2025-02-30", "20250101", "01/02/2025", "soon"])
def test_command_rejects_a_bad_as_of_date(test_agency, as_of):
    register("test-asof", title="As of", params=("as_of",))(build_demo)
    try:
        assert "--as-of" in str(command_error("test-asof", "--as-of", as_of, "--format", "json"))
    finally:
        unregister("test-asof")


@pytest.mark.parametrize("as_of", ["9999-09-30", "9999-12-31", "3000-01-01", "1899-12-31", "0001-01-01"])
def test_command_refuses_an_as_of_date_outside_the_years_it_takes(test_agency, as_of):
    register("test-asof", title="As of", params=("as_of",))(build_demo)
    try:
        assert str(command_error("test-asof", "--as-of", as_of, "--format", "json")) == (
            f"Invalid --as-of '{as_of}': expected a date from 1900-01-01 to 2999-12-31."
        )
    finally:
        unregister("test-asof")


@pytest.mark.parametrize("kind", ["qualifications", "training-compliance"])
def test_a_date_near_the_calendar_s_end_is_refused_from_the_shell_without_a_traceback(kind):
    # Refused before the agency is looked up: no database is needed.
    result = _manage(kind, "--as-of", "9999-12-31", "--format", "json")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "Invalid --as-of '9999-12-31': expected a date from 1900-01-01 to 2999-12-31.\n"


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", ["1900-01-01", "2999-12-31"])
def test_the_first_and_last_as_of_dates_build_the_real_reports(agency, as_of):
    from tests.factories import QualificationFactory
    from tests.staff.factories import person

    member = person(agency, "S001", ("2020-01-01", None, None))
    QualificationFactory(staff=member, cert_no="C-1", issued=date(2020, 10, 15), registration_expires=None)
    for kind in ("qualifications", "training-compliance"):
        out = run(kind, "--as-of", as_of, "--format", "json", "--agency", agency.slug)
        assert json.loads(out)["as_of"] == as_of


def test_command_needs_out_for_binary_formats(test_agency, demo_kind):
    assert (
        str(command_error(KIND, "--year", "2025", "--format", "xlsx")) == "--out is required for xlsx and pdf"
    )
    assert "--out" in str(command_error(KIND, "--year", "2025", "--format", "pdf"))


def test_command_rejects_an_unknown_format(test_agency, demo_kind):
    assert "docx" in str(command_error(KIND, "--year", "2025", "--format", "docx"))
    assert "--format" in str(command_error(KIND, "--year", "2025"))


def test_command_passes_the_contract_code_and_reports_builder_errors(test_agency, demo_kind):
    assert json.loads(run(CONTRACT_KIND, "--contract", "C1", "--format", "json")) == {"contract": "C1"}
    assert (
        str(command_error(CONTRACT_KIND, "--contract", "NOPE", "--format", "json")) == "Unknown contract NOPE"
    )


def test_command_needs_agency_when_several_exist(test_agency, demo_kind):
    Agency.objects.create(name="Other", slug="other")
    error = command_error(KIND, "--year", "2025", "--format", "json")
    assert "--agency" in str(error) and "other" in str(error)
    # The same lookup and words as every other command (core.importing.cli.resolve_agency).
    assert str(command_error(KIND, "--year", "2025", "--format", "json", "--agency", "zzz")) == (
        "There is no agency with the short name zzz (known: other, test)."
    )
    assert json.loads(run(KIND, "--year", "2025", "--format", "json", "--agency", "test"))["year"] == 2025


def test_command_rejects_an_unknown_language(test_agency, demo_kind):
    assert "--lang" in str(command_error(KIND, "--year", "2025", "--format", "json", "--lang", "fr"))


def _manage(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
    return subprocess.run(
        [sys.executable, "manage.py", "report", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_command_line_errors_exit_1_with_one_line_and_no_traceback():
    # Both failures happen before any database access.
    result = _manage("no-such-report", "--format", "json")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Unknown report 'no-such-report'; known reports:" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

    result = _manage("--format", "json", "--bogus")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr


def test_display_follows_the_column_kind():
    from core.reports.formatting import display

    assert display(Decimal("1234.5"), "money") == "1,234.50"
    assert display(0.2273, "percent") == "22.7%"
    assert display(12345, "int") == "12,345"
    assert display(2025) == "2025"
    assert display(Decimal("1234.50")) == "1,234.50"
    assert display(None, "money") == ""
    assert display(date(2025, 1, 5), "date") == "2025-01-05"


def test_registering_another_builder_under_a_taken_kind_is_an_error(demo_kind):
    def other(**kw):  # pragma: no cover - never called
        raise AssertionError

    with pytest.raises(ValueError, match="already registered"):
        register(KIND, title="Again")(other)
    register(KIND, title="测试 Test")(build_demo)  # the same builder again is fine (reloads)


def test_pdf_falls_back_to_the_built_in_chinese_font(report, monkeypatch, settings):
    from core.reports import fonts

    settings.REPORTS_CJK_FONT = None
    monkeypatch.setattr(fonts, "FONT_CANDIDATES", ())
    fonts.cjk_font.cache_clear()
    try:
        assert fonts.cjk_font() == "STSong-Light"
        content, _, _ = render(report, "pdf")
    finally:
        fonts.cjk_font.cache_clear()
    assert b"STSong-Light" in content
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "测试社工服务中心" in text
    assert "1,234.50" in text


@pytest.mark.parametrize(
    ("values", "ticks"),
    [
        ([0, 1, 1], ["0", "1"]),
        ([0, 0, 0], ["0", "1"]),
        ([0, 3, 7], ["0", "2", "4", "6"]),
        ([3, 17, 40], ["0", "10", "20", "30", "40"]),
        ([0, 250, 1234], ["0", "500", "1,000"]),
    ],
)
def test_a_count_chart_ticks_by_whole_numbers(values, ticks):
    """Counts of 0 and 1 read "0 1" on the axis, not "0 0 0 1 1 1" (ticks at 0.2, 0.4 …)."""
    chart = Chart(
        kind="bar",
        title="Sessions",
        categories=["a", "b", "c"],
        series=[Series(name="n", values=values)],
        value_format="int",
    )
    assert re.findall(r">([0-9.,]+)</text>", chart_svg(chart)) == ticks
