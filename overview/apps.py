from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    """The composition app above the domain apps: home page and dashboards, the annual report,
    the Reports page and the demo data. Nothing imports it (see pyproject's import contracts)."""

    name = "overview"
    verbose_name = _("Overview")

    @property
    def nav_items(self):
        from core.navigation import NavItem

        everyone = ("director", "finance", "supervisor", "staff", "auditor")
        return (
            NavItem(_("Home"), "home", everyone, 0),
            NavItem(_("Reports"), "reports", everyone, 800),
        )

    def ready(self) -> None:
        from overview import annual, dashboard  # noqa: F401  (registers the annual report, panels)
