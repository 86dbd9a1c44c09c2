from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")
    role_permissions = {
        "director": [
            f"{action}_{model}"
            for action in ("view", "add", "change", "delete")
            for model in ("staffmember", "employmentspell", "qualification")
        ],
        "finance": ["view_staffmember"],
        "supervisor": ["view_staffmember", "view_employmentspell", "view_qualification"],
        "staff": ["view_staffmember", "view_employmentspell", "view_qualification"],
    }

    @property
    def nav_items(self):
        from core.navigation import NavItem

        return (
            NavItem(_("Staff"), "staff-list", ("director", "finance", "supervisor", "staff"), 100),
            NavItem(_("Retention"), "staff-retention", ("director",), 110),
            NavItem(_("Certificates"), "staff-expiring", ("director", "supervisor"), 120),
        )

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from staff import db, panels, reports  # noqa: F401 - registers report kinds and panels

        post_migrate.connect(db.ensure_spell_overlap_guard, sender=self, dispatch_uid="staff.overlap_guard")
