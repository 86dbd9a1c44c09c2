"""The shared import machinery: reading CSV/XLSX, headers, value parsing, all-or-nothing imports."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.utils import timezone

from core.importing import (
    Column,
    FileRefused,
    FileSpec,
    ImportErrors,
    RowError,
    ValueProblem,
    enum_parser,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_money,
    parse_table,
    parse_text,
    read_table,
)
from core.importing.cli import ImportCommand, read_input_file, resolve_agency
from core.importing.flow import Importer, content_digest
from core.models import Agency, ImportBatch

# --- a tiny file kind for the tests -------------------------------------------------------


class Kind(models.TextChoices):
    FULL_TIME = "full_time", "Full time"
    PART_TIME = "part_time", "Part time"


DEMO = FileSpec(
    kind="demo_people",
    columns=[
        Column("code", aliases=["代码"], required=True, parser=parse_text(max_length=20)),
        Column("name", aliases=["姓名"], required=True),
        Column("joined", aliases=["入职日期"], required=True, parser=parse_date),
        Column("amount", aliases=["金额"], parser=parse_money),
        Column("hours", aliases=["学时"], parser=parse_decimal(places=1, max=200, positive=True)),
        Column("active", aliases=["在职"], parser=parse_bool, default=True),
        Column(
            "kind",
            aliases=["用工形式"],
            parser=enum_parser(Kind, {"全职": "full_time", "兼职": "part_time"}),
            default="full_time",
        ),
    ],
)

HEADER_EN = "code,name,joined,amount,hours,active,kind"
HEADER_ZH = "代码,姓名,入职日期,金额,学时,在职,用工形式"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parsed(data: bytes, name: str = "people.csv"):
    return parse_table(DEMO, read_table(data, name))


def create_agencies(rows, batch):
    """The demo importer's writes: one Agency per row (any table would do)."""
    for row in rows:
        Agency.objects.create(name=row["name"], slug=f"demo-{row['code'].lower()}")
    return {"created": len(rows)}


@pytest.fixture
def agency(db):
    return Agency.objects.create(name="信丰县阳光社会工作服务中心", slug="xinfeng")


@pytest.fixture
def user(agency):
    return get_user_model().objects.create_user(
        username="bob", password="x-Long-enough-1", first_name="Bob", last_name="Li"
    )


class DemoImport(Importer):
    """The test kind: each test hands in the steps it needs (validate, preview, apply)."""

    spec = DEMO

    def __init__(self, *, agency, user=None, target="", apply=create_agencies, validate=None, preview=None):
        super().__init__(agency=agency, user=user)
        self._target, self._apply, self._validate, self._preview = target, apply, validate, preview

    @property
    def target(self):
        return self._target

    def validate(self, rows):
        return self._validate(rows) if self._validate else ()

    def preview(self, rows):
        return self._preview(rows) if self._preview else {}

    def apply(self, rows, batch):
        return self._apply(rows, batch)


def run(agency, user, data, name="people.csv", dry_run=False, target="JX-XF-2025-01", **steps):
    importer = DemoImport(agency=agency, user=user, target=target, **steps)
    return importer.run(data=data, filename=name, dry_run=dry_run)


GOOD = csv_bytes(
    HEADER_EN,
    "A1,Ann,2025-03-05,1234.50,2.5,yes,full_time",
    "A2,Ben,2025/3/6,¥12,1,no,part_time",
    "A3,Cai,2025.3.7,,,,",
)

# --- reading: encodings, delimiters, XLSX ------------------------------------------------------


def test_utf8_csv_with_chinese_headers_and_chinese_enum_labels_is_read():
    data = csv_bytes(HEADER_ZH, 'S001,王芳,2025年3月5日,"￥1,234.50",1.5,是,兼职')
    outcome = parsed(data)
    assert outcome.errors.count == 0
    assert [row.row for row in outcome.rows] == [2]
    assert outcome.rows[0].values == {
        "code": "S001",
        "name": "王芳",
        "joined": dt.date(2025, 3, 5),
        "amount": Decimal("1234.50"),
        "hours": Decimal("1.5"),
        "active": True,
        "kind": "part_time",
    }


def test_utf8_csv_with_bom_matches_the_first_header():
    data = "\ufeff".encode() + csv_bytes(HEADER_ZH, "S001,王芳,2025-03-05,,,,全职")
    table = read_table(data, "people.csv")
    assert table.encoding == "utf-8-sig"
    assert table.header[0] == "代码"
    outcome = parse_table(DEMO, table)
    assert outcome.errors.count == 0
    assert outcome.rows[0]["code"] == "S001"
    assert outcome.rows[0]["kind"] == "full_time"


@pytest.mark.parametrize("words", [("郑伟", "硕士"), ("谢平", "全职"), ("谢强", "印刷")])
def test_gbk_text_that_is_also_valid_utf8_is_read_as_gbk(words):
    # Each of these GBK words decodes as UTF-8 without error, into Hebrew, Greek or Cyrillic.
    data = ("staff_no,name,position\r\n" + f"S1,{words[0]},{words[1]}\r\n").encode("gbk")
    data.decode("utf-8")  # the trap: no UnicodeDecodeError
    table = read_table(data, "roster.csv")
    assert table.encoding == "gb18030"
    assert table.rows[0].cells == ("S1", *words)


@pytest.mark.parametrize("row", ["S1,Zoë Wang,¥1,234.50", "S1,“Li”,€5 — note", "S1,张伟,¥12", "S1,Алексей,5"])
def test_utf8_text_without_chinese_or_with_it_stays_utf8(row):
    data = f"staff_no,name,amount\r\n{row}\r\n".encode()
    table = read_table(data, "roster.csv")
    assert table.encoding == "utf-8-sig"
    assert ",".join(table.rows[0].cells) == row


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_gb18030_and_gbk_csv_is_detected(encoding):
    data = csv_bytes(HEADER_ZH, "S002,李娜,2025年3月5日,RMB 88,,否,兼职", encoding=encoding)
    table = read_table(data, "导出.csv")
    assert table.encoding == "gb18030"
    outcome = parse_table(DEMO, table)
    assert outcome.errors.count == 0
    row = outcome.rows[0]
    assert (row["name"], row["amount"], row["active"], row["kind"]) == (
        "李娜",
        Decimal("88.00"),
        False,
        "part_time",
    )


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_sniffed_among_comma_semicolon_and_tab(delimiter):
    data = csv_bytes(
        delimiter.join(["code", "name", "joined", "amount"]),
        delimiter.join(["A1", "Ann", "2025-03-05", '"1,234.50"']),
    )
    table = read_table(data, "people.csv")
    assert table.delimiter == delimiter
    assert parse_table(DEMO, table).rows[0]["amount"] == Decimal("1234.50")


def test_blank_rows_are_skipped_but_row_numbers_stay_true_to_the_sheet():
    data = csv_bytes(HEADER_EN, "A1,Ann,2025-03-05", "", ",,,", " , ", "A2,Ben,bad-date")
    table = read_table(data, "people.csv")
    assert [row.number for row in table.rows] == [2, 6]
    outcome = parse_table(DEMO, table)
    assert [str(error) for error in outcome.errors.kept] == [
        'row 6, column joined: "bad-date" is not a date; write it like 2025-03-05, 2025/3/5, 2025.3.5 or 2025年3月5日'
    ]


def test_xlsx_first_sheet_with_real_date_cells_and_numeric_money_cells():
    data = xlsx_bytes(
        [
            ["Code", "姓名", "入职日期", "金额", "学时", "在职"],
            [1001, "王芳", dt.date(2025, 3, 5), 1234.5, 2, True],
            [None, None, None, None, None, None],
            ["A2", "Ben", dt.datetime(2025, 3, 6, 0, 0), 12, 1.5, "Y"],
            ["A3", "Cai", "2025/3/7", 0.1 + 0.2, None, 0],
        ]
    )
    table = read_table(data, "people.xlsx")
    assert table.format == "xlsx"
    assert [row.number for row in table.rows] == [2, 4, 5]
    assert table.rows[0].cells[2] == dt.date(2025, 3, 5)
    assert type(table.rows[1].cells[2]) is dt.date
    outcome = parse_table(DEMO, table)
    assert outcome.errors.count == 0
    assert [(r["code"], r["joined"], r["amount"], r["hours"], r["active"]) for r in outcome.rows] == [
        ("1001", dt.date(2025, 3, 5), Decimal("1234.50"), Decimal("2.0"), True),
        ("A2", dt.date(2025, 3, 6), Decimal("12.00"), Decimal("1.5"), True),
        ("A3", dt.date(2025, 3, 7), Decimal("0.30"), None, False),
    ]


def test_xlsx_reads_only_the_first_sheet():
    workbook = openpyxl.Workbook()
    workbook.active.append(["code", "name", "joined"])
    workbook.active.append(["A1", "Ann", dt.date(2025, 1, 2)])
    other = workbook.create_sheet("Other")
    other.append(["code", "name", "joined"])
    other.append(["Z9", "Zed", dt.date(2025, 1, 3)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = parsed(buffer.getvalue(), "people.xlsx")
    assert [row["code"] for row in outcome.rows] == ["A1"]


def test_format_is_recognised_by_content_not_by_name():
    assert read_table(xlsx_bytes([["code"], ["A1"]]), "people.csv").format == "xlsx"
    assert read_table(csv_bytes("code", "A1"), "people.xlsx").format == "csv"


# --- reading: files that are not tables ------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "people.csv is empty."),
        (b" \r\n\r\n", "people.csv is empty."),
        (b"\xef\xbb\xbf", "people.csv is empty."),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "people.csv is not a table: it looks like a binary file. Send a CSV or XLSX file.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",
            "people.csv is an old-style Excel (.xls) file; save it as .xlsx or CSV and try again.",
        ),
        (
            b"code,name\r\n\xff\xfe\xff\r\n",
            "people.csv is not a readable table: its text is neither UTF-8 nor GB18030/GBK. "
            "Save it as CSV (UTF-8) or XLSX.",
        ),
        (
            b"\r\nA1,Ann,2025-03-05\r\n",
            "The first row of people.csv must be the header with the column names, but it is empty.",
        ),
        (
            b" , ,\r\nA1,Ann,2025-03-05\r\n",
            "The first row of people.csv must be the header with the column names, but it is empty.",
        ),
    ],
)
def test_files_that_are_not_tables_are_refused_with_one_message(data, message):
    with pytest.raises(FileRefused) as refused:
        read_table(data, "people.csv")
    assert refused.value.message == message


def test_file_over_the_upload_limit_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    with pytest.raises(FileRefused) as refused:
        read_table(b"code\r\n" + b"A" * (1024 * 1024), "big.csv")
    assert refused.value.message == "big.csv is too large (1.0 MB); the limit is 1.0 MB."


def test_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FileRefused) as refused:
        read_table(buffer.getvalue(), "people.xlsx")
    assert refused.value.message == (
        "people.xlsx could not be read as an XLSX workbook; open it in Excel and save it again."
    )


def test_damaged_zip_is_refused():
    data = xlsx_bytes([["code"], ["A1"]])[:200]
    with pytest.raises(FileRefused) as refused:
        read_table(data, "people.xlsx")
    assert refused.value.message == "people.xlsx is not a usable XLSX workbook: the archive is damaged."


@pytest.fixture
def openpyxl_must_not_open(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("openpyxl opened a refused archive")

    monkeypatch.setattr(openpyxl, "load_workbook", fail)


def test_xlsx_zip_bomb_is_refused_before_openpyxl_opens_it(openpyxl_must_not_open):
    buffer = io.BytesIO()
    chunk = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry,
    ):
        for _ in range(200):
            entry.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(FileRefused) as refused:
        read_table(data, "bomb.xlsx")
    assert refused.value.message == (
        "bomb.xlsx is not a usable XLSX workbook: it unpacks to 200.0 MB; at most 100.0 MB is accepted."
    )


def test_xlsx_part_with_an_absurd_compression_ratio_is_refused(openpyxl_must_not_open):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (10 * 1024 * 1024))
    with pytest.raises(FileRefused) as refused:
        read_table(buffer.getvalue(), "bomb.xlsx")
    assert refused.value.message.startswith("bomb.xlsx is not a usable XLSX workbook: a part is compressed ")
    assert refused.value.message.endswith("-fold, which only a zip bomb is.")


def test_xlsx_with_two_thousand_entries_is_refused_before_openpyxl_opens_it(openpyxl_must_not_open):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(2000):
            archive.writestr(f"xl/part{number}.xml", b"<x/>")
    with pytest.raises(FileRefused) as refused:
        read_table(buffer.getvalue(), "many.xlsx")
    assert refused.value.message == (
        "many.xlsx is not a usable XLSX workbook: it holds 2000 parts; at most 1000 are accepted."
    )


# --- value parsers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2025-03-05",
        "2025/3/5",
        "2025.3.5",
        "2025年3月5日",
        "2025年03月05日",
        "  2025-3-5  ",
        "2025/03/05",
        "2025-03-05 00:00:00",
        "２０２５－０３－０５",
        dt.date(2025, 3, 5),
        dt.datetime(2025, 3, 5, 14, 30),
    ],
)
def test_every_accepted_date_form_gives_the_same_date(value):
    assert parse_date(value) == dt.date(2025, 3, 5)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2025-02-30", '"2025-02-30" is not a real date (no such day in the calendar)'),
        ("2025年13月1日", '"2025年13月1日" is not a real date (no such day in the calendar)'),
        (
            "05/03/2025",
            '"05/03/2025" is not a date; write it like 2025-03-05, 2025/3/5, 2025.3.5 or 2025年3月5日',
        ),
        (
            "2025-3/5",
            '"2025-3/5" is not a date; write it like 2025-03-05, 2025/3/5, 2025.3.5 or 2025年3月5日',
        ),
        (45721, '"45721" is a number, not a date; format the cell as a date or write it like 2025-03-05'),
        ("3025-06-30", '"3025-06-30" is not a plausible date: the year must be between 1900 and 2100'),
        ("1025年6月30日", '"1025年6月30日" is not a plausible date: the year must be between 1900 and 2100'),
        (
            dt.date(9999, 12, 31),
            '"9999-12-31" is not a plausible date: the year must be between 1900 and 2100',
        ),
    ],
)
def test_impossible_or_unreadable_dates_are_refused_naming_the_value(value, message):
    with pytest.raises(ValueProblem) as problem:
        parse_date(value)
    assert problem.value.message == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234.5", "1234.50"),
        ("1,234.50", "1234.50"),
        ("¥1,234.50", "1234.50"),
        ("￥1,234.50", "1234.50"),
        ("RMB 12", "12.00"),
        ("rmb12", "12.00"),
        ("￥-3.10", "-3.10"),
        ("¥-12.00", "-12.00"),
        ("-¥12.00", "-12.00"),
        ("  -1,000,000  ", "-1000000.00"),
        ("0.5", "0.50"),
        ("-0", "0.00"),
        ("1.230", "1.23"),
        (12, "12.00"),
        (1234.5, "1234.50"),
        (0.1 + 0.2, "0.30"),
        (Decimal("7.1"), "7.10"),
    ],
)
def test_money_forms_are_read_as_exact_decimals(value, expected):
    amount = parse_money(value)
    assert isinstance(amount, Decimal)
    assert str(amount) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.234", '"1.234" has more than 2 decimal places'),
        (1.005, '"1.005" has more than 2 decimal places'),
        ("12abc", '"12abc" is not an amount of money; write it like 1234.50, 1,234.50 or ¥1,234.50'),
        ("1,23", '"1,23" is not an amount of money; write it like 1234.50, 1,234.50 or ¥1,234.50'),
        ("1.234,50", '"1.234,50" is not an amount of money; write it like 1234.50, 1,234.50 or ¥1,234.50'),
        ("-¥-1", '"-¥-1" is not an amount of money; write it like 1234.50, 1,234.50 or ¥1,234.50'),
        ("NaN", '"NaN" is not an amount of money; write it like 1234.50, 1,234.50 or ¥1,234.50'),
        (float("nan"), '"nan" is not a number'),
        (float("inf"), '"inf" is not a number'),
        (True, '"True" is not an amount of money'),
        ("", "a value is required"),
        ("1000000000000", '"1000000000000" is too large'),
    ],
)
def test_bad_money_is_refused(value, message):
    with pytest.raises(ValueProblem) as problem:
        parse_money(value)
    assert problem.value.message == message


def test_money_options_nonzero_and_positive():
    with pytest.raises(ValueProblem) as problem:
        parse_money("¥0.00", nonzero=True)
    assert problem.value.message == "the amount must not be zero"
    assert parse_money("-5", nonzero=True) == Decimal("-5.00")
    with pytest.raises(ValueProblem) as problem:
        parse_money("-5", positive=True)
    assert problem.value.message == '"-5" must be greater than zero'
    positive_money = parse_money(positive=True)
    assert positive_money("5") == Decimal("5.00")


def test_decimal_with_places_and_bounds():
    hours = parse_decimal(places=1, max=200, positive=True)
    assert hours("1.5") == Decimal("1.5")
    assert hours(200) == Decimal("200.0")
    for value, message in [
        ("1.25", '"1.25" has more than 1 decimal place'),
        ("0", '"0" must be greater than zero'),
        ("200.1", '"200.1" is above the maximum 200'),
        ("two", '"two" is not a number'),
    ]:
        with pytest.raises(ValueProblem) as problem:
            hours(value)
        assert problem.value.message == message
    with pytest.raises(ValueProblem) as problem:
        parse_decimal("-1", min=0)
    assert problem.value.message == '"-1" is below the minimum 0'


def test_int():
    assert parse_int("1,200") == 1200
    assert parse_int(12.0) == 12
    assert parse_int(" -3 ") == -3
    with pytest.raises(ValueProblem) as problem:
        parse_int("1.5")
    assert problem.value.message == '"1.5" is not a whole number'
    with pytest.raises(ValueProblem) as problem:
        parse_int("7", max=5)
    assert problem.value.message == '"7" is above the maximum 5'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", True),
        ("YES", True),
        ("true", True),
        ("True", True),
        ("1", True),
        ("是", True),
        ("Y", True),
        ("y", True),
        (" no ", False),
        ("false", False),
        ("0", False),
        ("否", False),
        ("N", False),
        (True, True),
        (False, False),
        (1, True),
        (0, False),
    ],
)
def test_booleans(value, expected):
    assert parse_bool(value) is expected


def test_unknown_boolean_is_refused():
    with pytest.raises(ValueProblem) as problem:
        parse_bool("maybe")
    assert problem.value.message == '"maybe" is not yes or no; write yes/no, true/false, 1/0, 是/否 or Y/N'


def test_enumerations_accept_code_chinese_label_and_choice_label():
    parser = enum_parser(Kind, {"全职": "full_time", "兼职": "part_time"})
    assert [parser(value) for value in ["full_time", "FULL_TIME", "全职", " 兼职 ", "Part time"]] == [
        "full_time",
        "full_time",
        "full_time",
        "part_time",
        "part_time",
    ]
    with pytest.raises(ValueProblem) as problem:
        parser("实习")
    assert problem.value.message == '"实习" is not one of the choices: full_time (全职), part_time (兼职)'


def test_enumeration_from_a_mapping_and_aliases_must_name_known_codes():
    parser = enum_parser({"bank": "Bank transfer", "cash": "Cash"}, {"银行转账": "bank", "现金": "cash"})
    assert parser("银行转账") == "bank"
    assert parser("cash") == "cash"
    with pytest.raises(ValueError):
        enum_parser({"bank": "Bank"}, {"现金": "cash"})


def test_text_is_stripped_and_limited():
    assert parse_text("  王 芳  ") == "王 芳"
    assert parse_text(1001) == "1001"
    assert parse_text(1001.0) == "1001"
    assert parse_text("=SUM(A1)") == "=SUM(A1)"
    with pytest.raises(ValueProblem) as problem:
        parse_text("abcdef", max_length=5)
    assert problem.value.message == "is too long: 6 characters, at most 5 allowed"


# --- headers -------------------------------------------------------------------------------


def test_headers_match_any_case_spaces_aliases_and_order_and_unknown_columns_are_ignored():
    data = csv_bytes(" 备注 ,  NAME ,入职日期,\ufeffCode,Extra", "note,Ann,2025-03-05,A1,x")
    outcome = parsed(data)
    assert outcome.errors.count == 0
    assert outcome.header.ignored == ["备注", "Extra"]
    assert outcome.rows[0].values == {
        "code": "A1",
        "name": "Ann",
        "joined": dt.date(2025, 3, 5),
        "amount": None,
        "hours": None,
        "active": True,
        "kind": "full_time",
    }


def test_missing_required_column_is_one_error_on_row_1():
    outcome = parsed(csv_bytes("code,name", "A1,Ann", "A2,Ben"))
    assert [str(error) for error in outcome.errors.kept] == [
        "row 1, column joined (入职日期): required column is missing"
    ]


@pytest.mark.parametrize(
    "first", ["A1,Ann,2025-03-05", "This file lists our staff", "S1,张伟,2025-01-01,extra,cells"]
)
def test_a_first_row_that_names_no_column_is_one_clear_message(first):
    outcome = parsed(csv_bytes(first, "A2,Ben,2025-03-06"))
    assert [str(error) for error in outcome.errors.kept] == [
        "The first row must be the header with the column names, but none of its cells is one "
        "(expected: code (代码), name (姓名), joined (入职日期))."
    ]


def test_the_same_column_twice_is_an_error_on_row_1():
    outcome = parsed(csv_bytes("code,name,joined,代码", "A1,Ann,2025-03-05,A1"))
    assert [str(error) for error in outcome.errors.kept] == [
        "row 1, column 代码: the column code (代码) appears more than once"
    ]


def test_errors_name_the_column_as_the_file_writes_it():
    outcome = parsed(csv_bytes(HEADER_ZH, "S001,,2025-02-30,12abc,,也许,全职"))
    assert [str(error) for error in outcome.errors.kept] == [
        "row 2, column 姓名: a value is required",
        'row 2, column 入职日期: "2025-02-30" is not a real date (no such day in the calendar)',
        'row 2, column 金额: "12abc" is not an amount of money; write it like 1234.50, 1,234.50 or ¥1,234.50',
        'row 2, column 在职: "也许" is not yes or no; write yes/no, true/false, 1/0, 是/否 or Y/N',
    ]
    assert outcome.rows == []


# --- the import flow ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_good_file_is_imported_in_one_batch(agency, user):
    result = run(agency, user, GOOD)
    assert result.ok is True
    assert (result.rows, result.errors, result.summary) == (3, [], {"created": 3})
    batch = ImportBatch.objects.get()
    assert result.batch == batch
    assert (batch.kind, batch.target, batch.file_name, batch.status) == (
        "demo_people",
        "JX-XF-2025-01",
        "people.csv",
        "imported",
    )
    assert (batch.row_count, batch.summary, batch.created_by, batch.agency) == (
        3,
        {"created": 3},
        user,
        agency,
    )
    assert len(batch.sha256) == 64
    assert sorted(Agency.objects.filter(slug__startswith="demo-").values_list("name", flat=True)) == [
        "Ann",
        "Ben",
        "Cai",
    ]
    assert result.headline() == "Imported 3 rows from people.csv — created: 3."


@pytest.mark.django_db
def test_one_bad_row_among_many_writes_nothing_and_names_its_spreadsheet_row(agency, user):
    lines = [HEADER_EN] + [f"A{n},Person {n},2025-03-05" for n in range(2, 12)]
    lines[4] = "A5,Person 5,2025-02-30"  # spreadsheet row 5
    result = run(agency, user, csv_bytes(*lines), name="C:\\Users\\bob\\people.csv")
    assert result.ok is False
    assert result.error_lines() == [
        'row 5, column joined: "2025-02-30" is not a real date (no such day in the calendar)'
    ]
    assert result.headline() == "Refused: 1 problem in people.csv; nothing was changed."
    assert Agency.objects.count() == 1
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.row_count, batch.file_name) == ("failed", 10, "people.csv")
    assert batch.errors == [
        {
            "row": 5,
            "column": "joined",
            "message": '"2025-02-30" is not a real date (no such day in the calendar)',
            "text": 'row 5, column joined: "2025-02-30" is not a real date (no such day in the calendar)',
            # kept so that a reader in another language reads the problem in theirs
            "msgid": '"%(value)s" is not a real date (no such day in the calendar)',
            "params": {"value": "2025-02-30"},
        }
    ]


@pytest.mark.django_db
def test_parse_and_validate_errors_are_all_reported_in_row_order(agency, user):
    seen = []

    def validate(rows):
        seen.extend(row.row for row in rows)
        codes: dict[str, int] = {}
        errors = []
        for row in rows:
            if row["code"] in codes:
                errors.append(row.error("code", f"duplicates row {codes[row['code']]}"))
            codes.setdefault(row["code"], row.row)
        return errors

    data = csv_bytes(
        HEADER_EN,
        "A1,Ann,2025-03-05",
        "A2,,2025-03-05",
        "A1,Cai,2025-03-05",
        "A4,Dan,2025-03-05,1.234",
    )
    result = run(agency, user, data, validate=validate)
    assert seen == [2, 4]
    assert result.error_lines() == [
        "row 3, column name: a value is required",
        "row 4, column code: duplicates row 2",
        'row 5, column amount: "1.234" has more than 2 decimal places',
    ]
    assert result.error_count == 3
    assert Agency.objects.count() == 1


@pytest.mark.django_db
def test_validate_is_skipped_when_the_header_is_wrong(agency, user):
    def validate(rows):
        raise AssertionError("validate must not run")

    result = run(agency, user, csv_bytes("code,name", "A1,Ann"), validate=validate)
    assert result.error_lines() == ["row 1, column joined (入职日期): required column is missing"]


@pytest.mark.django_db
def test_the_same_content_twice_is_refused_as_a_repeat(agency, user):
    first = run(agency, user, GOOD)
    assert first.ok
    second = run(agency, user, GOOD, name="copy.csv")
    assert second.ok is False
    assert second.repeat_of == first.batch
    when = timezone.localtime(first.batch.created_at).strftime("%Y-%m-%d %H:%M")
    assert second.error_lines() == [
        f"This file was already imported on {when} by Bob Li (as people.csv, import {first.batch.pk}); "
        "a file is imported only once."
    ]
    assert Agency.objects.count() == 4
    assert list(ImportBatch.objects.values_list("status", flat=True)) == ["failed", "imported"]
    # The same content into another target is a different import.
    assert run(agency, user, GOOD, target="JX-XF-2025-02", apply=lambda rows, batch: {}).ok is True


@pytest.mark.django_db
def test_a_concurrent_duplicate_caught_by_the_constraint_is_reported_as_a_repeat(agency, user):
    competing = []

    def validate(rows):
        # Another upload of the same file commits between our repeat check and our insert.
        competing.append(
            ImportBatch.objects.create(
                agency=agency,
                kind="demo_people",
                target="JX-XF-2025-01",
                file_name="other.csv",
                sha256=content_digest(DEMO, rows),
                status="imported",
                row_count=3,
            )
        )
        return []

    result = run(agency, user, GOOD, validate=validate)
    assert result.ok is False
    assert result.repeat_of == competing[0]
    assert result.error_lines()[0].startswith("This file was already imported on ")
    assert "by an unknown user (as other.csv" in result.error_lines()[0]
    assert Agency.objects.count() == 1


@pytest.mark.django_db
def test_a_dry_run_writes_nothing_and_previews(agency, user):
    calls = []
    result = run(
        agency,
        user,
        GOOD,
        dry_run=True,
        apply=lambda rows, batch: calls.append("apply"),
        preview=lambda rows: {"would_create": len(rows)},
    )
    assert result.ok is True
    assert (result.dry_run, result.batch, result.rows, result.summary) == (True, None, 3, {"would_create": 3})
    assert (
        result.headline() == "Dry run: 3 rows in people.csv are valid; nothing was changed — would_create: 3."
    )
    assert calls == []
    assert ImportBatch.objects.count() == 0
    assert Agency.objects.count() == 1


@pytest.mark.django_db
def test_a_dry_run_of_a_bad_file_records_no_failed_batch(agency, user):
    result = run(agency, user, csv_bytes(HEADER_EN, "A1,Ann,someday"), dry_run=True)
    assert result.ok is False
    assert result.error_count == 1
    assert ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_import_errors_raised_by_apply_roll_everything_back(agency, user):
    def apply(rows, batch):
        create_agencies(rows, batch)
        raise ImportErrors([rows[1].error("code", "already exists elsewhere")])

    result = run(agency, user, GOOD, apply=apply)
    assert result.ok is False
    assert result.error_lines() == ["row 3, column code: already exists elsewhere"]
    assert Agency.objects.count() == 1
    assert list(ImportBatch.objects.values_list("status", flat=True)) == ["failed"]


@pytest.mark.django_db
def test_validation_error_raised_by_apply_rolls_everything_back(agency, user):
    def apply(rows, batch):
        create_agencies(rows, batch)
        raise ValidationError({"code": ["Codes must be unique."]})

    result = run(agency, user, GOOD, apply=apply)
    assert result.error_lines() == ["column code: Codes must be unique."]
    assert Agency.objects.count() == 1
    assert ImportBatch.objects.get().status == "failed"


@pytest.mark.django_db
def test_a_file_that_is_not_a_table_is_refused_with_one_file_level_error(agency, user):
    result = run(agency, user, b"\x00\x01\x02binary", name="photo.csv")
    assert result.ok is False
    assert result.errors == [
        RowError(0, "", "photo.csv is not a table: it looks like a binary file. Send a CSV or XLSX file.")
    ]
    assert result.headline() == "Refused: 1 problem in photo.csv; nothing was changed."
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.row_count) == ("failed", 0)


@pytest.mark.django_db
def test_a_header_without_data_rows_is_refused(agency, user):
    result = run(agency, user, csv_bytes(HEADER_EN, ",,"))
    assert result.error_lines() == ["people.csv has a header row but no data rows."]


@pytest.mark.django_db
def test_errors_are_capped_at_a_thousand_and_counted_in_full(agency, user):
    lines = [HEADER_EN] + [f"A{n},P,never" for n in range(1500)]
    result = run(agency, user, csv_bytes(*lines))
    assert (len(result.errors), result.error_count) == (1000, 1500)
    assert result.error_lines()[-1] == "… and 500 more problems."
    assert result.error_lines()[0].startswith("row 2, column joined:")
    assert len(ImportBatch.objects.get().errors) == 1000


@pytest.mark.django_db
def test_result_as_dict_is_json_ready(agency, user):
    result = run(agency, user, GOOD, apply=lambda rows, batch: {"total": Decimal("1246.50")})
    data = json.loads(json.dumps(result.as_dict()))
    assert data["summary"] == {"total": "1246.50"}
    assert data["batch"] == result.batch.pk
    assert ImportBatch.objects.get().summary == {"total": "1246.50"}


@pytest.mark.django_db
def test_xlsx_import_end_to_end(agency, user):
    data = xlsx_bytes([[*HEADER_ZH.split(",")], ["S1", "王芳", dt.date(2025, 3, 5), 99.9, 1, "是", "兼职"]])
    result = run(agency, user, data, name="roster.xlsx")
    assert result.ok is True
    assert Agency.objects.filter(slug="demo-s1", name="王芳").exists()


# --- command-line helpers ----------------------------------------------------------------------


class DemoCommand(ImportCommand):
    help = "Import demo people."

    def importer(self, *, agency, user, options):
        return DemoImport(agency=agency, user=user)


@pytest.mark.django_db
def test_command_success_prints_one_line(agency, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(GOOD)
    out, err = io.StringIO(), io.StringIO()
    call_command(DemoCommand(), str(path), stdout=out, stderr=err, no_color=True)
    assert out.getvalue() == "Imported 3 rows from people.csv — created: 3.\n"
    assert err.getvalue() == ""


@pytest.mark.django_db
def test_command_refusal_prints_summary_and_problems_and_raises(agency, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(HEADER_EN, "A1,,2025-03-05", "A2,Ben,2025-02-30,12abc"))
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(DemoCommand(), str(path), stdout=io.StringIO(), stderr=err, no_color=True)
    assert raised.value.returncode == 1
    assert str(raised.value) == "Refused: 3 problems in people.csv; nothing was changed."
    assert err.getvalue().splitlines() == [
        "Refused: 3 problems in people.csv; nothing was changed.",
        "row 2, column name: a value is required",
        'row 3, column joined: "2025-02-30" is not a real date (no such day in the calendar)',
        'row 3, column amount: "12abc" is not an amount of money; write it like 1234.50, 1,234.50 or ¥1,234.50',
    ]


@pytest.mark.django_db
def test_command_run_from_the_command_line_exits_1_without_traceback(agency, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(HEADER_EN, "A1,Ann,someday"))
    with pytest.raises(SystemExit) as exited:
        DemoCommand().run_from_argv(["manage.py", "demo", str(path), "--no-color"])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "Refused: 1 problem in people.csv; nothing was changed.",
        'row 2, column joined: "someday" is not a date; write it like 2025-03-05, 2025/3/5, 2025.3.5 or 2025年3月5日',
    ]


@pytest.mark.django_db
def test_resolve_agency():
    with pytest.raises(CommandError) as raised:
        resolve_agency(None)
    assert str(raised.value) == (
        "No agency exists yet; create one first: manage.py create_agency SLUG --name NAME --director USERNAME"
    )
    first = Agency.objects.create(name="A", slug="a-centre")
    assert resolve_agency(None) == first
    assert resolve_agency("a-centre") == first
    Agency.objects.create(name="B", slug="b-centre")
    with pytest.raises(CommandError) as raised:
        resolve_agency(None)
    assert str(raised.value) == "There are several agencies (a-centre, b-centre); choose one with --agency."
    with pytest.raises(CommandError) as raised:
        resolve_agency("nope")
    assert str(raised.value) == "There is no agency with the short name nope (known: a-centre, b-centre)."


def test_read_input_file(tmp_path, settings):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"code\r\nA1\r\n")
    assert read_input_file(str(path)) == (b"code\r\nA1\r\n", "roster.csv")
    with pytest.raises(CommandError) as raised:
        read_input_file(str(tmp_path / "missing.csv"))
    assert str(raised.value) == f"File not found: {tmp_path / 'missing.csv'}"
    with pytest.raises(CommandError) as raised:
        read_input_file(str(tmp_path))
    assert str(raised.value) == f"{tmp_path} is a folder, not a file."
    settings.MAX_UPLOAD_BYTES = 4
    with pytest.raises(CommandError) as raised:
        read_input_file(str(path))
    assert str(raised.value) == f"{path} is too large (0.0 MB); the limit is 0.0 MB."


class _ChecksUnread(DemoImport):
    checks_unread_rows = True


@pytest.mark.django_db
@pytest.mark.parametrize(
    "importer", [DemoImport, _ChecksUnread], ids=["clean rows only", "checks unread rows"]
)
def test_rows_with_an_unread_cell_reach_validate_only_for_an_importer_that_checks_them(
    agency, user, importer
):
    seen = []

    def validate(rows):
        seen.extend(
            (row.row, row["joined"], sorted(row.unread), row.readable("code", "name")) for row in rows
        )
        return [row.error("code", "seen by validate") for row in rows if row.unread]

    data = csv_bytes(HEADER_EN, "A1,Ann,2025-03-05,,,,", "A2,Ben,someday,,,,")
    result = importer(agency=agency, user=user, validate=validate).run(data=data, filename="p.csv")
    clean = (2, dt.date(2025, 3, 5), [], True)
    if importer is DemoImport:
        assert seen == [clean]
        assert result.error_count == 1
    else:
        assert seen == [clean, (3, None, ["joined"], True)]
        assert result.error_lines()[1] == "row 3, column code: seen by validate"
    assert Agency.objects.count() == 1  # the file was refused either way
