"""The ways an import can go wrong, and how a problem is told to the person who sent the file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

#: Errors kept on a result and on the failed ImportBatch; the rest are only counted.
MAX_ERRORS_KEPT = 1000


class Message(str):
    """A message rendered in the active language that remembers its msgid and parameters, so a
    stored problem can be told again in another reader's language (``RowError.text_of``).

    ``tr("...")`` is used like ``gettext`` (``from core.importing.errors import tr as _``):
    ``_('"%(value)s" is not a date') % {"value": v}`` gives a ``Message`` with those params.
    """

    msgid: str
    params: dict

    def __new__(cls, msgid: str, params: Mapping | None = None) -> Message:
        text = _(msgid)
        if params:
            text = text % params
        message = super().__new__(cls, text)
        message.msgid = str(msgid)
        message.params = dict(params or {})
        return message

    def __mod__(self, params):
        if isinstance(params, Mapping) and not self.params:
            return Message(self.msgid, params)
        return str(self) % params

    def stored(self) -> dict[str, Any]:
        """``msgid`` and JSON-ready ``params`` (numbers kept, anything else as text)."""
        params = {
            key: value if isinstance(value, str | int | float | bool) or value is None else str(value)
            for key, value in self.params.items()
        }
        return {"msgid": self.msgid, "params": params}


def tr(msgid: str) -> Message:
    """``gettext`` for import problems: the text now, the msgid and params kept for later."""
    return Message(msgid)


def render_stored(msgid: str, params: Mapping | None) -> str:
    """A stored msgid and params in the active language (as written if a translation breaks)."""
    try:
        return _(msgid) % params if params else _(msgid)
    except (KeyError, TypeError, ValueError):
        return msgid % params if params else msgid


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
        self.message = message if isinstance(message, Message) else str(message)


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
        return cls(row=0, column="", message=message if isinstance(message, Message) else str(message))

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
        """JSON-ready form, as stored in ``ImportBatch.errors``; a ``Message`` also keeps its
        ``msgid`` and ``params``, so the problem is told again in the reader's language."""
        stored = {
            "row": self.row,
            "column": str(self.column),
            "message": str(self.message),
            "text": str(self),
        }
        if isinstance(self.message, Message):
            stored.update(self.message.stored())
        if isinstance(self.column, Message):
            column = self.column.stored()
            stored.update(column_msgid=column["msgid"], column_params=column["params"])
        return stored

    @classmethod
    def text_of(cls, stored: Mapping) -> str:
        """A stored problem (``as_dict``) as text in the active language: rendered again from its
        msgid where it has one, else the text as it was stored."""
        if stored.get("msgid"):
            message = render_stored(stored["msgid"], stored.get("params"))
            column = str(stored.get("column") or "")
            if stored.get("column_msgid"):
                column = render_stored(stored["column_msgid"], stored.get("column_params"))
            return str(cls(row=int(stored.get("row") or 0), column=column, message=message))
        return str(stored.get("text") or stored.get("message") or "")


class ImportErrors(Exception):
    """Raised by an importer's ``apply`` to refuse the file: everything written is rolled back."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(error) for error in self.errors[:5]))
