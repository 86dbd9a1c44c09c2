"""The base of every management command (docs/cli.md): a usage error exits 1 with one line, and
long work draws a progress bar on a terminal (``core.progress``) and nothing when piped.

A ``CommandError`` raised by a command run from the command line is written as its message
alone: Django prefixes it with ``CommandError: ``, English (and a class name) inside a line
that is otherwise in the installation's language (``LANGUAGE_CODE``).

argparse answers a missing argument or an unknown choice with its usage text and exit status 2;
cli.md asks every command to exit 1 with a one-line summary on stderr for invalid input. Called
through ``call_command`` the error is a ``CommandError``, as Django's own parser raises it.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import progress


class SpecCommand(BaseCommand):
    """``BaseCommand`` whose usage errors exit 1 with ``prog subcommand: error: message``, and
    whose run draws ``core.progress`` bars on stderr when stderr is a terminal."""

    #: Whether the command's work draws bars on a terminal (off for a daemon such as the jobs
    #: worker, whose jobs would draw theirs among the web server's log lines).
    progress_bars = True

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            if not self.progress_bars:
                return super().execute(*args, **options)
            # The stream execute() will write to: the one given (call_command), else sys.stderr.
            with progress.terminal_bars(options.get("stderr") or sys.stderr):
                return super().execute(*args, **options)
        except CommandError as exc:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise  # call_command raises it; --traceback shows it as Django does
            self.stderr.write(str(exc))
            sys.exit(exc.returncode)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        raise_error = parser.error  # Django's: a CommandError when not run from the command line

        def error(message: str) -> None:
            if parser.called_from_command_line:
                sys.stderr.write(f"{prog_name} {subcommand}: error: {message}\n")
                sys.exit(1)
            raise_error(message)

        parser.error = error  # type: ignore[method-assign]
        return parser
