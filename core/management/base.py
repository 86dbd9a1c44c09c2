"""The base of every management command (docs/cli.md): a usage error exits 1 with one line, and
long work draws a progress bar on a terminal (``core.progress``) and nothing when piped.

A ``CommandError`` raised by a command run from the command line is written as its message
alone: Django prefixes it with ``CommandError: ``, English (and a class name) inside a line
that is otherwise in the installation's language (``LANGUAGE_CODE``).

A command whose output is piped into a program that stops reading early (``scan_flags | head
-2``) stops quietly: no ``BrokenPipeError`` traceback, exit status 141 (128 + SIGPIPE, what a
shell shows for any Unix tool cut off the same way).

argparse answers a missing argument or an unknown choice with its usage text and exit status 2;
cli.md asks every command to exit 1 with a one-line summary on stderr for invalid input. Called
through ``call_command`` the error is a ``CommandError``, as Django's own parser raises it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import progress

#: The exit status of a command whose reader stopped reading (128 + SIGPIPE).
BROKEN_PIPE_STATUS = 141


class SpecCommand(BaseCommand):
    """``BaseCommand`` whose usage errors exit 1 with ``prog subcommand: error: message``, and
    whose run draws ``core.progress`` bars on stderr when stderr is a terminal."""

    #: Whether the command's work draws bars on a terminal (off for a daemon such as the jobs
    #: worker, whose jobs would draw theirs among the web server's log lines).
    progress_bars = True

    def execute(self, *args: Any, **options: Any) -> Any:
        from_shell = getattr(self, "_called_from_command_line", False)
        try:
            if not self.progress_bars:
                output = super().execute(*args, **options)
            else:
                # The stream execute() will write to: the one given (call_command), else sys.stderr.
                with progress.terminal_bars(options.get("stderr") or sys.stderr):
                    output = super().execute(*args, **options)
            if from_shell:
                self.stdout.flush()  # here, where a closed pipe is caught, not at interpreter exit
            return output
        except CommandError as exc:
            if not from_shell or options.get("traceback"):
                raise  # call_command raises it; --traceback shows it as Django does
            self.stderr.write(str(exc))
            sys.exit(exc.returncode)
        except BrokenPipeError:
            if not from_shell:
                raise
            # The reader has gone: what is left in stdout's buffer can go nowhere, and Python
            # would report it at exit ("Exception ignored ... BrokenPipeError").
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(BROKEN_PIPE_STATUS)

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
