"""Turn uploaded bytes into a table of header cells and numbered data rows.

The format is recognised by content, never by the file name: an XLSX workbook is a zip
archive (``PK\\x03\\x04``); anything else is read as CSV in UTF-8 (with or without BOM) or
GB18030, the superset of GBK that Chinese bookkeeping software and Excel on Chinese Windows
write.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.importing.errors import FileRefused

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other old Office files)

#: An XLSX of an agency's roster or ledger has a handful of parts; a thousand means mischief.
MAX_XLSX_ENTRIES = 1000
#: Upper bound on the unpacked size of all parts of an XLSX workbook.
MAX_XLSX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
#: Sheet XML compresses ten- to fifty-fold; far beyond that a part is a zip bomb.
MAX_XLSX_COMPRESSION_RATIO = 250
#: Parts smaller than this are not judged by their ratio (tiny files compress oddly).
_RATIO_CHECK_MIN_BYTES = 1024 * 1024
#: Data rows accepted in one file by default; the ``IMPORT_MAX_ROWS`` setting (environment
#: variable of the same name) changes it.
MAX_DATA_ROWS = 100_000

CSV_DELIMITERS = (",", ";", "\t")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
# Control characters that never appear in a text table (tab, LF, CR, form feed and the
# DOS end-of-file mark are tolerated).
_CONTROL_CHARS = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r", "\x0c", "\x1a"}


@dataclass(frozen=True)
class DataRow:
    """One non-blank data row and its row number as a spreadsheet shows it (header = 1)."""

    number: int
    cells: tuple[Any, ...]


@dataclass
class Table:
    """What ``read_table`` found: the header cells (row 1) and the non-blank data rows."""

    header: list[str]
    rows: list[DataRow] = field(default_factory=list)
    format: str = "csv"
    encoding: str = ""
    delimiter: str = ""


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _max_bytes() -> int:
    return int(getattr(settings, "MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def read_table(data: bytes, filename: str) -> Table:
    """Read a CSV or XLSX file into a ``Table``, or raise ``FileRefused`` with one clear message.

    ``filename`` is only used in messages; the format is decided by the content. Fully
    blank rows are skipped but the numbering stays true to the sheet.
    """
    if len(data) > _max_bytes():
        raise FileRefused(
            _("%(name)s is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"name": filename, "size": _megabytes(len(data)), "limit": _megabytes(_max_bytes())}
        )
    if not data.strip(b" \t\r\n\x0c\xef\xbb\xbf"):
        raise FileRefused(_("%(name)s is empty.") % {"name": filename})
    if data.startswith(ZIP_MAGIC):
        header, rows = _read_xlsx(data, filename)
        table = Table(header=[], format="xlsx")
    else:
        header, rows, encoding, delimiter = _read_csv(data, filename)
        table = Table(header=[], format="csv", encoding=encoding, delimiter=delimiter)
    return _build_table(table, header, rows, filename)


def _build_table(table: Table, header: Sequence[Any] | None, rows: list[DataRow], filename: str) -> Table:
    if header is None:
        raise FileRefused(_("%(name)s is empty.") % {"name": filename})
    cells = ["" if value is None else str(value).replace("\ufeff", "").strip() for value in header]
    if not any(cells):
        raise FileRefused(
            _("The first row of %(name)s must be the header with the column names, but it is empty.")
            % {"name": filename}
        )
    table.header = cells
    table.rows = rows
    return table


def max_data_rows() -> int:
    """Data rows accepted in one file: ``settings.IMPORT_MAX_ROWS`` (default ``MAX_DATA_ROWS``)."""
    return int(getattr(settings, "IMPORT_MAX_ROWS", MAX_DATA_ROWS))


def _refuse_row_count(limit: int, filename: str) -> FileRefused:
    return FileRefused(
        _("%(name)s has more than %(limit)s data rows; split it into smaller files.")
        % {"name": filename, "limit": limit}
    )


def _has_content(record: Sequence[Any]) -> bool:
    """Whether a CSV record has a cell that is not blank (the first filled cell decides at once)."""
    return any(cell and not cell.isspace() for cell in record)


# --- CSV ---------------------------------------------------------------------------------


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    if b"\x00" in data:
        if data.startswith(OLE2_MAGIC):
            raise FileRefused(
                _("%(name)s is an old-style Excel (.xls) file; save it as .xlsx or CSV and try again.")
                % {"name": filename}
            )
        raise FileRefused(
            _("%(name)s is not a table: it looks like a binary file. Send a CSV or XLSX file.")
            % {"name": filename}
        )
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # One C-level count per control character instead of a Python step per character.
        control = sum(text.count(char) for char in _CONTROL_CHARS)
        if control and control * 100 >= len(text):
            break
        if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
            gbk = _gbk_misread_as_utf8(data, text)
            if gbk is not None:
                return gbk, "gb18030"
        return text, encoding
    raise FileRefused(
        _(
            "%(name)s is not a readable table: its text is neither UTF-8 nor GB18030/GBK. "
            "Save it as CSV (UTF-8) or XLSX."
        )
        % {"name": filename}
    )


#: How much of a file's text is looked at to tell UTF-8 from GBK that happens to decode as UTF-8.
_ENCODING_SAMPLE_CHARS = 200_000
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def _is_cjk(char: str) -> bool:
    """A Han character, CJK punctuation or a full-width form: what Chinese table text is made of."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
    )


#: The blocks two-byte UTF-8 sequences fall in (U+0100–U+07FF), by their first code point.
_SCRIPT_STARTS = (
    (0x0100, "latin-extended"),
    (0x0250, "ipa"),
    (0x02B0, "modifiers"),
    (0x0370, "greek"),
    (0x0400, "cyrillic"),
    (0x0530, "armenian"),
    (0x0590, "hebrew"),
    (0x0600, "arabic"),
    (0x0700, "syriac"),
    (0x0780, "thaana"),
    (0x07C0, "nko"),
    (0x0800, None),
)


def _script(char: str) -> str | None:
    """The block of a letter from a two-byte UTF-8 sequence above Latin-1, "supplementary" for
    a four-byte one, None for anything else."""
    code = ord(char)
    if code >= 0x10000:
        return "supplementary"
    script = None
    for start, name in _SCRIPT_STARTS:
        if code < start:
            break
        script = name
    return script


def _gbk_misread_as_utf8(data: bytes, text: str) -> str | None:
    """The GB18030 reading of ``data`` when its UTF-8 reading ``text`` is GBK in disguise.

    Short GBK words are often valid UTF-8 too (郑伟 in GBK reads as the Hebrew and Greek
    "֣ΰ"), so decoding without error proves little. A Chinese agency's UTF-8 file that has
    text beyond ASCII has Chinese in it; GBK read as UTF-8 has none, only letters of Latin
    extensions, Greek, Cyrillic, Hebrew or Arabic (two-byte sequences) and rare symbols. So
    when the UTF-8 reading has no Chinese at all, but its non-ASCII text is mostly such
    letters, and the GB18030 reading is Chinese, the file is GB18030. A UTF-8 file whose only
    non-ASCII characters are symbols such as ¥, é or “ ” stays UTF-8.
    """
    found = _NON_ASCII_RE.findall(text[:_ENCODING_SAMPLE_CHARS])
    if not found or any(_is_cjk(char) for char in found):
        return None
    scripts = Counter(_script(char) for char in found)
    scripts.pop(None, None)  # Latin-1 symbols and letters (¥, é), punctuation (“ ” —), €…
    unlikely = sum(scripts.values())
    if unlikely * 2 <= len(found):
        return None
    # Real text in another script keeps to it (Алексей is all Cyrillic); GBK read as UTF-8
    # jumps between scripts from one character to the next (郑伟: Hebrew, then Greek).
    if scripts.most_common(1)[0][1] * 10 >= unlikely * 9 and unlikely >= 3:
        return None
    try:
        other = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    chinese = _NON_ASCII_RE.findall(other[:_ENCODING_SAMPLE_CHARS])
    if chinese and sum(1 for char in chinese if _is_cjk(char)) * 10 >= len(chinese) * 9:
        return other
    return None


def _sniff_delimiter(text: str) -> str:
    """The delimiter among , ; and tab that splits the header into the most cells."""
    first_record = io.StringIO(text, newline="")
    best, best_count = ",", 0
    for delimiter in CSV_DELIMITERS:
        first_record.seek(0)
        try:
            header = next(csv.reader(first_record, delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(header) > best_count:
            best, best_count = delimiter, len(header)
    return best


def _read_csv(data: bytes, filename: str) -> tuple[list[str] | None, list[DataRow], str, str]:
    text, encoding = _decode(data, filename)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[DataRow] = []
    append = rows.append
    limit = max_data_rows()
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            if number == 1:
                header = record
            elif _has_content(record):
                if len(rows) >= limit:
                    raise _refuse_row_count(limit, filename)
                append(DataRow(number, tuple(record)))
    except csv.Error as exc:
        raise FileRefused(
            _("%(name)s could not be read as CSV near row %(row)s: %(problem)s")
            % {"name": filename, "row": number + 1, "problem": exc}
        ) from exc
    return header, rows, encoding, delimiter


# --- XLSX --------------------------------------------------------------------------------


def _check_zip(data: bytes, filename: str) -> None:
    """Refuse archives whose entry count, unpacked size or compression ratio is absurd.

    Runs before openpyxl sees the file. The sizes declared in the central directory are
    binding: ``zipfile`` stops reading an entry at its declared size.
    """
    refused = _("%(name)s is not a usable XLSX workbook: %(problem)s")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise FileRefused(refused % {"name": filename, "problem": _("the archive is damaged.")}) from exc
    if len(entries) > MAX_XLSX_ENTRIES:
        raise FileRefused(
            refused
            % {
                "name": filename,
                "problem": _("it holds %(count)s parts; at most %(limit)s are accepted.")
                % {"count": len(entries), "limit": MAX_XLSX_ENTRIES},
            }
        )
    total = sum(entry.file_size for entry in entries)
    if total > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise FileRefused(
            refused
            % {
                "name": filename,
                "problem": _("it unpacks to %(size)s MB; at most %(limit)s MB is accepted.")
                % {"size": _megabytes(total), "limit": _megabytes(MAX_XLSX_UNCOMPRESSED_BYTES)},
            }
        )
    for entry in entries:
        if entry.file_size < _RATIO_CHECK_MIN_BYTES:
            continue
        if entry.file_size > max(entry.compress_size, 1) * MAX_XLSX_COMPRESSION_RATIO:
            raise FileRefused(
                refused
                % {
                    "name": filename,
                    "problem": _("a part is compressed %(ratio)s-fold, which only a zip bomb is.")
                    % {"ratio": entry.file_size // max(entry.compress_size, 1)},
                }
            )


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _read_xlsx(data: bytes, filename: str) -> tuple[list[Any] | None, list[DataRow]]:
    _check_zip(data, filename)
    # Imported here so that CSV-only processes never pay for openpyxl.
    from openpyxl import load_workbook

    unreadable = _("%(name)s could not be read as an XLSX workbook; open it in Excel and save it again.") % {
        "name": filename
    }
    header: list[Any] | None = None
    rows: list[DataRow] = []
    limit = max_data_rows()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on malformed files
        raise FileRefused(unreadable) from exc
    try:
        if not workbook.worksheets:
            raise FileRefused(unreadable)
        sheet = workbook.worksheets[0]
        # Some generators write a wrong <dimension>; read every row the sheet really has.
        sheet.reset_dimensions()
        for number, record in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number == 1:
                header = list(record)
            elif not all(_is_blank(cell) for cell in record):
                if len(rows) >= limit:
                    raise _refuse_row_count(limit, filename)
                rows.append(DataRow(number=number, cells=tuple(_xlsx_value(cell) for cell in record)))
    except FileRefused:
        raise
    except Exception as exc:  # damaged sheet XML surfaces only while iterating
        raise FileRefused(unreadable) from exc
    finally:
        workbook.close()
    return header, rows
