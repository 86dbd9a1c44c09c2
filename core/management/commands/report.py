"""``manage.py report KIND ...``: any registered report, in any format, from one data definition."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from core import dates, progress
from core.importing.cli import resolve_agency
from core.management.base import SpecCommand
from core.reports import FORMATS, ReportError, all_kinds, get, render
from core.reports.registry import param_label
from core.reports.renderers import TEXT_FORMATS


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=1)


#: The years --year accepts; --as-of takes the days of the same years (``core.dates``, the range
#: of the pages and the API too).
FIRST_YEAR, LAST_YEAR = dates.FIRST_YEAR, dates.LAST_YEAR


def parse_year(value: str) -> int:
    """A four-digit year between 1900 and 2999."""
    if not re.fullmatch(r"\d{4}", value.strip()) or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        raise _fail(_("Invalid --year %(value)r: expected a year such as 2025.") % {"value": value})
    return int(value)


def parse_date(value: str) -> date:
    """A date written YYYY-MM-DD, in the years ``parse_year`` accepts."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError(value)
        parsed = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise _fail(_("Invalid --as-of %(value)r: expected a date YYYY-MM-DD.") % {"value": value}) from None
    first, last = dates.FIRST_DAY, dates.LAST_DAY
    if not first <= parsed <= last:
        raise _fail(
            _("Invalid --as-of %(value)r: expected a date from %(first)s to %(last)s.")
            % {"value": value, "first": first.isoformat(), "last": last.isoformat()}
        )
    return parsed


class Command(SpecCommand):
    @property
    def help(self) -> str:  # a property: argparse needs a real str, in the active language
        return _(
            "Build a report (see docs/commands.md for the kinds) and write it as JSON, CSV, XLSX or "
            "PDF. JSON and CSV go to standard output unless --out is given."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = "; ".join(
            f"{kind.kind} ({' '.join(param_label(p) for p in kind.params) or '-'})" for kind in all_kinds()
        )
        parser.add_argument(
            "kind",
            help=_("report kind; known kinds (with what each needs): %(kinds)s") % {"kinds": kinds or "-"},
        )
        parser.add_argument("--contract", metavar="CODE", help=_("contract code, for contract reports"))
        parser.add_argument("--year", metavar="YYYY", help=_("year"))
        parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help=_("date the report is as of"))
        parser.add_argument("--format", dest="fmt", metavar="{json,csv,xlsx,pdf}", help=_("output format"))
        parser.add_argument(
            "--out", metavar="FILE", help=_("file or folder to write (required for xlsx and pdf)")
        )
        parser.add_argument(
            "--agency", metavar="SLUG", help=_("agency short name; optional when only one exists")
        )
        parser.add_argument("--lang", metavar="{en,zh-hans}", help=_("language of the report"))

    def handle(self, *args: Any, **options: Any) -> None:
        lang = options.get("lang") or settings.LANGUAGE_CODE
        languages = [code for code, _name in settings.LANGUAGES]
        if lang not in languages:
            raise _fail(
                _("Unknown --lang %(lang)r; choose one of: %(known)s")
                % {"lang": lang, "known": ", ".join(languages)}
            )
        with translation.override(lang):
            self._run(options)

    def _run(self, options: dict[str, Any]) -> None:
        try:
            kind = get(options["kind"])
        except ReportError as exc:
            raise _fail(str(exc)) from None

        fmt = (options.get("fmt") or "").lower()
        if not fmt:
            raise _fail(_("--format is required: %(known)s") % {"known": ", ".join(FORMATS)})
        if fmt not in FORMATS:
            raise _fail(
                _("Unknown --format %(fmt)r; choose one of: %(known)s")
                % {"fmt": options["fmt"], "known": ", ".join(FORMATS)}
            )
        out = options.get("out")
        if not out and fmt not in TEXT_FORMATS:
            raise _fail(_("--out is required for xlsx and pdf"))

        given = {name: options.get(name) for name in ("year", "as_of", "contract")}
        missing = kind.missing(given)
        if missing:
            raise _fail(
                _("report %(kind)s needs %(params)s")
                % {"kind": kind.kind, "params": ", ".join(param_label(name) for name in missing)}
            )
        unexpected = kind.unexpected(given)
        if unexpected:
            raise _fail(
                _("report %(kind)s does not take %(params)s")
                % {"kind": kind.kind, "params": ", ".join(param_label(name) for name in unexpected)}
            )
        params: dict[str, Any] = {}
        if given["year"] not in (None, ""):
            params["year"] = parse_year(given["year"])
        if given["as_of"] not in (None, ""):
            params["as_of"] = parse_date(given["as_of"])
        if given["contract"] not in (None, ""):
            params["contract"] = given["contract"].strip()

        agency = resolve_agency(options.get("agency"))
        try:
            # Two steps on a terminal's bar (core.progress): gather the figures, then render them.
            with progress.bar(kind.kind, total=2, note=_("gathering the figures")) as shown:
                report = kind.build(agency=agency, user=None, **params)
                shown.advance(note=_("writing %(format)s") % {"format": fmt.upper()})
                content, _content_type, filename = render(report, fmt)
        except ReportError as exc:
            raise _fail(str(exc)) from None

        if not out:
            self._write_stdout(content)
            return
        path = Path(out)
        if path.is_dir():
            path = path / filename
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise _fail(
                _("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc.strerror or exc}
            ) from None
        self.stdout.write(_("Wrote %(path)s (%(size)s bytes)") % {"path": path, "size": f"{len(content):,}"})

    def _write_stdout(self, content: bytes) -> None:
        """Bytes to a real stdout (exact encoding); text to a captured one (tests, call_command)."""
        stream = getattr(self.stdout, "_out", self.stdout)
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            stream.flush()
            buffer.write(content)
            buffer.flush()
        else:
            stream.write(content.decode("utf-8"))
