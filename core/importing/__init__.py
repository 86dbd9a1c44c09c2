"""Shared import machinery for tabular files (roster, training records, ledger, bank
statement, budget sheet).

One machinery, one small declaration per file kind: ``read_table`` recognises CSV/XLSX and
the encoding, a ``FileSpec`` of ``Column``s maps headers (English or alias, any case, any
order), value parsers turn cells into values or problems, and an ``Importer`` subclass
declares the kind (spec, target, validate, preview, apply); ``Importer.run`` validates
everything and writes all or nothing, recording an ``ImportBatch``. Its command is an
``ImportCommand`` (``core.importing.cli``).

The flow (``Importer``, ``run_import``, ``ImportResult``) touches models; import it from
``core.importing.flow`` or from here once apps are loaded.
"""

from core.importing.errors import MAX_ERRORS_KEPT, FileRefused, ImportErrors, RowError, ValueProblem
from core.importing.flow import Importer, ImportResult, run_import
from core.importing.lookup import code_or_name_index, repeated
from core.importing.parsers import (
    EnumParser,
    Parser,
    enum_parser,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_money,
    parse_text,
)
from core.importing.reading import (
    MAX_DATA_ROWS,
    MAX_XLSX_COMPRESSION_RATIO,
    MAX_XLSX_ENTRIES,
    MAX_XLSX_UNCOMPRESSED_BYTES,
    DataRow,
    Table,
    read_table,
)
from core.importing.spec import Column, FileSpec, ParsedRow, map_header, parse_table

__all__ = [
    "MAX_DATA_ROWS",
    "MAX_ERRORS_KEPT",
    "MAX_XLSX_COMPRESSION_RATIO",
    "MAX_XLSX_ENTRIES",
    "MAX_XLSX_UNCOMPRESSED_BYTES",
    "Column",
    "DataRow",
    "EnumParser",
    "FileRefused",
    "FileSpec",
    "ImportErrors",
    "ImportResult",
    "Importer",
    "ParsedRow",
    "Parser",
    "RowError",
    "Table",
    "ValueProblem",
    "code_or_name_index",
    "enum_parser",
    "map_header",
    "parse_bool",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "parse_money",
    "parse_table",
    "parse_text",
    "read_table",
    "repeated",
    "run_import",
]
