from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_TARGETS = ("target", "targetrevision")


class DeliveryConfig(AppConfig):
    """Service delivery: contract targets, service activity records and the delivery rules."""

    name = "delivery"
    verbose_name = _("Service delivery")
    # docs/roles.md: targets — directors read and write, everyone else reads (auditors: granted
    # contracts, Target.restrict_queryset). Activities — directors read/write/import, finance
    # officers read, supervisors read their supervisees', staff read and write their own;
    # auditors see progress only, never the records.
    role_permissions = {
        "director": [
            *(f"view_{m}" for m in _TARGETS),
            "add_target",
            "change_target",
            "delete_target",
            "view_serviceactivity",
            "add_serviceactivity",
            "change_serviceactivity",
            "delete_serviceactivity",
        ],
        "finance": [*(f"view_{m}" for m in _TARGETS), "view_serviceactivity"],
        "supervisor": [*(f"view_{m}" for m in _TARGETS), "view_serviceactivity"],
        "staff": [
            *(f"view_{m}" for m in _TARGETS),
            "view_serviceactivity",
            "add_serviceactivity",
            "change_serviceactivity",
            "delete_serviceactivity",
        ],
        "auditor": [*(f"view_{m}" for m in _TARGETS)],
    }

    @property
    def nav_items(self):
        from core.navigation import NavItem

        return (
            NavItem(
                _("Log a visit"),
                "delivery-activity-new",
                ("staff", "director"),
                450,
                group=_("Service delivery"),
            ),
            NavItem(
                _("Service records"),
                "delivery-activity-list",
                ("director", "finance", "supervisor", "staff"),
                455,
                group=_("Service delivery"),
            ),
            NavItem(_("Activity import"), "delivery-import", ("director",), 460, group=_("Service delivery")),
            NavItem(
                _("Workload"),
                "delivery-workload",
                ("director", "supervisor"),
                465,
                group=_("Service delivery"),
            ),
        )

    def ready(self) -> None:
        from delivery import contract_file, flags, panels, reports  # noqa: F401  (registers)
        from finance.reports.pack import EXTRA_SECTIONS

        contract_file.register()
        flags.register()
        EXTRA_SECTIONS["targets"] = reports.pack_section
        EXTRA_SECTIONS["target_revisions"] = reports.target_revisions_section
