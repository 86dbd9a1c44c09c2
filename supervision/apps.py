from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")
    # docs/roles.md: directors read sessions, notes and action items; supervisors read and write the
    # sessions they lead (row limits via guardian object permissions, see models); staff read
    # the sessions they attended and acknowledge them; finance officers and auditors nothing.
    role_permissions = {
        "director": [
            "view_supervisionplan",
            "add_supervisionplan",
            "change_supervisionplan",
            "delete_supervisionplan",
            "view_supervisionsession",
            "read_notes_supervisionsession",
            "view_sessionattendance",
            "view_actionitem",
            "view_sessionamendment",
        ],
        "supervisor": [
            "view_supervisionplan",
            "view_supervisionsession",
            "add_supervisionsession",
            "change_supervisionsession",
            "view_sessionattendance",
            "view_actionitem",
            "add_actionitem",
            "change_actionitem",
            "view_sessionamendment",
            "add_sessionamendment",
        ],
        "staff": [
            "view_supervisionplan",
            "view_supervisionsession",
            "view_sessionattendance",
            "change_sessionattendance",
            "view_actionitem",
            "view_sessionamendment",
        ],
    }

    @property
    def nav_items(self):
        from core.navigation import NavItem

        return (
            NavItem(
                _("Supervision"),
                "supervision-session-list",
                ("director", "supervisor", "staff"),
                40,
                group=_("Supervision"),
            ),
            NavItem(
                _("Supervision plans"),
                "supervision-plan-list",
                ("director", "supervisor"),
                41,
                group=_("Supervision"),
            ),
            NavItem(
                _("Supervision compliance"),
                "supervision-compliance",
                ("director", "supervisor"),
                42,
                group=_("Supervision"),
            ),
        )

    def ready(self) -> None:
        from core.setup import SetupStep, register_setup_step
        from supervision import hooks, panels, reports, signals  # noqa: F401  (registers; receivers)

        def plans_made(agency) -> bool:
            from supervision.models import SupervisionPlan

            return SupervisionPlan.objects.filter(agency=agency).exists()

        register_setup_step(
            SetupStep(
                key="supervision-plans",
                label=_("Make supervision plans"),
                url_name="supervision-plan-create",
                is_done=plans_made,
                order=40,
                help=_("Who supervises whom, and how often."),
            )
        )
