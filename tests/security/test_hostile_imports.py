"""Every importer fed generated hostile files (Hypothesis): exact totals or a clean refusal.

Each example is a CSV (UTF-8, UTF-8 with BOM or GB18030) or an XLSX whose rows mix valid
cells with hostile ones: random text, huge numbers, too many decimals, negative or zero hours,
impossible dates, formula-looking strings, NUL bytes. The importer must either import every
row, so that the database totals grow by exactly the file's Decimal sum and row count, or
refuse the file with every error on a data row (row ≥ 2) or on the file as a whole, having
changed nothing. It must never raise.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.importing import Column, FileSpec, Importer, ImportResult, parse_date, parse_money, parse_text
from core.models import ImportBatch

pytestmark = pytest.mark.django_db

EXAMPLES = 40
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
_generated: dict[str, int] = {}
_outcomes: dict[tuple[str, str], int] = {}

# --- cells --------------------------------------------------------------------------------

FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x")', "@SUM(1)", "+1+1", "-2+3", "\t=1"]
HOSTILE_TEXT = st.one_of(
    st.sampled_from([*FORMULAS, "a\x00b", "x" * 600, "Robert'); DROP TABLE staff;--", "<script>1</script>"]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
)
SAFE_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40
).filter(lambda s: s.strip() != "")
TEXT = st.one_of(SAFE_TEXT, st.sampled_from(FORMULAS))
BAD_DATES = st.sampled_from(["2025-13-45", "2025-02-30", "yesterday", "0000-00-00", "99999-1-1", "=TODAY()"])
BAD_NUMBERS = st.sampled_from(
    [
        "1e308",
        "12.345",
        "99999999999999999",
        "abc",
        "0",
        "-0.00",
        "NaN",
        "Infinity",
        "1,2,3",
        "=1+1",
        "１２.３４５",
    ]
)
_unique = itertools.count(1)


def _date_cell(date: dt.date):
    return st.sampled_from(
        [date.isoformat(), f"{date.year}/{date.month}/{date.day}", f"{date:%Y年%-m月%-d日}"]
    )


def in_2025():
    return st.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def money_cell(value: Decimal):
    return st.sampled_from([f"{value}", f"{value:,}", f"¥{value}", f" RMB{value} "])


MONEY = st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("999999.99"), places=2).filter(
    lambda d: d != 0
)


@dataclass
class GeneratedFile:
    data: bytes
    name: str
    rows: list[dict]  # the intended values, one dict per data row; "valid" says whether all cells were
    encoding: str


def _encode(header: list[str], rows: list[list], fmt: str) -> bytes:
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            # openpyxl refuses control characters in cells; they can only travel in a CSV.
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    encoding = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gb18030": "gb18030"}[fmt]
    return text.getvalue().encode(encoding)


@st.composite
def hostile_file(draw, columns, max_rows=6):
    """``columns``: [(header, valid_strategy, hostile_strategy)]; valid strategies draw (cell, value)."""
    fmt = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "xlsx"]))
    n = draw(st.integers(1, max_rows))
    hostile_rate = draw(st.sampled_from([0.0, 0.0, 0.15, 0.5]))
    rows, intended = [], []
    for _ in range(n):
        cells, values, valid = [], {}, True
        for header, valid_strategy, hostile_strategy in columns:
            if hostile_strategy is not None and draw(st.floats(0, 1)) < hostile_rate:
                cells.append(draw(hostile_strategy))
                valid = False
            else:
                cell, value = draw(valid_strategy)
                cells.append(cell)
                values[header] = value
        rows.append(cells)
        intended.append({**values, "valid": valid})
    header = [c[0] for c in columns]
    return GeneratedFile(
        _encode(header, rows, fmt), f"hostile.{'xlsx' if fmt == 'xlsx' else 'csv'}", intended, fmt
    )


def valid(strategy_of_value, to_cell=lambda v: st.just(str(v))):
    return strategy_of_value.flatmap(lambda v: to_cell(v).map(lambda cell: (cell, v)))


def assert_refusal_is_clean(result: ImportResult) -> None:
    assert not result.ok
    assert result.errors, "a refused file names at least one problem"
    for error in result.errors:
        assert error.row == 0 or error.row >= 2, f"row {error.row}: {error}"
        assert str(error).strip()


def exact_total(qs, field: str) -> tuple[int, Decimal]:
    """Row count and Decimal sum computed in Python: SQLite's SUM() adds decimals as floats."""
    values = list(qs.values_list(field, flat=True))
    return len(values), sum(values, Decimal("0"))


def count(name: str) -> None:
    _generated[name] = _generated.get(name, 0) + 1


def outcome(name: str, result: ImportResult) -> None:
    key = (name, "imported" if result.ok else "refused")
    _outcomes[key] = _outcomes.get(key, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def _print_counts():
    yield
    for name, n in sorted(_generated.items()):
        imported = _outcomes.get((name, "imported"), 0)
        refused = _outcomes.get((name, "refused"), 0)
        print(f"\n[hostile imports] {name}: {n} generated files, {imported} imported, {refused} refused")


# --- the core machinery with a test spec ----------------------------------------------------

TEST_SPEC = FileSpec(
    kind="security_test",
    columns=[
        Column("date", aliases=["日期"], required=True, parser=parse_date),
        Column("amount", aliases=["金额"], required=True, parser=parse_money(nonzero=True)),
        Column("note", aliases=["摘要"], parser=parse_text(max_length=100), default=""),
    ],
)


class SumImport(Importer):
    """A file kind of the test spec that only adds the amounts up."""

    spec = TEST_SPEC

    def apply(self, rows, batch):
        return {"total": f"{sum((row['amount'] for row in rows), Decimal('0')):.2f}", "notes": len(rows)}


@given(
    file=hostile_file(
        [
            ("date", valid(in_2025(), _date_cell), BAD_DATES),
            ("金额", valid(MONEY, money_cell), BAD_NUMBERS),
            ("note", valid(TEXT.filter(lambda s: len(s.strip()) <= 100), st.just), HOSTILE_TEXT),
        ]
    )
)
@HYPOTHESIS
def test_core_machinery_sums_exactly_or_refuses_cleanly(agency, file):
    name = "core machinery (test spec)"
    count(name)
    before = ImportBatch.objects.filter(status="imported").count()

    result = SumImport(agency=agency).run(data=file.data, filename=file.name)

    outcome(name, result)
    if result.ok:
        assert all(row["valid"] for row in file.rows) or True  # a "hostile" note may be fine text
        expected = sum((row["金额"] for row in file.rows), Decimal("0"))
        assert Decimal(result.batch.summary["total"]) == expected
        assert result.rows == len(file.rows)
    else:
        assert_refusal_is_clean(result)
        assert ImportBatch.objects.filter(status="imported").count() == before


# --- ledger (finance/services/imports.py) ----------------------------------------------------


@given(data=st.data())
@HYPOTHESIS
def test_ledger_totals_match_the_file_to_the_cent_or_nothing_changes(contract, finance, data):
    from finance.models import Expenditure
    from finance.services import ledger_import

    name = "ledger"
    count(name)
    tag = next(_unique)
    vouchers = st.integers(1, 10**6).map(lambda n: f"V{tag}-{n}")
    file = data.draw(
        hostile_file(
            [
                ("date", valid(in_2025(), _date_cell), BAD_DATES),
                ("amount", valid(MONEY, money_cell), BAD_NUMBERS),
                (
                    "预算科目",
                    valid(st.sampled_from(["A1", "P1", "服务活动", "行政管理"]), st.just),
                    HOSTILE_TEXT,
                ),
                ("payee", valid(TEXT.filter(lambda s: len(s.strip()) <= 200), st.just), HOSTILE_TEXT),
                ("description", valid(TEXT.filter(lambda s: len(s.strip()) <= 500), st.just), HOSTILE_TEXT),
                ("voucher_no", valid(vouchers, st.just), st.sampled_from(["", f"V{tag}-1", "x" * 70])),
                (
                    "payment_method",
                    valid(st.sampled_from(["bank", "现金", "wechat", ""]), st.just),
                    HOSTILE_TEXT,
                ),
            ]
        )
    )
    posted = Expenditure.objects.filter(contract=contract)
    before = exact_total(posted, "amount")
    history_before = Expenditure.history.count()
    result = ledger_import(contract=contract, data=file.data, filename=file.name, user=finance)
    outcome(name, result)
    after = exact_total(posted, "amount")
    if result.ok:
        expected = sum((row["amount"] for row in file.rows), Decimal("0"))
        assert after[0] - before[0] == len(file.rows)
        assert after[1] - before[1] == expected
        assert Expenditure.history.count() - history_before == len(file.rows)
        stored = list(posted.filter(import_batch=result.batch).order_by("id").values_list("payee", flat=True))
        if file.encoding != "gb18030":
            assert stored == [row["payee"].strip() for row in file.rows]
    else:
        assert_refusal_is_clean(result)
        assert after == before
        assert Expenditure.history.count() == history_before


# --- training records (training/importing.py) ------------------------------------------------


@given(data=st.data())
@HYPOTHESIS
def test_training_hours_match_the_file_or_nothing_changes(
    agency, director, staff_member, other_staff_member, data
):
    from training.importing import training_import
    from training.models import TrainingRecord

    name = "training records"
    count(name)
    tag = next(_unique)
    hours = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("200"), places=1)
    file = data.draw(
        hostile_file(
            [
                ("staff_no", valid(st.sampled_from(["S200", "S300"]), st.just), HOSTILE_TEXT),
                ("日期", valid(st.dates(dt.date(2023, 6, 1), dt.date(2025, 12, 31)), _date_cell), BAD_DATES),
                ("title", valid(st.integers(1, 10**9).map(lambda n: f"T{tag}-{n}"), st.just), HOSTILE_TEXT),
                (
                    "学时",
                    valid(hours),
                    st.sampled_from(["-3", "0", "200.5", "1.25", "abc", "1e9", "=2*3", "NaN"]),
                ),
                ("provider", valid(TEXT.filter(lambda s: len(s.strip()) <= 200), st.just), HOSTILE_TEXT),
                ("ce_eligible", valid(st.sampled_from(["yes", "否", "1", "N"]), st.just), HOSTILE_TEXT),
            ]
        )
    )
    records = TrainingRecord.objects.filter(agency=agency)
    before = exact_total(records, "hours")
    result = training_import(agency=agency, data=file.data, filename=file.name, user=director)
    outcome(name, result)
    after = exact_total(records, "hours")
    if result.ok:
        assert after[0] - before[0] == len(file.rows)
        assert after[1] - before[1] == sum((row["学时"] for row in file.rows), Decimal("0"))
    else:
        assert_refusal_is_clean(result)
        assert after == before


# --- staff roster (staff/roster.py) -----------------------------------------------------------


@given(data=st.data())
@HYPOTHESIS
def test_roster_adds_exactly_its_people_or_nothing_changes(agency, director, data):
    from staff.models import EmploymentSpell, StaffMember
    from staff.roster import roster_import

    name = "staff roster"
    count(name)
    tag = next(_unique)
    numbers = iter(range(1, 100))
    file = data.draw(
        hostile_file(
            [
                ("staff_no", valid(st.builds(lambda: f"R{tag}-{next(numbers)}"), st.just), HOSTILE_TEXT),
                ("姓名", valid(TEXT.filter(lambda s: len(s.strip()) <= 100), st.just), HOSTILE_TEXT),
                (
                    "hire_date",
                    valid(st.dates(dt.date(2010, 1, 1), dt.date(2025, 6, 30)), _date_cell),
                    BAD_DATES,
                ),
                (
                    "employment_type",
                    valid(st.sampled_from(["full_time", "兼职", "intern"]), st.just),
                    HOSTILE_TEXT,
                ),
                ("sw_degree", valid(st.sampled_from(["yes", "no", "是"]), st.just), HOSTILE_TEXT),
                ("exit_date", valid(st.just(""), st.just), BAD_DATES),
            ],
            max_rows=5,
        )
    )
    before = (StaffMember.objects.filter(agency=agency).count(), EmploymentSpell.objects.count())
    result = roster_import(agency=agency, data=file.data, filename=file.name, user=director)
    outcome(name, result)
    after = (StaffMember.objects.filter(agency=agency).count(), EmploymentSpell.objects.count())
    if result.ok:
        assert after[0] - before[0] == len(file.rows)
        assert after[1] - before[1] == len(file.rows)
    else:
        assert_refusal_is_clean(result)
        assert after == before


# --- bank statement (finance/reconciliation) --------------------------------------------------


@given(data=st.data())
@HYPOTHESIS
def test_bank_statement_totals_match_the_file_or_nothing_changes(contract, finance, data):
    from finance.models import StatementLine
    from finance.reconciliation.services import statement_import

    name = "bank statement"
    count(name)
    tag = next(_unique)
    file = data.draw(
        hostile_file(
            [
                ("交易日期", valid(in_2025(), _date_cell), BAD_DATES),
                ("amount", valid(MONEY, money_cell), BAD_NUMBERS),
                ("counterparty", valid(TEXT.filter(lambda s: len(s.strip()) <= 200), st.just), HOSTILE_TEXT),
                (
                    "reference",
                    valid(st.integers(1, 10**9).map(lambda n: f"B{tag}-{n}"), st.just),
                    HOSTILE_TEXT,
                ),
            ]
        )
    )
    lines = StatementLine.objects.filter(contract=contract)
    before = exact_total(lines, "amount")
    result = statement_import(
        contract=contract,
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
        data=file.data,
        filename=file.name,
        user=finance,
    )
    outcome(name, result)
    after = exact_total(lines, "amount")
    if result.ok:
        assert after[0] - before[0] == len(file.rows)
        assert after[1] - before[1] == sum((row["amount"] for row in file.rows), Decimal("0"))
    else:
        assert_refusal_is_clean(result)
        assert after == before
