"""The ways an import can go wrong, and how a problem is told to the person who sent the file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

#: Errors kept on a result and on the failed ImportBatch; the rest are only counted.
MAX_ERRORS_KEPT = 1000


class FileRefused(Exception):
    """The file is not a readable table at all (binary, empty, no header, zip bomb, too large).

    Carries one message meant for the person who sent the file.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = str(message)


class ValueProblem(ValueError):
    """A cell value cannot be read; raised by value parsers with a message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = str(message)


@dataclass(frozen=True)
class RowError:
    """One problem in a file, located at a spreadsheet row (header = 1) and a column.

    ``row == 0`` means a problem with the file as a whole; an empty ``column`` means the
    problem concerns the whole row.
    """

    row: int
    column: str
    message: str

    @classmethod
    def file(cls, message: str) -> RowError:
        """A problem with the whole file rather than with one row."""
        return cls(row=0, column="", message=str(message))

    def __str__(self) -> str:
        message = str(self.message)
        if self.row <= 0:
            if self.column:
                return _("column %(column)s: %(message)s") % {"column": self.column, "message": message}
            return message
        if not self.column:
            return _("row %(row)s: %(message)s") % {"row": self.row, "message": message}
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": message,
        }

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored in ``ImportBatch.errors``."""
        return {"row": self.row, "column": str(self.column), "message": str(self.message), "text": str(self)}


class ImportErrors(Exception):
    """Raised by an importer's ``apply`` to refuse the file: everything written is rolled back."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(error) for error in self.errors[:5]))
