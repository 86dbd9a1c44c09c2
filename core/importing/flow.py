"""The import protocol and its flow: read, map headers, parse, validate, refuse repeats, then
write all or nothing.

Every file kind is one small ``Importer`` subclass::

    class TrainingImport(Importer):
        spec = TRAINING_FILE                     # the columns and their aliases

        def validate(self, rows): ...            # cross-row and database checks → RowErrors
        def preview(self, rows): ...             # a dry run's summary
        def apply(self, rows, batch): ...        # the writes, inside the import's transaction

    TrainingImport(agency=agency, user=user).run(data=data, filename=name, dry_run=False)

``target`` says what the file imports into (a contract's code for a ledger, a bank statement or
a budget sheet; nothing for a roster): the same content is imported once per (agency, kind,
target). A management command for the kind is an ``ImportCommand`` (core.importing.cli).
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import progress
from core.collector import no_gc_pauses
from core.importing.errors import FileRefused, ImportErrors, RowError
from core.importing.reading import read_table
from core.importing.spec import ErrorList, FileSpec, ParsedRow, parse_table
from core.models import Agency, ImportBatch

_FILE_NAME_MAX = 255


class Importer(ABC):
    """One file kind: its ``spec``, its ``target``, and how its rows are checked and written.

    A subclass sets ``spec`` and implements ``apply``; ``validate`` and ``preview`` are
    optional. ``__init__`` takes the agency and the importing user (None for the operator at
    the command line); a subclass that imports into something (a contract) takes it as well
    and says so in ``target``.
    """

    #: The columns of the file (English names, aliases, parsers) and ``ImportBatch.kind``.
    spec: ClassVar[FileSpec]

    def __init__(self, *, agency: Agency, user: Any = None) -> None:
        self.agency = agency
        self.user = user

    @property
    def target(self) -> str:
        """What the file imports into, as stored in ``ImportBatch.target`` ("" for the agency)."""
        return ""

    #: Whether ``validate`` also gets the rows with a cell that could not be read, so that their
    #: other problems (an unknown staff number beside a bad amount) are reported in the same
    #: round (files.md: every error is reported). Such a row's unread values are None and
    #: ``row.readable(...)`` says which checks may run; an importer whose checks all guard
    #: for that sets this.
    checks_unread_rows: ClassVar[bool] = False

    #: Problems found while parsing, set before ``validate`` runs: a check over the whole file
    #: (a total) is only meaningful when it is 0, that is when ``rows`` are all the file's rows.
    parse_problems: int = 0

    def validate(self, rows: list[ParsedRow]) -> Iterable[RowError] | None:
        """Cross-row and database checks of the rows that parsed cleanly, and of those with an
        unread cell too when ``checks_unread_rows`` (not run when the header is wrong). Return
        (or raise as ``ImportErrors``/``ValidationError``) every problem."""
        return ()

    def preview(self, rows: list[ParsedRow]) -> Mapping[str, Any] | None:
        """The summary of a dry run: what ``apply`` would do, writing nothing."""
        return {}

    @abstractmethod
    def apply(self, rows: list[ParsedRow], batch: ImportBatch) -> Mapping[str, Any] | None:
        """Write the rows (inside the import's transaction) and return the summary.

        Raise ``ImportErrors`` or ``ValidationError`` to refuse the file: everything written is
        rolled back.
        """

    def run(self, *, data: bytes, filename: str, dry_run: bool = False) -> ImportResult:
        """Import one file, all or nothing (see ``run_import``)."""
        return run_import(self, data=data, filename=filename, dry_run=dry_run)


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do).

    ``rows`` is the number of data rows in the file; ``errors`` holds at most
    ``MAX_ERRORS_KEPT`` problems and ``error_count`` how many there were in all.
    """

    ok: bool
    batch: ImportBatch | None
    rows: int
    errors: list[RowError]
    summary: dict[str, Any]
    dry_run: bool
    file_name: str = ""
    error_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    repeat_of: ImportBatch | None = None

    def error_lines(self) -> list[str]:
        """One line per problem, ``row N, column C: what is wrong``, plus a count of any left out."""
        lines = [str(error) for error in self.errors]
        hidden = self.error_count - len(self.errors)
        if hidden > 0:
            lines.append(
                ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", hidden)
                % {"count": hidden}
            )
        return lines

    def headline(self) -> str:
        """A one-line account of the outcome, e.g. ``Refused: 3 problems in roster.csv; nothing was changed.``"""
        if not self.ok:
            return ngettext(
                "Refused: %(count)s problem in %(name)s; nothing was changed.",
                "Refused: %(count)s problems in %(name)s; nothing was changed.",
                self.error_count,
            ) % {"count": self.error_count, "name": self.file_name}
        if self.dry_run:
            line = ngettext(
                "Dry run: %(count)s row in %(name)s is valid; nothing was changed.",
                "Dry run: %(count)s rows in %(name)s are valid; nothing was changed.",
                self.rows,
            ) % {"count": self.rows, "name": self.file_name}
        else:
            line = ngettext(
                "Imported %(count)s row from %(name)s.",
                "Imported %(count)s rows from %(name)s.",
                self.rows,
            ) % {"count": self.rows, "name": self.file_name}
        if self.summary:
            details = ", ".join(f"{key}: {value}" for key, value in self.summary.items())
            line = f"{line.rstrip('.')} — {details}."
        return line

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready account, for APIs and pages."""
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "batch": self.batch.pk if self.batch else None,
            "file_name": self.file_name,
            "rows": self.rows,
            "summary": _jsonable(self.summary),
            "error_count": self.error_count,
            "errors": [error.as_dict() for error in self.errors],
            "ignored_columns": list(self.ignored_columns),
            "message": self.headline(),
        }


def _jsonable(data: Mapping[str, Any] | None) -> dict[str, Any]:
    # Summaries may hold Decimals and dates; the JSONField stores plain JSON.
    return json.loads(json.dumps(dict(data or {}), cls=DjangoJSONEncoder))


def _file_name(filename: str) -> str:
    # Browsers on Windows may send a full path; keep the last part only.
    name = str(filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (name or _("upload"))[:_FILE_NAME_MAX]


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) and getattr(user, "pk", None) else None


def _who(user: Any) -> str:
    if user is None:
        return _("an unknown user")
    return user.get_full_name() or user.get_username()


def content_digest(spec: FileSpec, rows: list[ParsedRow]) -> str:
    """A hash of what the rows say: each row's parsed values by column name, the rows in sorted
    order (numbers normalised, so ``930`` and ``930.00`` are one amount)."""

    def canonical(value: Any) -> Any:
        return value.normalize() if isinstance(value, Decimal) else value

    names = sorted(column.name for column in spec.columns)
    lines = sorted(repr(tuple(canonical(row.values.get(name)) for name in names)) for row in rows)
    digest = hashlib.sha256(f"{spec.kind}\n".encode())
    for line in lines:
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _previous_import(agency: Agency, kind: str, target: str, *hashes: str) -> ImportBatch | None:
    return (
        ImportBatch.objects.select_related("created_by")
        .filter(
            agency=agency, kind=kind, target=target, sha256__in=hashes, status=ImportBatch.Status.IMPORTED
        )
        .order_by("created_at", "id")
        .first()
    )


def _repeat_error(previous: ImportBatch | None) -> RowError:
    if previous is None:
        return RowError.file(_("This file has already been imported; a file is imported only once."))
    return RowError.file(
        _(
            "This file was already imported on %(when)s by %(who)s (as %(name)s, import %(batch)s); "
            "a file is imported only once."
        )
        % {
            "when": timezone.localtime(previous.created_at).strftime("%Y-%m-%d %H:%M"),
            "who": _who(previous.created_by),
            "name": previous.file_name,
            "batch": previous.pk,
        }
    )


def _validation_errors(exc: ValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [
            RowError(row=0, column="" if name == NON_FIELD_ERRORS else name, message=str(message))
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [RowError.file(message) for message in exc.messages]


class _Repeat(Exception):
    """The unique constraint caught a concurrent import of the same content."""


@dataclass
class _Context:
    spec: FileSpec
    agency: Agency
    user: Any
    target: str
    file_name: str
    sha256: str
    dry_run: bool

    def accept(
        self, batch: ImportBatch | None, *, rows: int, summary: dict[str, Any], ignored: list[str]
    ) -> ImportResult:
        """The result of a file that was imported (or, in a dry run, would be)."""
        return ImportResult(
            ok=True,
            batch=batch,
            rows=rows,
            errors=[],
            summary=summary,
            dry_run=self.dry_run,
            file_name=self.file_name,
            ignored_columns=list(ignored),
        )

    def refuse(
        self,
        errors: ErrorList | list[RowError],
        *,
        rows: int,
        ignored: list[str] | None = None,
        repeat_of: ImportBatch | None = None,
    ) -> ImportResult:
        if not isinstance(errors, ErrorList):
            collected = ErrorList()
            collected.extend(errors)
            errors = collected
        if not errors:
            errors.add(RowError.file(_("The file was refused.")))
        # File-level problems first, then by row; the order within a row is kept.
        kept = sorted(errors.kept, key=lambda error: error.row)
        batch = None
        if not self.dry_run:
            batch = ImportBatch.objects.create(
                agency=self.agency,
                kind=self.spec.kind,
                target=self.target,
                file_name=self.file_name,
                sha256=self.sha256,
                status=ImportBatch.Status.FAILED,
                row_count=rows,
                errors=[error.as_dict() for error in kept],
                summary={"error_count": errors.count},
                created_by=self.user,
            )
        return ImportResult(
            ok=False,
            batch=batch,
            rows=rows,
            errors=kept,
            summary={},
            dry_run=self.dry_run,
            file_name=self.file_name,
            error_count=errors.count,
            ignored_columns=list(ignored or []),
            repeat_of=repeat_of,
        )


def run_import(importer: Importer, *, data: bytes, filename: str, dry_run: bool = False) -> ImportResult:
    """Import one file of the importer's kind (see ``_run_import``), without collector pauses
    (``core.collector``: a file's parsed rows all stay alive until it is written)."""
    # Four steps on a terminal's bar (core.progress): read, check rows, check records, write.
    label = _("Importing %(name)s") % {"name": _file_name(filename)}
    with no_gc_pauses(), progress.bar(label, total=3 if dry_run else 4, note=_("reading")) as shown:
        return _run_import(importer, data=data, filename=filename, dry_run=dry_run, shown=shown)


def _run_import(
    importer: Importer, *, data: bytes, filename: str, dry_run: bool = False, shown: progress.Bar
) -> ImportResult:
    """Import one file of the importer's kind into its agency and target, all or nothing.

    Steps: read the table (a file that is not a readable table is refused with one message);
    refuse content already imported for the same (agency, kind, target); map the header and
    parse every row, collecting every problem; call ``importer.validate(rows)`` with the rows
    that parsed cleanly, and those with unread cells too when the importer
    ``checks_unread_rows`` (skipped when the header is wrong); then, if nothing is wrong, create
    the ``ImportBatch`` and call ``importer.apply(rows, batch)`` inside one transaction.
    ``apply`` returns a summary dict, or raises ``ImportErrors`` or ``ValidationError`` to
    refuse the file, which rolls back everything it wrote.

    A refused file is recorded as a failed ``ImportBatch`` with its errors. With ``dry_run``
    nothing at all is written: ``apply`` is not called and ``importer.preview(rows)`` supplies
    the summary of what would happen.
    """
    spec, agency = importer.spec, importer.agency
    context = _Context(
        spec=spec,
        agency=agency,
        user=_user_or_none(importer.user),
        target=importer.target or "",
        file_name=_file_name(filename),
        sha256=hashlib.sha256(data).hexdigest(),
        dry_run=dry_run,
    )
    try:
        table = read_table(data, context.file_name)
    except FileRefused as refused:
        return context.refuse([RowError.file(refused.message)], rows=0)
    if not table.rows:
        return context.refuse(
            [RowError.file(_("%(name)s has a header row but no data rows.") % {"name": context.file_name})],
            rows=0,
        )
    row_count = len(table.rows)

    shown.advance(
        note=ngettext("checking %(count)s row", "checking %(count)s rows", row_count) % {"count": row_count}
    )
    outcome = parse_table(spec, table)
    shown.advance(note=_("checking against the records"))
    errors = outcome.errors
    ignored = outcome.header.ignored
    if not errors.count and not outcome.header.errors:
        # The same rows again are the same file, whatever bytes carry them (another encoding, a
        # BOM, Windows line ends, the columns or rows in another order, a workbook saved anew):
        # a file is imported once, so nothing in it is counted twice. The batch keeps this hash.
        # (Batches imported before kept the file's bytes' hash: the same bytes are a repeat too.)
        file_hash, context.sha256 = context.sha256, content_digest(spec, outcome.rows)
        previous = _previous_import(agency, spec.kind, context.target, context.sha256, file_hash)
        if previous is not None:
            return context.refuse(
                [_repeat_error(previous)], rows=row_count, ignored=ignored, repeat_of=previous
            )
    checked = outcome.rows
    if importer.checks_unread_rows and outcome.partial:
        checked = sorted([*outcome.rows, *outcome.partial], key=lambda row: row.row)
    if not outcome.header.errors and checked:
        importer.parse_problems = errors.count
        try:
            errors.extend(importer.validate(checked) or [])
        except ImportErrors as exc:
            errors.extend(exc.errors)
        except ValidationError as exc:
            errors.extend(_validation_errors(exc))
    if errors:
        return context.refuse(errors, rows=row_count, ignored=ignored)

    rows = outcome.rows
    shown.advance(note=None if dry_run else _("writing"))
    if dry_run:
        summary = dict(importer.preview(rows) or {})
        return context.accept(None, rows=row_count, summary=summary, ignored=ignored)

    try:
        with transaction.atomic():
            batch = ImportBatch(
                agency=agency,
                kind=spec.kind,
                target=context.target,
                file_name=context.file_name,
                sha256=context.sha256,
                status=ImportBatch.Status.IMPORTED,
                row_count=row_count,
                created_by=context.user,
            )
            try:
                # A savepoint of its own: an IntegrityError here is the unique constraint
                # catching a concurrent upload of the same content, nothing else.
                with transaction.atomic():
                    batch.save()
            except IntegrityError as exc:
                raise _Repeat from exc
            summary = dict(importer.apply(rows, batch) or {})
            batch.summary = _jsonable(summary)
            batch.save(update_fields=["summary"])
    except _Repeat:
        previous = _previous_import(agency, spec.kind, context.target, context.sha256)
        return context.refuse([_repeat_error(previous)], rows=row_count, ignored=ignored, repeat_of=previous)
    except ImportErrors as exc:
        return context.refuse(exc.errors, rows=row_count, ignored=ignored)
    except ValidationError as exc:
        return context.refuse(_validation_errors(exc), rows=row_count, ignored=ignored)
    return context.accept(batch, rows=row_count, summary=summary, ignored=ignored)
