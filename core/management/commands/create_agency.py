"""``manage.py create_agency SLUG --name NAME [--director USERNAME] [--password PW]``.

A new installation's first step (docs/commands.md): creates the agency and, with
``--director``, its first director. Without ``--password`` the password is asked for twice on
the terminal. Every problem (an existing short name, a taken username, a weak password) is
found before anything is written; then a one-line summary and one problem per line go to
stderr and the command exits with status 1, changing nothing.
"""

from __future__ import annotations

import getpass
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import services
from core.management.base import SpecCommand
from core.models import Agency
from core.roles import Role


class Command(SpecCommand):
    help = "Create an agency and, with --director, its first director login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "slug", help=_("short name of the agency in Latin letters, e.g. xinfeng-sunshine")
        )
        parser.add_argument("--name", required=True, help=_("full name of the agency"))
        parser.add_argument("--director", default=None, help=_("username of the first director"))
        parser.add_argument(
            "--password",
            default=None,
            help=_("the director's password (asked for on a terminal when left out)"),
        )
        parser.add_argument("--country", default="CN", help=_("ISO country code (the holiday calendar)"))

    def handle(self, *args, slug: str, name: str, director: str | None, password: str | None, **options):
        slug, name = slug.strip(), name.strip()
        problems = self._check_agency(slug, name, options["country"])
        if director is not None:
            director = director.strip()
            problems += self._check_director(director)
            if not problems:
                if password is None:
                    password = self._ask_password(director)
                problems += self._check_password(password, director)
        elif password is not None:
            problems.append(_("--password needs --director."))
        if problems:
            self._refuse(problems)
        with transaction.atomic():
            agency = services.agency_create(name=name, slug=slug, country=options["country"])
            if director is not None:
                services.member_create(
                    agency=agency, username=director, password=password, roles=[Role.DIRECTOR], validate=False
                )
        if director is not None:
            self.stdout.write(
                _(
                    "Created agency %(slug)s (%(name)s) and its director %(director)s; sign in as %(director)s."
                )
                % {"slug": slug, "name": name, "director": director}
            )
        else:
            self.stdout.write(_("Created agency %(slug)s (%(name)s).") % {"slug": slug, "name": name})

    def _check_agency(self, slug: str, name: str, country: str) -> list[str]:
        if Agency.objects.filter(slug__iexact=slug).exists():
            return [_("An agency with the short name %(slug)s exists already.") % {"slug": slug}]
        try:
            Agency(name=name, slug=slug, country=country).full_clean(validate_unique=False)
        except ValidationError as exc:
            return [
                f"{Agency._meta.get_field(field).verbose_name}: {message}"
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
        return []

    def _check_director(self, username: str) -> list[str]:
        user_model = get_user_model()
        if user_model.objects.filter(username__iexact=username).exists():
            return [_("The username %(username)s is taken.") % {"username": username}]
        try:
            user_model(username=username).full_clean(exclude=["password"], validate_unique=False)
        except ValidationError as exc:
            return [
                f"--director: {message}" for messages in exc.message_dict.values() for message in messages
            ]
        return []

    def _check_password(self, password: str, username: str) -> list[str]:
        if not password:
            return [_("The password is empty.")]
        try:
            validate_password(password, get_user_model()(username=username))
        except ValidationError as exc:
            return [_("Password: %(problem)s") % {"problem": message} for message in exc.messages]
        return []

    def _ask_password(self, username: str) -> str:
        if not sys.stdin.isatty():
            self._refuse(
                [
                    _(
                        "No terminal to ask for the password on: give it with --password, or run the command in a terminal."
                    )
                ]
            )
        first = getpass.getpass(_("Password for %(username)s: ") % {"username": username})
        second = getpass.getpass(_("The same password again: "))
        if first != second:
            self._refuse([_("The two passwords differ.")])
        return first

    def _refuse(self, problems: list[str]) -> None:
        headline = ngettext(
            "Refused: %(count)d problem; nothing was changed.",
            "Refused: %(count)d problems; nothing was changed.",
            len(problems),
        ) % {"count": len(problems)}
        self.stderr.write(headline)
        for problem in problems:
            self.stderr.write(problem)
        if getattr(self, "_called_from_command_line", False):
            sys.exit(1)
        raise CommandError(headline, returncode=1)
