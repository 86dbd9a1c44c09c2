"""``manage.py load_contract FILE.json [--agency SLUG]`` (docs/formats.md, docs/commands.md).

Run from the command line this is an administrator's action: a budget change in the file is
recorded as a revision and approved at once with the reason "Loaded from FILE". Only directors
approve budget revisions (docs/roles.md), so when ``--user`` names someone who is not a director
(a finance officer, say) the revision is left proposed for a director, as the web upload does.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from core.importing.cli import command_fail, read_input_file, resolve_agency, resolve_user
from core.management.base import SpecCommand
from core.roles import Role, has_role
from finance.services import contract_load


class Command(SpecCommand):
    help = _("Create or update a contract with its budget from a JSON contract definition.")

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("contract definition (JSON)"))
        parser.add_argument("--agency", default=None, help=_("short name of the agency"))
        parser.add_argument("--user", default=None, help=_("username recorded as the loader"))

    def handle(self, *args, **options):
        try:
            agency = resolve_agency(options["agency"])
            user = resolve_user(options["user"], agency)
            data, name = read_input_file(options["path"])
        except CommandError as exc:
            command_fail(self, str(exc))
        try:
            result = contract_load(
                agency=agency, data=data, filename=name, user=user, approve=_may_approve(user)
            )
        except ValidationError as exc:
            command_fail(
                self,
                _("Refused: %(name)s is not a valid contract definition; nothing was changed.")
                % {"name": name},
                exc.messages,
            )
        contract = result.contract
        if result.created:
            sentence = _("Created contract %(code)s: %(lines)s budget lines, total %(total)s %(currency)s.")
        else:
            sentence = _("Updated contract %(code)s: %(lines)s budget lines, total %(total)s %(currency)s.")
        line = sentence % {
            "code": contract.code,
            "lines": contract.budget_lines.count(),
            "total": f"{contract.total:.2f}",
            "currency": contract.currency,
        }
        if result.revision is not None:
            line += " " + _("Budget changes recorded as revision %(id)s (%(status)s).") % {
                "id": result.revision.pk,
                "status": result.revision.get_status_display(),
            }
        self.stdout.write(line)


def _may_approve(user) -> bool:
    """Approve the file's budget change at once? Yes for the administrator (no ``--user``) and a
    director; a revision loaded in anyone else's name waits for a director."""
    return user is None or user.is_superuser or has_role(user, Role.DIRECTOR)
