"""Management commands that import files (``import_staff``, ``import_ledger``…), and the
agency, user and file lookups every command shares.

An import command is one small ``ImportCommand`` subclass naming its importer::

    class Command(ImportCommand):
        help = _("Import training records …")

        def importer(self, *, agency, user, options):
            return TrainingImport(agency=agency, user=user)

``ImportCommand`` reads ``FILE [--dry-run] [--agency SLUG] [--user USERNAME]`` (plus a target
option such as ``--contract CODE`` when the subclass declares one), finds the agency with
``resolve_agency``, reads the file with ``read_input_file``, runs the import and reports it
with ``run_import_command``: one line on success; on refusal a one-line summary and one
problem per line on stderr and exit status 1, without a traceback (docs/commands.md).
"""

from __future__ import annotations

import sys
from abc import ABCMeta, abstractmethod
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.importing.flow import Importer, ImportResult
from core.management.base import SpecCommand
from core.models import Agency


def resolve_agency(slug: str | None) -> Agency:
    """The agency named by ``--agency SLUG``; without a slug, the only agency there is.

    Every command that works on one agency finds it here (docs/commands.md: ``--agency`` may be omitted
    when exactly one agency exists); the ``CommandError`` says what to do instead. The slug is
    matched without regard to case (``Xinfeng`` is ``xinfeng``; ``create_agency`` refuses a slug
    that differs from another only in case). Should two such slugs exist all the same (made
    another way, such as the admin), the one written exactly is taken, and a slug that matches
    several only in case is refused with the candidates listed.
    """
    if slug:
        slug = slug.strip()
        matches = sorted(Agency.objects.filter(slug__iexact=slug), key=lambda agency: agency.slug)
        exact = [agency for agency in matches if agency.slug == slug]
        if exact:
            return exact[0]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise CommandError(
                _(
                    "The short name %(slug)s matches several agencies that differ only in case "
                    "(%(candidates)s); write it exactly as one of them."
                )
                % {"slug": slug, "candidates": ", ".join(agency.slug for agency in matches)}
            )
        known = ", ".join(Agency.objects.order_by("slug").values_list("slug", flat=True)) or "-"
        raise CommandError(
            _("There is no agency with the short name %(slug)s (known: %(known)s).")
            % {"slug": slug, "known": known}
        )
    agencies = list(Agency.objects.order_by("slug")[:2])
    if not agencies:
        raise CommandError(
            _(
                "No agency exists yet; create one first: manage.py create_agency SLUG --name NAME --director USERNAME"
            )
        )
    if len(agencies) > 1:
        known = ", ".join(Agency.objects.order_by("slug").values_list("slug", flat=True))
        raise CommandError(
            _("There are several agencies (%(known)s); choose one with --agency.") % {"known": known}
        )
    return agencies[0]


def resolve_user(username: str | None, agency: Agency | None = None) -> Any:
    """The user named by ``--user`` (checked to belong to ``agency`` if given), or None."""
    if not username:
        return None
    user_model = get_user_model()
    user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
    if user is None:
        raise CommandError(_("There is no user %(username)s.") % {"username": username})
    if agency is not None and not user.is_superuser:
        membership = getattr(user, "membership", None)
        if membership is None or membership.agency_id != agency.pk:
            raise CommandError(
                _("User %(username)s is not a member of %(agency)s.")
                % {"username": username, "agency": agency}
            )
    return user


def read_input_file(path: str | Path) -> tuple[bytes, str]:
    """The bytes and the file name of ``path``, or ``CommandError`` saying why it cannot be read."""
    file_path = Path(path)
    limit = int(settings.MAX_UPLOAD_BYTES)
    try:
        if not file_path.exists():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        if file_path.is_dir():
            raise CommandError(_("%(path)s is a folder, not a file.") % {"path": path})
        size = file_path.stat().st_size
        if size > limit:
            raise CommandError(
                _("%(path)s is too large (%(size)s MB); the limit is %(limit)s MB.")
                % {"path": path, "size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.1f}"}
            )
        with file_path.open("rb") as handle:
            # Read one byte past the limit: a file growing under us is still caught.
            data = handle.read(limit + 1)
    except OSError as exc:
        raise CommandError(
            _("Cannot read %(path)s: %(problem)s") % {"path": path, "problem": exc.strerror or exc}
        ) from exc
    if len(data) > limit:
        raise CommandError(
            _("%(path)s is too large; the limit is %(limit)s MB.")
            % {"path": path, "limit": f"{limit / 1048576:.1f}"}
        )
    return data, file_path.name


def run_import_command(command: BaseCommand, result: ImportResult) -> None:
    """Report ``result`` the way import commands do.

    Success: one line on stdout. Refusal: a one-line summary, then one problem per line, on
    stderr, and exit status 1. Run from the command line this exits without Django's
    "CommandError:" prefix or a traceback; called through ``call_command`` (tests, scripts)
    it raises ``CommandError(returncode=1)`` after writing the same lines.
    """
    if result.ok:
        command.stdout.write(result.headline())
        return
    command_fail(command, result.headline(), result.error_lines())


def command_fail(command: BaseCommand, headline: str, problems: list[str] | None = None) -> NoReturn:
    """End ``command`` the way docs/commands.md asks: ``headline`` and each problem on stderr, exit status 1.

    Run from the command line this exits without Django's "CommandError:" prefix or a
    traceback; called through ``call_command`` (tests, scripts) it raises
    ``CommandError(returncode=1)`` after writing the same lines.
    """
    command.stderr.write(headline)
    for problem in problems or []:
        command.stderr.write(str(problem))
    if getattr(command, "_called_from_command_line", False):
        # What Django does for a CommandError, minus the repeated message.
        sys.exit(1)
    raise CommandError(headline, returncode=1)


class ImportCommand(SpecCommand, metaclass=ABCMeta):
    """Base of every ``import_*`` command: ``FILE [--dry-run] [--agency SLUG] [--user USERNAME]``.

    A subclass sets ``help`` and implements ``importer()``. A kind that imports into something
    declares the option that names it, e.g. ``target_option = "--contract"`` with
    ``target_help``; ``importer()`` finds the target from ``options`` and raises
    ``CommandError`` when there is no such thing. ``after()`` may print more once the import
    has succeeded (the ledger prints the contract's new total).
    """

    file_help = gettext_lazy("CSV or XLSX file to import")
    target_option: str | None = None
    target_help = gettext_lazy("what the file imports into")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help=str(self.file_help))
        if self.target_option:
            parser.add_argument(self.target_option, required=True, help=str(self.target_help))
        parser.add_argument(
            "--agency", default=None, help=_("short name of the agency (optional when there is only one)")
        )
        parser.add_argument("--user", default=None, help=_("username recorded as the importer"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("check the file and report; change nothing")
        )

    @abstractmethod
    def importer(self, *, agency: Agency, user: Any, options: dict[str, Any]) -> Importer:
        """The importer for this file, its agency, user and target."""

    def after(self, result: ImportResult, importer: Importer, options: dict[str, Any]) -> None:
        """Called after a successful import or dry run; prints nothing by default."""

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            agency = resolve_agency(options["agency"])
            user = resolve_user(options["user"], agency)
            importer = self.importer(agency=agency, user=user, options=options)
            data, filename = read_input_file(options["path"])
        except CommandError as exc:
            command_fail(self, str(exc))
        result = importer.run(data=data, filename=filename, dry_run=options["dry_run"])
        run_import_command(self, result)
        self.after(result, importer, options)
