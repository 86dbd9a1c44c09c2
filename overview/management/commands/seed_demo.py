"""seed_demo [--size small|large] [--password PW] [--force]: the demo agencies and logins."""

from django.core.management.base import CommandError

from core import progress
from core.management.base import SpecCommand
from overview import demo


class Command(SpecCommand):
    help = (
        "Create a realistic demo agency (and an outsider agency) with one login per role. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["small", "large"], default="small")
        parser.add_argument(
            "--password", help="Password for every demo login (default: a generated one, printed)."
        )
        parser.add_argument("--force", action="store_true", help="Allow seeding with DEBUG off.")

    def handle(self, *args, size, password, force, **options):
        if password is not None and len(password) < 8:
            raise CommandError("--password must be at least 8 characters.", returncode=1)
        try:
            result = demo.seed(size=size, password=password, log=self._log, force=force)
        except PermissionError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write("Demo logins (username / password):")
        for username, roles, *_names in demo.DEMO_LOGINS:
            self.stdout.write(f"  {username:<11} {result['password']}   ({', '.join(roles)})")
        self.stdout.write(f"  {'outsider':<11} {result['password']}   (director of another agency)")

    def _log(self, message: str) -> None:
        with progress.above_bars():
            self.stdout.write(message)
