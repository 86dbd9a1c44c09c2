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
            NavItem(
                _("Staff"),
                "staff-list",
                ("director", "finance", "supervisor", "staff"),
                100,
                group=_("Staff"),
            ),
            NavItem(_("Retention"), "staff-retention", ("director",), 110, group=_("Staff")),
            NavItem(_("Certificates"), "staff-expiring", ("director", "supervisor"), 120, group=_("Staff")),
        )

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from staff import db, panels, reports  # noqa: F401 - registers report kinds and panels

        post_migrate.connect(db.ensure_spell_overlap_guard, sender=self, dispatch_uid="staff.overlap_guard")
        _register_setup_steps()
        _register_member_links()


def _register_setup_steps() -> None:
    from core.setup import SetupStep, register_setup_step

    def staff_imported(agency) -> bool:
        from staff.models import StaffMember

        return StaffMember.objects.filter(agency=agency).exists()

    register_setup_step(
        SetupStep(
            key="staff-imported",
            label=_("Import the staff roster"),
            url_name="staff-import",
            is_done=staff_imported,
            order=10,
            help=_("A CSV or Excel file of your people, their positions and hire dates."),
        )
    )


def _register_member_links() -> None:
    from core.members import MemberLink, register_member_link
    from staff.links import link_staff_record, unlinked_staff_choices

    register_member_link(
        MemberLink(
            key="staff_record",
            label=_("Staff record"),
            help=_("Optional: the roster entry of this person, so they see their own records."),
            choices=unlinked_staff_choices,
            apply=link_staff_record,
        )
    )
