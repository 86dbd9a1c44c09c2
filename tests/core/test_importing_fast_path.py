"""The faster parse (column by column, each distinct text once) gives exactly what the row-by-row
parse gave: the same rows, values, raw cells and problems, in the same order; and the row limit
is the IMPORT_MAX_ROWS setting."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest

from core.importing import FileRefused, RowError, ValueProblem, parse_money, read_table
from core.importing.errors import MAX_ERRORS_KEPT
from core.importing.parsers import _parse_money_cell, is_pure
from core.importing.reading import DataRow, Table, max_data_rows
from core.importing.spec import ErrorList, ParsedRow, map_header, parse_table
from finance.services.imports import LEDGER


def _reference_parse(spec, table) -> tuple[list[ParsedRow], ErrorList]:
    """The row-by-row parse as it was before (one parser call per cell), kept as the reference."""

    def empty(value: Any) -> bool:
        return value is None or (isinstance(value, str) and not value.strip())

    header = map_header(spec, table.header)
    errors = ErrorList()
    errors.extend(header.errors)
    parsed = []
    for data_row in table.rows:
        values, raw, clean = {}, {}, True
        for column in spec.columns:
            position = header.positions.get(column.name)
            if position is None:
                values[column.name] = column.default_value()
                continue
            cell = data_row.cells[position] if position < len(data_row.cells) else None
            raw[column.name] = cell
            if empty(cell):
                if column.required:
                    errors.add(RowError(data_row.number, header.labels[column.name], "a value is required"))
                    clean = False
                else:
                    values[column.name] = column.default_value()
                continue
            try:
                values[column.name] = column.parser(cell)
            except ValueProblem as problem:
                errors.add(RowError(data_row.number, header.labels[column.name], problem.message))
                clean = False
        if clean:
            parsed.append(ParsedRow(row=data_row.number, values=values, raw=raw, labels=header.labels))
    return parsed, errors


def _messy_ledger(rows: int, seed: int, bad_share: float) -> Table:
    """A ledger table with every accepted spelling and, in ``bad_share`` of the cells, mistakes."""
    rng = random.Random(seed)
    dates = [
        "2025-03-05",
        "2025/3/5",
        "2025.3.5",
        "2025年3月5日",
        " 2025-12-31 ",
        "2025-02-29",
        "2025-13-01",
        "昨天",
    ]
    amounts = [
        "12.50",
        "-3.10",
        "1,234.50",
        "¥12",
        "￥-3.10",
        "RMB 12",
        "0",
        "-0",
        "1.234",
        "abc",
        "１２.５",
        " 7 ",
    ]
    lines = ["A1", "服务活动", "X1", "", "  "]
    methods = ["bank", "现金", "WeChat Pay", "微信", "cheque", "", "BANK"]
    table_rows = []
    for i in range(rows):
        bad = rng.random() < bad_share
        cells = [
            rng.choice(dates) if bad else f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
            rng.choice(amounts) if bad else f"{rng.randrange(1, 99999)}.{rng.randrange(100):02d}",
            rng.choice(lines),
            "" if bad and rng.random() < 0.3 else f"供应商{rng.randrange(40)}",
            "x" * 501 if bad and rng.random() < 0.1 else f"物资 {i % 7}",
            f"{10_000 + i}" if rng.random() < 0.8 else "",
            rng.choice(methods),
            f"V-{i:05d}",
        ]
        if rng.random() < 0.05:
            cells = cells[:5]  # a short record: the missing cells are empty
        table_rows.append(DataRow(number=i + 2, cells=tuple(cells)))
    header = ["日期", "金额", "预算科目", "收款方", "摘要", "发票号", "支付方式", "凭证号"]
    return Table(header=header, rows=table_rows)


@pytest.mark.parametrize(("rows", "seed", "bad_share"), [(3000, 1, 0.0), (3000, 2, 0.05), (6000, 3, 0.5)])
def test_column_parse_gives_exactly_the_row_by_row_result(rows, seed, bad_share):
    table = _messy_ledger(rows, seed, bad_share)
    expected_rows, expected_errors = _reference_parse(LEDGER, table)
    outcome = parse_table(LEDGER, table)
    assert [(r.row, r.values, r.raw) for r in outcome.rows] == [
        (r.row, r.values, r.raw) for r in expected_rows
    ]
    assert outcome.errors.count == expected_errors.count
    assert outcome.errors.kept == expected_errors.kept
    assert len(outcome.errors.kept) == min(expected_errors.count, MAX_ERRORS_KEPT)
    # The values keep their types (Decimal money, dates), not just equal-looking ones.
    for row in outcome.rows[:50]:
        assert type(row["amount"]) is Decimal and row["amount"].as_tuple().exponent == -2
        assert type(row["date"]) is dt.date
    # Both outcomes are non-trivial: clean rows, and problems beyond the kept 100 when half is bad.
    assert len(outcome.rows) > rows // 4
    if bad_share == 0.5:
        assert outcome.errors.count > MAX_ERRORS_KEPT


def test_xlsx_like_cells_of_other_types_are_parsed_one_by_one():
    """Equal cells of different types read differently (1 → "1", 1.5 → "1.5", True → "TRUE")."""
    table = Table(
        header=["日期", "金额", "预算科目", "收款方", "摘要", "发票号"],
        rows=[
            DataRow(2, (dt.date(2025, 1, 2), 1, "A1", True, "a", 1)),
            DataRow(3, (dt.datetime(2025, 1, 3, 9), 1.0, "A1", 1, "b", 1.0)),
            DataRow(4, ("2025-01-04", Decimal("1.5"), "A1", "1", "c", "1")),
            DataRow(5, ("2025-01-05", 0.1 + 0.2, "A1", 1.5, "d", 2.5)),
        ],
    )
    expected_rows, expected_errors = _reference_parse(LEDGER, table)
    outcome = parse_table(LEDGER, table)
    assert [r.values for r in outcome.rows] == [r.values for r in expected_rows]
    assert [r.values["payee"] for r in outcome.rows] == ["TRUE", "1", "1", "1.5"]
    assert [r.values["invoice_no"] for r in outcome.rows] == ["1", "1", "1", "2.5"]
    assert outcome.errors.kept == expected_errors.kept == []


@pytest.mark.parametrize(
    "text",
    ["0", "-0", "0.00", "-0.00", "5", "5.5", "05.50", "-1234.56", "999999999999.99", "123456789012",
     "1.234", "1234567890123", "-", ".5", "5.", "1,234", "+5", "-¥5", " 5", "١٢"],
)  # fmt: skip
def test_plain_money_fast_path_matches_the_full_reader(text):
    def outcome(parse):
        try:
            value = parse(text)
            return ("ok", value, str(value))
        except ValueProblem as problem:
            return ("problem", problem.message)

    assert outcome(parse_money) == outcome(_parse_money_cell)
    for options in ({"nonzero": True}, {"positive": True}):
        full = outcome(_parse_money_cell)
        fast = outcome(parse_money(**options))
        if full[0] == "problem":
            assert fast == full


def test_only_the_built_in_parsers_are_read_once_per_text():
    assert is_pure(parse_money) and is_pure(parse_money(nonzero=True))
    assert all(is_pure(column.parser) for column in LEDGER.columns)
    assert not is_pure(lambda value: value)


# --- the row limit is a setting ------------------------------------------------------------------


def _csv(rows: int) -> bytes:
    lines = ["date,amount"] + [f"2025-01-01,{i + 1}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_row_limit_defaults_to_100000(settings):
    del settings.IMPORT_MAX_ROWS
    assert max_data_rows() == 100_000


def test_row_limit_follows_the_import_max_rows_setting(settings):
    settings.IMPORT_MAX_ROWS = 5
    assert len(read_table(_csv(5), "five.csv").rows) == 5
    # Blank lines do not count.
    assert len(read_table(_csv(5) + b",\n\n", "five.csv").rows) == 5
    with pytest.raises(FileRefused) as refused:
        read_table(_csv(6), "six.csv")
    assert refused.value.message == "six.csv has more than 5 data rows; split it into smaller files."
    settings.IMPORT_MAX_ROWS = 6
    assert len(read_table(_csv(6), "six.csv").rows) == 6


def test_import_max_rows_is_read_from_the_environment():
    from config.env import EnvError, env_int

    assert env_int("IMPORT_MAX_ROWS", 100_000, minimum=1, environ={}) == 100_000
    assert env_int("IMPORT_MAX_ROWS", 100_000, minimum=1, environ={"IMPORT_MAX_ROWS": "250000"}) == 250_000
    with pytest.raises(EnvError, match="IMPORT_MAX_ROWS must be at least 1"):
        env_int("IMPORT_MAX_ROWS", 100_000, minimum=1, environ={"IMPORT_MAX_ROWS": "0"})
