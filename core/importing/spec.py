"""Declaring a file kind (its columns) and turning a ``Table`` into parsed rows.

A file kind is a small declaration::

    ROSTER = FileSpec(kind="staff_roster", columns=[
        Column("staff_no", aliases=["员工编号"], required=True),
        Column("hire_date", aliases=["入职日期"], required=True, parser=parse_date),
        Column("employment_type", aliases=["用工形式"], default="full_time",
               parser=enum_parser(EmploymentType, {"全职": "full_time", "兼职": "part_time"})),
    ])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.importing.errors import MAX_ERRORS_KEPT, Message, RowError, ValueProblem
from core.importing.errors import tr as _
from core.importing.parsers import Parser, is_pure, parse_text
from core.importing.reading import Table


def normalise_header(text: Any) -> str:
    """How header cells are compared: without BOM and surrounding spaces, case-insensitive."""
    return str(text or "").replace("\ufeff", "").strip().casefold()


@dataclass(frozen=True)
class Column:
    """One column of a file kind: its English name, Chinese (or other) aliases, and its parser.

    ``default`` (a value or a zero-argument callable) is used when an optional column is
    missing from the file or its cell is empty.
    """

    name: str
    aliases: Sequence[str] = ()
    required: bool = False
    parser: Parser = parse_text
    default: Any = None

    @property
    def label(self) -> str:
        """The name shown when the column is absent, both headers a file may give it: in English
        ``staff_no (员工编号)``, in Chinese the Chinese header first, ``员工编号（staff_no）``. A
        ``Message``: a stored problem names the column again in its reader's language."""
        if self.aliases:
            return _("%(name)s (%(alias)s)") % {"name": self.name, "alias": self.aliases[0]}
        return self.name

    def default_value(self) -> Any:
        return self.default() if callable(self.default) else self.default


@dataclass(frozen=True)
class FileSpec:
    """A file kind: the value stored in ``ImportBatch.kind`` and the columns the file has."""

    kind: str
    columns: Sequence[Column]

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for column in self.columns:
            for header in (column.name, *column.aliases):
                key = normalise_header(header)
                if key in seen and seen[key] != column.name:
                    raise ValueError(
                        f"{self.kind}: header {header!r} names both {seen[key]} and {column.name}"
                    )
                seen[key] = column.name

    @property
    def header_index(self) -> dict[str, Column]:
        """Every accepted header (normalised) to its column."""
        index: dict[str, Column] = {}
        for column in self.columns:
            for header in (column.name, *column.aliases):
                index[normalise_header(header)] = column
        return index

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


@dataclass
class ParsedRow:
    """One data row after parsing: ``values`` by canonical column name, ``raw`` the cells as read.

    ``labels`` maps canonical names to the header as written in the file, so that errors name
    the column the way the person sees it; use ``row.error(column, message)``.
    """

    row: int
    values: dict[str, Any]
    raw: dict[str, Any] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict, repr=False)
    #: Columns whose cell could not be read (already reported); their values are None. Only the
    #: rows an importer checks despite such cells have any (``Importer.checks_unread_rows``).
    unread: frozenset[str] = frozenset()

    def readable(self, *names: str) -> bool:
        """Whether every one of these cells could be read (a check that needs them may run)."""
        return not self.unread or self.unread.isdisjoint(names)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def error(self, column: str, message: str) -> RowError:
        """A ``RowError`` for this row; ``column`` is a canonical name ("" for the whole row)."""
        kept = message if isinstance(message, Message) else str(message)
        return RowError(row=self.row, column=self.labels.get(column, column), message=kept)


@dataclass
class HeaderMap:
    """Which file column holds which spec column, and what the header row got wrong."""

    positions: dict[str, int]
    labels: dict[str, str]
    ignored: list[str]
    errors: list[RowError]


def map_header(spec: FileSpec, header: Sequence[str]) -> HeaderMap:
    """Match the header row against the spec: aliases, any case, any order, extras ignored."""
    index = spec.header_index
    positions: dict[str, int] = {}
    labels: dict[str, str] = {column.name: column.name for column in spec.columns}
    ignored: list[str] = []
    errors: list[RowError] = []
    for position, cell in enumerate(header):
        text = str(cell or "").replace("\ufeff", "").strip()
        if not text:
            continue
        column = index.get(normalise_header(text))
        if column is None:
            ignored.append(text)
            continue
        if column.name in positions:
            errors.append(
                RowError(
                    row=1,
                    column=text,
                    message=_("the column %(column)s appears more than once") % {"column": column.label},
                )
            )
            continue
        positions[column.name] = position
        labels[column.name] = text
    if not positions and ignored:
        # No cell of row 1 names a column: the file has no header (its first row is data, or
        # it is not this kind of file). One message, not one per missing column.
        required = [column.label for column in spec.columns if column.required]
        errors.append(
            RowError.file(
                _(
                    "The first row must be the header with the column names, but none of its cells "
                    "is one (expected: %(columns)s)."
                )
                % {"columns": ", ".join(required)}
            )
        )
        return HeaderMap(positions=positions, labels=labels, ignored=ignored, errors=errors)
    for column in spec.columns:
        if column.required and column.name not in positions:
            errors.append(RowError(row=1, column=column.label, message=_("required column is missing")))
    return HeaderMap(positions=positions, labels=labels, ignored=ignored, errors=errors)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class ErrorList:
    """Collects ``RowError``s, keeping the first ``MAX_ERRORS_KEPT`` and counting all."""

    def __init__(self, limit: int = MAX_ERRORS_KEPT) -> None:
        self.limit = limit
        self.kept: list[RowError] = []
        self.count = 0

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.kept) < self.limit:
            self.kept.append(error)

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.add(error)

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass
class ParseOutcome:
    """Rows that parsed cleanly, every problem found (capped), and how many there were."""

    rows: list[ParsedRow]
    errors: ErrorList
    header: HeaderMap
    total_rows: int
    #: The rows with a cell that could not be read, each with what could (``ParsedRow.unread``).
    partial: list[ParsedRow] = field(default_factory=list)


class _Problem(str):
    """A problem message standing in a column's parsed values (parsers return plain types);
    ``message`` keeps the original (a ``Message`` remembers its msgid and params)."""

    message: str

    def __new__(cls, message: str) -> _Problem:
        problem = super().__new__(cls, message)
        problem.message = message
        return problem


def _parse_column(cells: list[Any], column: Column, required_message: str) -> tuple[list[Any], bool]:
    """The parsed value of each cell of one column, or a ``_Problem`` where it is wrong, and
    whether there is any problem.

    An empty cell is the column's default, or "a value is required". A pure parser
    (``is_pure``: the built-in ones) reads each distinct text once: dates, budget lines,
    payment methods and payees repeat thousands of times in a ledger, and the answer for a
    text is the same every time. Only when every cell is a ``str`` (a CSV column, or an XLSX
    column of text): equal cells of other types (``1``, ``1.0``, ``True``) may read differently.
    """
    parser, is_required = column.parser, column.required
    fixed_default = not callable(column.default)
    default = column.default

    def answer(cell: Any) -> Any:
        if cell is None or (isinstance(cell, str) and (not cell or cell.isspace())):
            if is_required:
                return _Problem(required_message)
            return default if fixed_default else column.default_value()
        try:
            return parser(cell)
        except ValueProblem as problem:
            return _Problem(problem.message)

    if (fixed_default or is_required) and is_pure(parser) and all(type(cell) is str for cell in cells):
        answers = {cell: answer(cell) for cell in set(cells)}
        wrong = any(type(value) is _Problem for value in answers.values())
        return list(map(answers.__getitem__, cells)), wrong
    values = [answer(cell) for cell in cells]
    return values, any(type(value) is _Problem for value in values)


def parse_table(spec: FileSpec, table: Table) -> ParseOutcome:
    """Parse every data row of ``table`` by ``spec``; rows with any bad cell are left out of
    ``rows`` and kept in ``partial``, with what could be read.

    Column by column (each distinct text of a column parsed once), then assembled into rows;
    the problems are reported row by row, in the order of the columns, as a row-by-row parse
    would find them.
    """
    header = map_header(spec, table.header)
    errors = ErrorList()
    errors.extend(header.errors)
    labels = header.labels
    data_rows = table.rows
    count = len(data_rows)
    required = _("a value is required")
    names: list[str] = []
    columns: list[list[Any]] = []
    present: list[str] = []
    raw_columns: list[list[Any]] = []
    problems: list[tuple[int, int, RowError]] = []
    bad: set[int] = set()
    for index, column in enumerate(spec.columns):
        names.append(column.name)
        position = header.positions.get(column.name)
        if position is None:
            columns.append([column.default_value() for _ in range(count)])
            continue
        cells = [row.cells[position] if position < len(row.cells) else None for row in data_rows]
        present.append(column.name)
        raw_columns.append(cells)
        values, wrong = _parse_column(cells, column, required)
        columns.append(values)
        if not wrong:
            continue
        label = labels[column.name]
        for row_index, value in enumerate(values):
            if type(value) is _Problem:
                problems.append(
                    (row_index, index, RowError(data_rows[row_index].number, label, value.message))
                )
                bad.add(row_index)
    problems.sort(key=lambda problem: (problem[0], problem[1]))
    errors.extend(error for _row, _column, error in problems)
    raw_rows = zip(*raw_columns, strict=True) if raw_columns else [()] * count
    parsed: list[ParsedRow] = []
    partial: list[ParsedRow] = []
    for row_index, (data_row, values, raw) in enumerate(
        zip(data_rows, zip(*columns, strict=True), raw_rows, strict=True)
    ):
        row_values = dict(zip(names, values, strict=True))
        unread: frozenset[str] = frozenset()
        if row_index in bad:
            unread = frozenset(name for name, value in row_values.items() if type(value) is _Problem)
            row_values.update(dict.fromkeys(unread))
        row = ParsedRow(
            row=data_row.number,
            values=row_values,
            raw=dict(zip(present, raw, strict=True)),
            labels=labels,
            unread=unread,
        )
        (partial if unread else parsed).append(row)
    return ParseOutcome(rows=parsed, errors=errors, header=header, total_rows=count, partial=partial)


Validator = Callable[[list[ParsedRow]], Iterable[RowError]]
