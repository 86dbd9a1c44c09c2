from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _create_cache_table(using="default", **kwargs) -> None:
    """Every ``migrate`` creates the database cache's table if the settings use one (idempotent),
    so the default cache needs no extra deployment step."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Agency core")
    # Model permissions each role receives on this app's models (see core/roles.py).
    role_permissions = {
        "director": [
            "view_agency",
            "view_membership",
            "add_membership",
            "change_membership",
            "view_importbatch",
            "view_job",
        ],
        "finance": ["view_agency", "view_importbatch", "view_job"],
        "supervisor": ["view_agency", "view_job"],
        "staff": ["view_agency", "view_job"],
        "auditor": ["view_agency", "view_importbatch", "view_job"],
    }

    @property
    def nav_items(self):
        from core.navigation import NavItem

        return (
            NavItem(
                _("Logins and roles"),
                "members",
                ("director",),
                900,
                group=pgettext_lazy("menu", "Administration"),
            ),
            NavItem(
                _("Confidential reads"),
                "sensitive-reads",
                ("director",),
                910,
                group=pgettext_lazy("menu", "Administration"),
            ),
            NavItem(
                _("Refused requests"),
                "access-log",
                ("director",),
                915,
                group=pgettext_lazy("menu", "Administration"),
            ),
            NavItem(
                _("Official calendar"),
                "calendar-years",
                ("director",),
                920,
                group=pgettext_lazy("menu", "Administration"),
            ),
            # Beside Reports (800, the overview app's), for everyone who may start a report.
            NavItem(
                _("My reports"),
                "report-files",
                ("director", "finance", "supervisor", "staff", "auditor"),
                810,
            ),
        )

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core import checks, report_jobs, roles  # noqa: F401  (registers checks, jobs)

        post_migrate.connect(roles.sync_role_groups_receiver, dispatch_uid="core.sync_roles")
        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="core.cache_table")

        from core import signals  # noqa: F401  (a password change revokes API tokens)
        from core.setup import SetupStep, people_invited, register_setup_step

        register_setup_step(
            SetupStep(
                key="people-invited",
                label=_("Invite your colleagues"),
                url_name="member-invite",
                is_done=people_invited,
                order=50,
                help=_("Each person gets a link to set their own password."),
            )
        )
